package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccStateDataSource reads supvisors_state through a NON-master instance and compares every stable value
// with what get_supvisors_state, get_master_identifier, get_api_version and the supervisor.* getters answer
// directly on that same instance.
func TestAccStateDataSource(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel() // before looking at the cluster: sequential tests may change it (e.g. the Master) meanwhile
	master, i := testAccDSMaster(t)
	c := testAccDSClient(i)
	const name = "data.supvisors_state.test"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccDSProviderBlock(i) + `data "supvisors_state" "test" {}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				// the instance reached is the one configured, and it is not the Master
				resource.TestCheckResourceAttr(name, "identifier", testAccLab.Identifier(i)),
				resource.TestCheckResourceAttr(name, "nick_identifier", testAccLab.Nick(i)),
				resource.TestCheckResourceAttr(name, "master_identifier", testAccLab.Identifier(master)),
				resource.TestCheckResourceAttr(name, "master_nick_identifier", testAccLab.Nick(master)),
				resource.TestCheckResourceAttr(name, "fsm_statename", "OPERATION"),
				resource.TestCheckResourceAttrSet(name, "starting_jobs.#"),
				resource.TestCheckResourceAttrSet(name, "stopping_jobs.#"),
				testCheckLive(name, func(ctx context.Context) (attrWant, error) {
					st, err := c.GetSupvisorsState(ctx)
					if err != nil {
						return nil, err
					}
					m, err := c.GetMasterIdentifier(ctx)
					if err != nil {
						return nil, err
					}
					v, err := c.GetAPIVersion(ctx)
					if err != nil {
						return nil, err
					}
					sv, err := c.Supervisor().GetSupervisorVersion(ctx)
					if err != nil {
						return nil, err
					}
					id, err := c.Supervisor().GetIdentification(ctx)
					if err != nil {
						return nil, err
					}
					ss, err := c.Supervisor().GetState(ctx)
					if err != nil {
						return nil, err
					}
					w := attrWant{
						"identifier":                st.Identifier,
						"nick_identifier":           st.NickIdentifier,
						"fsm_statecode":             st.FSMStatecode,
						"fsm_statename":             string(st.FSMStatename),
						"degraded_mode":             st.DegradedMode,
						"discovery_mode":            st.DiscoveryMode,
						"master_identifier":         st.MasterIdentifier,
						"master_nick_identifier":    m.NickIdentifier,
						"api_version":               v,
						"supervisor_version":        sv,
						"supervisor_identification": id,
						"supervisor_statecode":      ss.Statecode,
						"supervisor_statename":      string(ss.Statename),
					}
					w.addMap("instance_states", st.InstanceStates)
					return w, nil
				}),
			),
		}},
	})
}

// TestAccStateDataSource_master reads supvisors_state through the Master instance (the harness' default
// provider block uses the first instance of the lab) and checks that it reports itself.
func TestAccStateDataSource_master(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel() // before looking at the cluster: sequential tests may change it (e.g. the Master) meanwhile
	master, _ := testAccDSMaster(t)
	const name = "data.supvisors_state.test"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccDSProviderBlock(master) + `data "supvisors_state" "test" {}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(name, "identifier", testAccLab.Identifier(master)),
				resource.TestCheckResourceAttr(name, "master_identifier", testAccLab.Identifier(master)),
				resource.TestMatchResourceAttr(name, "api_version", regexp.MustCompile(`^0\.19`)),
				resource.TestCheckResourceAttr(name, "instance_states.%", "3"),
				resource.TestCheckResourceAttr(name, "supervisor_statename", "RUNNING"),
			),
		}},
	})
}
