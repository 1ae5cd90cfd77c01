# Read after the resources so that the outputs show the cluster as the apply left it.
data "supvisors_state" "cluster" {
  depends_on = [
    supvisors_application.web,
    supvisors_application.batch,
    supvisors_process_group.pool,
  ]
}

data "supvisors_instances" "all" {}

data "supvisors_processes" "all" {
  depends_on = [
    supvisors_application.web,
    supvisors_application.batch,
    supvisors_process_group.pool,
  ]
}

locals {
  # host:port identifier -> nickname (node1, node2, ...)
  nicks = { for i in data.supvisors_instances.all.instances : i.identifier => i.nick_identifier }
}

output "cluster" {
  description = "Supvisors state, master instance and state of every instance."
  value = {
    state     = data.supvisors_state.cluster.fsm_statename
    master    = data.supvisors_state.cluster.master_nick_identifier
    instances = { for i in data.supvisors_instances.all.instances : i.nick_identifier => i.statename }
  }
}

output "where" {
  description = "Each running process (application:process) and the instance(s) it runs on."
  value = {
    for p in data.supvisors_processes.all.processes :
    p.namespec => [for id in p.identifiers : lookup(local.nicks, id, id)]
    if length(p.identifiers) > 0
  }
}

output "managed" {
  description = "Applications managed by this configuration and their state."
  value = {
    web   = supvisors_application.web.statename
    batch = supvisors_application.batch.statename
    pool  = [for p in supvisors_process_group.pool.processes : "${p.namespec}=${p.statename}"]
  }
}
