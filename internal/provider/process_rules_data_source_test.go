package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccProcessRulesDataSource compares supvisors_process_rules with get_process_rules answered directly for
// `worker:*` (homogeneous group) and `batch:batch_init`; a malformed namespec
// is refused at plan time; an unknown application or program is an error that lists what exists.
func TestAccProcessRulesDataSource(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel() // before looking at the cluster: sequential tests may change it (e.g. the Master) meanwhile
	_, i := testAccDSMaster(t)
	c := testAccDSClient(i)

	live := func(name, namespec string) resource.TestCheckFunc {
		return testCheckLive("data.supvisors_process_rules."+name, func(ctx context.Context) (attrWant, error) {
			rules, err := c.GetProcessRules(ctx, namespec)
			if err != nil {
				return nil, err
			}
			sort.SliceStable(rules, func(a, b int) bool { return rules[a].Namespec() < rules[b].Namespec() })
			w := attrWant{"namespec": namespec, "rules.#": len(rules)}
			for n, r := range rules {
				p := fmt.Sprintf("rules.%d", n)
				w[p+".application_name"] = r.ApplicationName
				w[p+".process_name"] = r.ProcessName
				w[p+".namespec"] = r.Namespec()
				w.addList(p+".identifiers", r.Identifiers)
				w[p+".start_sequence"] = r.StartSequence
				w[p+".stop_sequence"] = r.StopSequence
				w[p+".required"] = r.Required
				w[p+".wait_exit"] = r.WaitExit
				w[p+".expected_loading"] = r.ExpectedLoading
				w[p+".starting_failure_strategy"] = r.StartingFailureStrategy
				w[p+".running_failure_strategy"] = r.RunningFailureStrategy
			}
			return w, nil
		})
	}
	config := func(namespec string) string {
		return testAccDSProviderBlock(i) + fmt.Sprintf(`
data "supvisors_process_rules" "test" {
  namespec = %q
}
`, namespec)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccDSProviderBlock(i) + `
data "supvisors_process_rules" "worker" {
  namespec = "worker:*"
}
data "supvisors_process_rules" "batch_init" {
  namespec = "batch:batch_init"
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.supvisors_process_rules.worker", "rules.#", "3"),
					resource.TestCheckResourceAttr("data.supvisors_process_rules.worker", "rules.0.namespec", "worker:worker_0"),
					resource.TestCheckResourceAttrSet("data.supvisors_process_rules.worker", "rules.0.identifiers.#"),
					resource.TestCheckResourceAttr("data.supvisors_process_rules.batch_init", "rules.#", "1"),
					resource.TestCheckResourceAttr("data.supvisors_process_rules.batch_init", "rules.0.wait_exit", "true"),
					resource.TestCheckResourceAttr("data.supvisors_process_rules.batch_init", "rules.0.required", "true"),
					live("worker", "worker:*"),
					live("batch_init", "batch:batch_init"),
				),
			},
			{
				Config:      config("worker"),
				ExpectError: regexp.MustCompile(`(?s)Invalid namespec.*worker:\*`),
			},
			{
				Config:      config("web:web server"),
				ExpectError: regexp.MustCompile(`Invalid namespec`),
			},
			{
				Config:      config("no_such_app:*"),
				ExpectError: regexp.MustCompile(`(?s)Unknown namespec.*no_such_app.*Known\s+applications:.*web`),
			},
			{
				Config:      config("web:no_such_program"),
				ExpectError: regexp.MustCompile(`(?s)Unknown namespec.*web:no_such_program.*web:web_cache.*web:web_server`),
			},
		},
	})
}
