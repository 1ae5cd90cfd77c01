# Every process of the cluster.
data "supvisors_processes" "all" {}

# The processes of one application ("worker:*") or one process ("worker:worker_0").
data "supvisors_processes" "worker" {
  namespec = "worker:*"
}

output "not_running" {
  value = [for p in data.supvisors_processes.all.processes : p.namespec if p.statename != "RUNNING"]
}

output "worker_placement" {
  value = { for p in data.supvisors_processes.worker.processes : p.namespec => p.identifiers }
}
