package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccApplicationRulesDataSource compares supvisors_application_rules with get_application_rules answered
// directly: every rule of the managed `web` and `batch` (defaults), only managed = false and null rules for
// the unmanaged `tools`, and an error listing the known applications for an unknown name.
func TestAccApplicationRulesDataSource(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel() // before looking at the cluster: sequential tests may change it (e.g. the Master) meanwhile
	_, i := testAccDSMaster(t)
	c := testAccDSClient(i)

	live := func(app string) resource.TestCheckFunc {
		return testCheckLive("data.supvisors_application_rules."+app, func(ctx context.Context) (attrWant, error) {
			r, err := c.GetApplicationRules(ctx, app)
			if err != nil {
				return nil, err
			}
			w := attrWant{"name": app, "managed": r.Managed}
			if !r.Managed {
				for _, k := range []string{"distribution", "identifiers", "start_sequence", "stop_sequence",
					"starting_strategy", "starting_failure_strategy", "running_failure_strategy", "status_formula"} {
					w[k] = nil
				}
				w["identifiers.#"] = nil
				return w, nil
			}
			w["distribution"] = r.Distribution
			w.addList("identifiers", r.Identifiers)
			w["start_sequence"] = r.StartSequence
			w["stop_sequence"] = r.StopSequence
			w["starting_strategy"] = r.StartingStrategy
			w["starting_failure_strategy"] = r.StartingFailureStrategy
			w["running_failure_strategy"] = r.RunningFailureStrategy
			w["status_formula"] = r.StatusFormula
			return w, nil
		})
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccDSProviderBlock(i) + `
data "supvisors_application_rules" "web" {
  name = "web"
}
data "supvisors_application_rules" "batch" {
  name = "batch"
}
data "supvisors_application_rules" "tools" {
  name = "tools"
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					// from the lab's rules file (internal/testlab/testdata/rules.xml.tmpl)
					resource.TestCheckResourceAttr("data.supvisors_application_rules.web", "distribution", "SINGLE_INSTANCE"),
					resource.TestCheckResourceAttr("data.supvisors_application_rules.web", "start_sequence", "1"),
					resource.TestCheckResourceAttr("data.supvisors_application_rules.web", "starting_failure_strategy", "STOP"),
					resource.TestCheckResourceAttr("data.supvisors_application_rules.web", "status_formula", "all('web_.*')"),
					resource.TestCheckResourceAttr("data.supvisors_application_rules.batch", "start_sequence", "0"),
					resource.TestCheckResourceAttr("data.supvisors_application_rules.batch", "status_formula", ""),
					resource.TestCheckResourceAttr("data.supvisors_application_rules.tools", "managed", "false"),
					resource.TestCheckNoResourceAttr("data.supvisors_application_rules.tools", "distribution"),
					resource.TestCheckNoResourceAttr("data.supvisors_application_rules.tools", "start_sequence"),
					live("web"),
					live("batch"),
					live("tools"),
				),
			},
			{
				Config: testAccDSProviderBlock(i) + `
data "supvisors_application_rules" "nope" {
  name = "no_such_app"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Unknown Supvisors application.*no_such_app.*Known\s+applications:.*web`),
			},
		},
	})
}
