# Restart "web" with the starting strategy of its rules:
#   terraform apply -invoke=action.supvisors_restart_application.web
action "supvisors_restart_application" "web" {
  config {
    name = "web"
  }
}

# Or let Terraform restart it whenever its configuration changes.
variable "web_conf_sha256" {
  type        = string
  description = "filesha256() of the configuration file of web"
}

resource "terraform_data" "web_conf" {
  input = var.web_conf_sha256

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.supvisors_restart_application.web_spread]
    }
  }
}

action "supvisors_restart_application" "web_spread" {
  config {
    name     = "web"
    strategy = "LESS_LOADED"
    timeout  = "10m"
  }
}
