data "supvisors_application" "web" {
  name = "web"
}

# Where each process of the application runs, e.g. { "web:web_server" = ["10.0.0.11:60000"] }.
output "web_placement" {
  value = { for p in data.supvisors_application.web.processes : p.namespec => p.identifiers }
}

output "web_state" {
  value = data.supvisors_application.web.statename
}
