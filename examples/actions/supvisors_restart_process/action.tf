# Restart one process with new extra arguments:
#   terraform apply -invoke=action.supvisors_restart_process.worker_1
action "supvisors_restart_process" "worker_1" {
  config {
    namespec   = "worker:worker_1"
    extra_args = "--threads 4"
  }
}

# Restart every process of "batch", each with the arguments it runs with now.
action "supvisors_restart_process" "batch" {
  config {
    namespec = "batch:*"
    strategy = "LESS_LOADED"
  }
}
