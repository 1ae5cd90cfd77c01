# The programs of the unmanaged groups (those the Supvisors rules do not declare): together with the
# supvisors_application list, a whole cluster without managing any process twice.
list "supvisors_process_group" "unmanaged" {
  provider         = supvisors
  include_resource = true

  config {
    managed = false
  }
}

# Every program of the application "worker", for a cluster with more than the default 100 results.
list "supvisors_process_group" "worker" {
  provider = supvisors
  limit    = 1000

  config {
    name_regex = "^worker:"
  }
}
