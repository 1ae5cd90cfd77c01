terraform {
  required_providers {
    supvisors = {
      source = "supvisors/supvisors"
    }
  }
}

# Any one instance of the cluster: Supvisors forwards each command to the instance that must act.
provider "supvisors" {
  url      = "http://supvisors-1.example.com:61000" # or SUPVISORS_URL; unix:///run/supervisor.sock also works
  username = "terraform"                            # or SUPVISORS_USERNAME
  password = var.supvisors_password                 # or SUPVISORS_PASSWORD

  request_timeout = "30s" # one HTTP exchange
  ready_timeout   = "2m"  # wait this long for a cluster that is synchronising or in conciliation

  # Local-only calls (numprocs, enable/disable) reach each instance at node_name:port by default;
  # override the URL of an instance that is reached differently.
  instance_urls = {
    node2 = "http://10.0.0.12:61000"
  }
}

variable "supvisors_password" {
  type      = string
  sensitive = true
}
