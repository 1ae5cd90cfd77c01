# Terraform 1.12 and later (and OpenTofu 1.12): import by identity. Omit program for every process of the
# application (the import ID "web:*").
import {
  to = supvisors_process_group.workers
  identity = {
    application = "worker"
    program     = "worker"
  }
}

import {
  to = supvisors_process_group.web
  identity = {
    application = "web"
  }
}
