# When the cluster is in CONCILIATION (a process runs on more than one instance), keep the youngest copy of each:
#   terraform apply -invoke=action.supvisors_conciliate.senicide
action "supvisors_conciliate" "senicide" {
  config {
    strategy = "SENICIDE"
    timeout  = "2m"
  }
}
