package provider

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// TestAccInstancesDataSource compares supvisors_instances with get_all_instances_info merged with
// get_all_instances_state_modes, answered directly by the (non-master) instance the provider talks to.
// Tick counters, times and loading change all the time; they are only checked to be set.
func TestAccInstancesDataSource(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel() // before looking at the cluster: sequential tests may change it (e.g. the Master) meanwhile
	_, i := testAccDSMaster(t)
	c := testAccDSClient(i)
	const name = "data.supvisors_instances.test"

	checks := []resource.TestCheckFunc{
		resource.TestCheckResourceAttr(name, "instances.#", fmt.Sprint(testAccLab.Size())),
		testCheckLive(name, func(ctx context.Context) (attrWant, error) {
			infos, err := c.GetAllInstancesInfo(ctx)
			if err != nil {
				return nil, err
			}
			modes, err := c.GetAllInstancesStateModes(ctx)
			if err != nil {
				return nil, err
			}
			sort.Slice(infos, func(a, b int) bool { return infos[a].Identifier < infos[b].Identifier })
			w := attrWant{}
			ids := make([]string, 0, len(infos))
			for n, info := range infos {
				ids = append(ids, info.Identifier)
				addInstanceWant(w, fmt.Sprintf("instances.%d", n), info, modes)
			}
			w.addList("identifiers", ids)
			return w, nil
		}),
	}
	for n := 0; n < testAccLab.Size(); n++ {
		for _, a := range []string{"loading", "process_failure", "remote_sequence_counter", "remote_mtime",
			"remote_time", "local_sequence_counter", "local_mtime", "local_time",
			"state_modes.starting_jobs", "state_modes.stopping_jobs"} {
			checks = append(checks, resource.TestCheckResourceAttrSet(name, fmt.Sprintf("instances.%d.%s", n, a)))
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccDSProviderBlock(i) + `data "supvisors_instances" "test" {}`,
			Check:  resource.ComposeAggregateTestCheckFunc(checks...),
		}},
	})
}

// addInstanceWant expects the stable attributes of an instanceModel at prefix.
func addInstanceWant(w attrWant, prefix string, info supvisors.InstanceInfo, modes []supvisors.InstanceStateModes) {
	w[prefix+".identifier"] = info.Identifier
	w[prefix+".nick_identifier"] = info.NickIdentifier
	w[prefix+".node_name"] = info.NodeName
	w[prefix+".port"] = info.Port
	w[prefix+".statecode"] = info.Statecode
	w[prefix+".statename"] = string(info.Statename)
	for _, sm := range modes {
		if sm.Identifier != info.Identifier {
			continue
		}
		w[prefix+".state_modes.fsm_statecode"] = sm.FSMStatecode
		w[prefix+".state_modes.fsm_statename"] = string(sm.FSMStatename)
		w[prefix+".state_modes.degraded_mode"] = sm.DegradedMode
		w[prefix+".state_modes.discovery_mode"] = sm.DiscoveryMode
		w[prefix+".state_modes.master_identifier"] = sm.MasterIdentifier
		w.addMap(prefix+".state_modes.instance_states", sm.InstanceStates)
	}
}
