data "supvisors_instances" "all" {}

# Nickname => state of every instance, e.g. { node1 = "RUNNING", node2 = "STOPPED" }.
output "instance_states" {
  value = { for i in data.supvisors_instances.all.instances : i.nick_identifier => i.statename }
}

# Instances that are not RUNNING.
output "instances_down" {
  value = [for i in data.supvisors_instances.all.instances : i.identifier if i.statename != "RUNNING"]
}
