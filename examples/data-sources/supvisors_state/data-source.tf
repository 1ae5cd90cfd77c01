data "supvisors_state" "cluster" {}

# Fail the plan early when the cluster is not operational.
check "cluster_operational" {
  assert {
    condition     = data.supvisors_state.cluster.fsm_statename == "OPERATION"
    error_message = "Supvisors is in state ${data.supvisors_state.cluster.fsm_statename}, not OPERATION."
  }
}

output "supvisors_master" {
  value = "${data.supvisors_state.cluster.master_nick_identifier} (${data.supvisors_state.cluster.master_identifier})"
}

output "supvisors_versions" {
  value = {
    supvisors  = data.supvisors_state.cluster.api_version
    supervisor = data.supvisors_state.cluster.supervisor_version
  }
}
