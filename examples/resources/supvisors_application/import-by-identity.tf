# Terraform 1.12 and later (and OpenTofu 1.12): import by identity. `terraform query` writes these blocks for a
# whole cluster (see the supvisors_application list resource).
import {
  to = supvisors_application.web
  identity = {
    name = "web"
  }
}
