# A runnable demo of the Supvisors provider against the local 3-instance lab cluster.
#
#   make demo        starts the cluster, builds the provider and applies this configuration
#   make demo-down   stops the cluster and removes its files (.lab/)
#
# The connection comes from the environment (SUPVISORS_URL, SUPVISORS_USERNAME,
# SUPVISORS_PASSWORD), which `make demo` sets; nothing here is specific to the lab
# except the application names.

terraform {
  required_version = ">= 1.5"

  required_providers {
    supvisors = {
      source = "supvisors/supvisors"
    }
  }
}

provider "supvisors" {}
