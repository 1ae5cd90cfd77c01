data "supvisors_strategies" "current" {}

output "starting_strategy" {
  value = data.supvisors_strategies.current.starting
}

output "conflicts_resolved_by" {
  value = data.supvisors_strategies.current.conciliation
}
