package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccStrategiesDataSource compares supvisors_strategies with get_strategies and get_statistics_status
// answered directly by the instance the provider talks to.
func TestAccStrategiesDataSource(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel() // before looking at the cluster: sequential tests may change it (e.g. the Master) meanwhile
	_, i := testAccDSMaster(t)
	c := testAccDSClient(i)
	const name = "data.supvisors_strategies.test"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccDSProviderBlock(i) + `data "supvisors_strategies" "test" {}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				// the lab's configuration (internal/testlab/testdata/supervisord.conf.tmpl)
				resource.TestCheckResourceAttr(name, "starting", "CONFIG"),
				resource.TestCheckResourceAttr(name, "conciliation", "USER"),
				testCheckLive(name, func(ctx context.Context) (attrWant, error) {
					s, err := c.GetStrategies(ctx)
					if err != nil {
						return nil, err
					}
					st, err := c.GetStatisticsStatus(ctx)
					if err != nil {
						return nil, err
					}
					return attrWant{
						"auto_fencing":      s.AutoFencing,
						"starting":          s.Starting,
						"conciliation":      s.Conciliation,
						"supvisors_failure": s.SupvisorsFailure,
						"host_stats":        st.HostStats,
						"process_stats":     st.ProcessStats,
						"collecting_period": st.CollectingPeriod,
					}, nil
				}),
			),
		}},
	})
}
