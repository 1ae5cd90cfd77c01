# By nickname, or by identifier: identifier = "10.0.0.12:60000".
data "supvisors_instance" "node2" {
  identifier = "node2"
}

output "node2" {
  value = {
    identifier = data.supvisors_instance.node2.instance.identifier
    state      = data.supvisors_instance.node2.instance.statename
    loading    = data.supvisors_instance.node2.instance.loading
    fqdn       = data.supvisors_instance.node2.network.fqdn
    addresses  = [for nic in data.supvisors_instance.node2.network.addresses : nic.nic_info.ipv4_address]
  }
}
