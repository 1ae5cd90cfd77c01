# Every process of an application ("worker:*"), or one process ("web:web_server").
data "supvisors_process_rules" "worker" {
  namespec = "worker:*"
}

# Where each process may run, e.g. { "worker:worker_0" = ["10.0.0.11:60000"] }.
output "worker_allowed_instances" {
  value = { for r in data.supvisors_process_rules.worker.rules : r.namespec => r.identifiers }
}
