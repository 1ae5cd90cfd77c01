package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// TestAccRestartApplicationAction runs supvisors_restart_application through action_trigger on app_u: once with
// the rules' strategy (strategy unset), once with an explicit one; each run must give every process a new pid.
func TestAccRestartApplicationAction(t *testing.T) {
	testAccPreCheck(t)
	const app = "app_u"
	t.Cleanup(func() { testAccStopProcesses(t, app+":*") })
	var before map[string]string
	restarted := func(*terraform.State) error {
		after := testAccPids(t, app+":*")
		if len(after) != 2 {
			t.Errorf("%s should run both processes after the action: %v", app, after)
		}
		for ns, pid := range before {
			if after[ns] == pid {
				t.Errorf("%s was not restarted by the action: pid@instance %s before and after", ns, pid)
			}
		}
		before = after
		return nil
	}
	action := func(strategy string) string {
		return `
action "supvisors_restart_application" "u" {
  config {
    name = "app_u"
    ` + strategy + `
  }
}
`
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   testAccNeedsActions,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					testAccStartProcesses(t, app+":*", "")
					before = testAccPids(t, app+":*")
				},
				Config: testAccTriggeredAction(action(""), "action.supvisors_restart_application.u", "v1"),
				Check:  restarted,
			},
			{
				Config: testAccTriggeredAction(action(`strategy = "LESS_LOADED"`), "action.supvisors_restart_application.u", "v2"),
				Check:  restarted,
			},
		},
	})
}

// TestAccRestartApplicationActionErrors checks that bad inputs fail with a clear error and change nothing: an
// unknown application, an unmanaged group (both checked against the cluster at plan time, and again when the
// action runs), a bad strategy and a bad timeout.
func TestAccRestartApplicationActionErrors(t *testing.T) {
	testAccPreCheck(t)
	webBefore := testAccPids(t, "web:*")
	// Each step changes the trigger's input, so that an apply would run the action.
	config := func(lines string) string {
		return testAccTriggeredAction(`
action "supvisors_restart_application" "bad" {
  config {
    `+lines+`
  }
}
`, "action.supvisors_restart_application.bad", lines)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   testAccNeedsActions,
		Steps: []resource.TestStep{
			{
				Config:      config(`name = "no_such_app"`),
				ExpectError: testAccErrorRe(`Unknown Supvisors application.*"no_such_app".*Managed applications:.*"web"`),
			},
			{
				Config:      config(`name = "tools"`),
				ExpectError: testAccErrorRe(`Unmanaged Supvisors application.*"tools" is an unmanaged group`),
			},
			{
				Config:      config("name = \"web\"\n    strategy = \"FASTEST\""),
				ExpectError: testAccErrorRe(`"FASTEST" is not a valid starting strategy`),
			},
			{
				Config:      config("name = \"web\"\n    timeout = \"soon\""),
				ExpectError: testAccErrorRe(`Invalid duration.*"soon"`),
			},
			{
				Config: testAccProviderBlock() + "data \"supvisors_state\" \"s\" {}\n",
				Check: func(*terraform.State) error {
					if got := testAccPids(t, "web:*"); !sameMap(got, webBefore) {
						t.Errorf("a refused action changed web: pids %v, then %v", webBefore, got)
					}
					return nil
				},
			},
		},
	})
}
