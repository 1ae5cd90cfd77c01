package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccInstanceDataSource reads one instance by nickname and another by host:port and compares them with
// get_instance_info, get_instance_state_modes and get_network_info answered directly (get_network_info with
// host:port: Supvisors 0.19 answers a nickname with HTTP 500, which the data source must avoid).
func TestAccInstanceDataSource(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel() // before looking at the cluster: sequential tests may change it (e.g. the Master) meanwhile
	master, i := testAccDSMaster(t)
	c := testAccDSClient(i)

	live := func(n int, name string) resource.TestCheckFunc {
		id := testAccLab.Identifier(n)
		return testCheckLive(name, func(ctx context.Context) (attrWant, error) {
			infos, err := c.GetInstanceInfo(ctx, id)
			if err != nil {
				return nil, err
			}
			if len(infos) != 1 {
				return nil, fmt.Errorf("get_instance_info(%q) returned %d elements", id, len(infos))
			}
			modes, err := c.GetInstanceStateModes(ctx, id)
			if err != nil {
				return nil, err
			}
			net, err := c.GetNetworkInfo(ctx, id)
			if err != nil {
				return nil, err
			}
			w := attrWant{}
			addInstanceWant(w, "instance", infos[0], modes)
			w["network.host_id"] = net.HostID
			w["network.http_port"] = net.HTTPPort
			w["network.machine_id"] = net.Network.MachineID
			w["network.fqdn"] = net.Network.FQDN
			w.addList("network.stereotypes", net.Stereotypes)
			w["network.addresses.%"] = len(net.Network.Addresses)
			for nic, a := range net.Network.Addresses {
				p := "network.addresses." + nic
				w[p+".host_name"] = a.HostName
				w.addList(p+".aliases", a.Aliases)
				w.addList(p+".ipv4_addresses", a.IPv4Addresses)
				w[p+".nic_info.nic_name"] = a.NICInfo.NICName
				w[p+".nic_info.ipv4_address"] = a.NICInfo.IPv4Address
				w[p+".nic_info.netmask"] = a.NICInfo.Netmask
			}
			return w, nil
		})
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccDSProviderBlock(i) + fmt.Sprintf(`
data "supvisors_instance" "by_nick" {
  identifier = %q
}
data "supvisors_instance" "by_id" {
  identifier = %q
}
`, testAccLab.Nick(master), testAccLab.Identifier(i)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.supvisors_instance.by_nick", "identifier", testAccLab.Nick(master)),
					resource.TestCheckResourceAttr("data.supvisors_instance.by_nick", "instance.identifier", testAccLab.Identifier(master)),
					resource.TestCheckResourceAttr("data.supvisors_instance.by_nick", "instance.statename", "RUNNING"),
					resource.TestCheckResourceAttrSet("data.supvisors_instance.by_nick", "instance.loading"),
					resource.TestCheckResourceAttr("data.supvisors_instance.by_id", "instance.nick_identifier", testAccLab.Nick(i)),
					live(master, "data.supvisors_instance.by_nick"),
					live(i, "data.supvisors_instance.by_id"),
				),
			},
			{
				Config: testAccDSProviderBlock(i) + `
data "supvisors_instance" "nope" {
  identifier = "no-such-node"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Unknown Supvisors instance.*no-such-node.*Known\s+instances:.*` +
					regexp.QuoteMeta(testAccLab.Identifier(0)) + `.*` + regexp.QuoteMeta(testAccLab.Nick(0))),
			},
		},
	})
}
