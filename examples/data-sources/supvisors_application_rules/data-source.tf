data "supvisors_application_rules" "web" {
  name = "web"
}

output "web_rules" {
  value = {
    distribution      = data.supvisors_application_rules.web.distribution
    identifiers       = data.supvisors_application_rules.web.identifiers
    start_sequence    = data.supvisors_application_rules.web.start_sequence
    starting_strategy = data.supvisors_application_rules.web.starting_strategy
  }
}
