package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccProcessesDataSource compares supvisors_processes with get_all_process_info (no namespec) and
// get_process_info (namespec) answered directly. Processes that other tests start and stop concurrently are
// compared on their names only; `worker:*` (auto-started, untouched by tests) is compared field by field.
func TestAccProcessesDataSource(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel() // before looking at the cluster: sequential tests may change it (e.g. the Master) meanwhile
	_, i := testAccDSMaster(t)
	c := testAccDSClient(i)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccDSProviderBlock(i) + `
data "supvisors_processes" "all" {}
data "supvisors_processes" "worker" {
  namespec = "worker:*"
}
data "supvisors_processes" "web_server" {
  namespec = "web:web_server"
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckNoResourceAttr("data.supvisors_processes.all", "namespec"),
					resource.TestCheckTypeSetElemNestedAttrs("data.supvisors_processes.all", "processes.*", map[string]string{
						"namespec": "tools:tool",
					}),
					resource.TestCheckResourceAttr("data.supvisors_processes.worker", "processes.#", "3"),
					resource.TestCheckResourceAttr("data.supvisors_processes.web_server", "processes.#", "1"),
					resource.TestCheckResourceAttr("data.supvisors_processes.web_server", "processes.0.namespec", "web:web_server"),
					testCheckLive("data.supvisors_processes.all", func(ctx context.Context) (attrWant, error) {
						procs, err := c.GetAllProcessInfo(ctx)
						if err != nil {
							return nil, err
						}
						sortProcesses(procs)
						w := attrWant{"processes.#": len(procs)}
						for n, p := range procs {
							pre := fmt.Sprintf("processes.%d", n)
							w[pre+".application_name"] = p.ApplicationName
							w[pre+".process_name"] = p.ProcessName
							w[pre+".namespec"] = p.Namespec()
							if p.ApplicationName == "worker" {
								w.addProcess(pre, p)
							}
						}
						return w, nil
					}),
					testCheckLive("data.supvisors_processes.worker", func(ctx context.Context) (attrWant, error) {
						procs, err := c.GetProcessInfo(ctx, "worker:*")
						if err != nil {
							return nil, err
						}
						sortProcesses(procs)
						w := attrWant{"namespec": "worker:*", "processes.#": len(procs)}
						for n, p := range procs {
							w.addProcess(fmt.Sprintf("processes.%d", n), p)
						}
						return w, nil
					}),
				),
			},
			{
				Config: testAccDSProviderBlock(i) + `
data "supvisors_processes" "bad" {
  namespec = "worker"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Invalid namespec.*worker:\*`),
			},
			{
				Config: testAccDSProviderBlock(i) + `
data "supvisors_processes" "nope" {
  namespec = "worker:no_such_process"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Unknown namespec.*worker:no_such_process.*worker:worker_0`),
			},
		},
	})
}
