package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// TestAccApplicationDataSource compares supvisors_application with get_application_info and
// get_process_info("app:*") answered directly, for the managed `web` and the unmanaged `tools`; an unknown
// name is an error listing the known applications.
func TestAccApplicationDataSource(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel() // before looking at the cluster: sequential tests may change it (e.g. the Master) meanwhile
	_, i := testAccDSMaster(t)
	c := testAccDSClient(i)

	live := func(app string) resource.TestCheckFunc {
		return testCheckLive("data.supvisors_application."+app, func(ctx context.Context) (attrWant, error) {
			info, err := c.GetApplicationInfo(ctx, app)
			if err != nil {
				return nil, err
			}
			procs, err := c.GetProcessInfo(ctx, app+":*")
			if err != nil {
				return nil, err
			}
			w := attrWant{
				"name":          app,
				"managed":       info.Managed,
				"statecode":     info.Statecode,
				"statename":     string(info.Statename),
				"major_failure": info.MajorFailure,
				"minor_failure": info.MinorFailure,
				"processes.#":   len(procs),
			}
			sortProcesses(procs)
			for n, p := range procs {
				w.addProcess(fmt.Sprintf("processes.%d", n), p)
			}
			return w, nil
		})
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccDSProviderBlock(i) + `
data "supvisors_application" "web" {
  name = "web"
}
data "supvisors_application" "tools" {
  name = "tools"
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.supvisors_application.web", "managed", "true"),
					resource.TestCheckResourceAttr("data.supvisors_application.web", "processes.#", "2"),
					resource.TestCheckResourceAttr("data.supvisors_application.web", "processes.0.namespec", "web:web_cache"),
					resource.TestCheckResourceAttr("data.supvisors_application.web", "processes.1.namespec", "web:web_server"),
					resource.TestCheckResourceAttr("data.supvisors_application.tools", "managed", "false"),
					resource.TestCheckResourceAttr("data.supvisors_application.tools", "processes.0.namespec", "tools:tool"),
					live("web"),
					live("tools"),
				),
			},
			{
				Config: testAccDSProviderBlock(i) + `
data "supvisors_application" "nope" {
  name = "no_such_app"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Unknown Supvisors application.*no_such_app.*Known\s+applications:.*batch,.*web`),
			},
		},
	})
}

// sortProcesses sorts as the data sources do: by namespec.
func sortProcesses(procs []supvisors.ProcessInfo) {
	sort.SliceStable(procs, func(a, b int) bool { return procs[a].Namespec() < procs[b].Namespec() })
}
