# `web` is started by Supvisors itself when the cluster comes up (start_sequence 1 in
# its rules). Declaring it running adopts it: the first apply records it in the state
# and restarts nothing.
resource "supvisors_application" "web" {
  name  = "web"
  state = "running"

  # Forget the application on `terraform destroy` instead of stopping it: the cluster
  # started it, the cluster keeps it.
  stop_on_destroy = false
}

# `batch` is not started automatically. Its rules run batch_init to completion first,
# then batch_job: the apply returns once batch_job runs.
resource "supvisors_application" "batch" {
  name     = "batch"
  state    = "running"
  strategy = "LESS_LOADED"
}

# Every process of the homogeneous program `pool` (numprocs 2): pool:pool_0 and
# pool:pool_1. Supvisors picks the instances with the CONFIG strategy.
resource "supvisors_process_group" "pool" {
  application = "pool"
  program     = "pool"
  state       = "running"
  strategy    = "CONFIG"
}
