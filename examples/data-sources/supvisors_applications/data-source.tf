data "supvisors_applications" "all" {}

# One supvisors_application resource per managed application, e.g. to keep all of them running.
resource "supvisors_application" "managed" {
  for_each = toset([for a in data.supvisors_applications.all.applications : a.application_name if a.managed])

  name  = each.key
  state = "running"
}

output "applications_in_failure" {
  value = [for a in data.supvisors_applications.all.applications : a.application_name if a.major_failure || a.minor_failure]
}
