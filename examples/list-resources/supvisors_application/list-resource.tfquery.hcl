# terraform query (Terraform 1.14 and later) lists the managed applications; with -generate-config-out=FILE it
# writes a resource block and an import block for each, ready for `terraform apply`.
list "supvisors_application" "all" {
  provider         = supvisors
  include_resource = true
}

# The applications that have a process running on node2 and whose name starts with "web".
list "supvisors_application" "web_on_node2" {
  provider = supvisors

  config {
    name_regex = "^web"
    state      = "running"
    instance   = "node2"
  }
}
