# Keep the application "web" running, placed by Supvisors on the least loaded eligible instance.
# Changing the configuration file restarts it in place.
resource "supvisors_application" "web" {
  name     = "web"
  strategy = "LESS_LOADED"

  restart_triggers = {
    conf = filesha256("${path.module}/web.conf")
  }

  timeouts {
    create = "5m"
    update = "5m"
  }
}

# Keep "batch" stopped.
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
