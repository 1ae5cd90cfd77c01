# Keep the application "web" running, placed by Supvisors on the least loaded eligible instance.
# Changing any value of restart_triggers restarts it in place.
resource "supvisors_application" "web" {
  name     = "web"
  strategy = "LESS_LOADED"

  # Any change of a value restarts the application, e.g. a release tag, or
  # conf = filesha256("${path.module}/web.conf") to follow a file.
  restart_triggers = {
    release = "2026.11.1"
  }

  timeouts {
    create = "5m"
    update = "5m"
  }
}

# Keep "batch" stopped. Without strategy, starts use the starting_strategy of the application's own rules.
resource "supvisors_application" "batch" {
  name  = "batch"
  state = "stopped"
}

# Track "reporting" without stopping it when the resource is destroyed.
resource "supvisors_application" "reporting" {
  name            = "reporting"
  stop_on_destroy = false
}

output "web_placement" {
  value = { for p in supvisors_application.web.processes : p.namespec => p.identifiers }
}
