package provider

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccApplicationsDataSource compares supvisors_applications with get_all_applications_info answered
// directly: every application (unmanaged `tools` included) with its managed flag; the states of the
// applications other tests may start or stop concurrently are compared only for the auto-started ones that
// no test touches (web, worker).
func TestAccApplicationsDataSource(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel() // before looking at the cluster: sequential tests may change it (e.g. the Master) meanwhile
	_, i := testAccDSMaster(t)
	c := testAccDSClient(i)
	const name = "data.supvisors_applications.test"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccDSProviderBlock(i) + `data "supvisors_applications" "test" {}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckTypeSetElemNestedAttrs(name, "applications.*", map[string]string{
					"application_name": "tools",
					"managed":          "false",
				}),
				resource.TestCheckTypeSetElemNestedAttrs(name, "applications.*", map[string]string{
					"application_name": "web",
					"managed":          "true",
				}),
				testCheckLive(name, func(ctx context.Context) (attrWant, error) {
					apps, err := c.GetAllApplicationsInfo(ctx)
					if err != nil {
						return nil, err
					}
					sort.Slice(apps, func(a, b int) bool { return apps[a].ApplicationName < apps[b].ApplicationName })
					w := attrWant{"applications.#": len(apps)}
					names := make([]string, 0, len(apps))
					for n, a := range apps {
						names = append(names, a.ApplicationName)
						p := fmt.Sprintf("applications.%d", n)
						w[p+".application_name"] = a.ApplicationName
						w[p+".managed"] = a.Managed
						if a.ApplicationName == "web" || a.ApplicationName == "worker" {
							w[p+".statecode"] = a.Statecode
							w[p+".statename"] = string(a.Statename)
							w[p+".major_failure"] = a.MajorFailure
							w[p+".minor_failure"] = a.MinorFailure
						}
					}
					w.addList("names", names)
					return w, nil
				}),
			),
		}},
	})
}
