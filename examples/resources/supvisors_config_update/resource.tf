# A pipeline that writes a program's configuration file and rolls it out, like
# `supervisorctl update`: only the groups whose files changed are touched.
#
# supervisord includes the directory (in its configuration):
#   [include]
#   files = /etc/supervisor/conf.d/*.conf
variable "conf_dir" {
  type    = string
  default = "/etc/supervisor/conf.d"
}

variable "release" {
  type    = string
  default = "2024.06.1"
}

locals {
  # Any text: a templatefile(), a heredoc, the output of another module...
  worker_conf = <<-EOT
    [program:worker]
    command = /opt/worker/bin/worker --release ${var.release}
    autostart = true
    startsecs = 5
    stopwaitsecs = 10
  EOT
}

# Writes the file where supervisord reads it. Any file resource fits here
# (local_file, a file pushed by your configuration management, ...); this one
# needs no other provider: it runs on the host where terraform runs.
resource "terraform_data" "worker_conf" {
  input = local.worker_conf

  provisioner "local-exec" {
    command     = "printf '%s' \"$CONTENT\" > '${var.conf_dir}/worker.conf'"
    environment = { CONTENT = self.input }
  }
}

# Rolls the configuration out whenever the file's content changes: reloadConfig,
# then the new group is added and started (autostart), a changed one is
# restarted, a deleted one is stopped and removed.
resource "supvisors_config_update" "workers" {
  triggers = {
    worker = sha256(terraform_data.worker_conf.output)
  }
  # Only the groups this pipeline owns; others are reported in results[*].skipped.
  groups = ["worker"]
}

output "rollout" {
  value = supvisors_config_update.workers.results
}
