package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// TestAccRestartProcessAction runs supvisors_restart_process through action_trigger on app_v: first one process
// with new extra arguments (only that process gets a new pid), then every process with the arguments each runs
// with (both get new pids, and app_v:main keeps its arguments).
func TestAccRestartProcessAction(t *testing.T) {
	testAccPreCheck(t)
	const app = "app_v"
	t.Cleanup(func() { testAccStopProcesses(t, app+":*") })
	var before map[string]string
	action := func(lines string) string {
		return `
action "supvisors_restart_process" "v" {
  config {
    ` + lines + `
  }
}
`
	}
	argsOf := func(namespec string) string {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		procs, err := testAccClient(t).GetProcessInfo(ctx, namespec)
		if err != nil || len(procs) != 1 {
			t.Fatalf("get_process_info(%s): %v %v", namespec, procs, err)
		}
		return procs[0].ExtraArgs
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   testAccNeedsActions,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					testAccStartProcesses(t, app+":*", "")
					before = testAccClusterPids(t, app+":*")
				},
				Config: testAccTriggeredAction(action("namespec = \"app_v:main\"\n    extra_args = \"-x 1\""),
					"action.supvisors_restart_process.v", "v1"),
				Check: func(*terraform.State) error {
					after := testAccClusterPids(t, app+":*")
					if after["app_v:main"] == "" || after["app_v:main"] == before["app_v:main"] {
						t.Errorf("app_v:main was not restarted: %v, then %v", before, after)
					}
					if after["app_v:side"] != before["app_v:side"] {
						t.Errorf("app_v:side was restarted too: %v, then %v", before, after)
					}
					if got := argsOf("app_v:main"); got != "-x 1" {
						t.Errorf("app_v:main runs with extra_args %q, want \"-x 1\"", got)
					}
					before = after
					return nil
				},
			},
			{
				Config: testAccTriggeredAction(action(`namespec = "app_v:*"`), "action.supvisors_restart_process.v", "v2"),
				Check: func(*terraform.State) error {
					after := testAccClusterPids(t, app+":*")
					for _, ns := range []string{"app_v:main", "app_v:side"} {
						if after[ns] == "" || after[ns] == before[ns] {
							t.Errorf("%s was not restarted: %v, then %v", ns, before, after)
						}
					}
					if got := argsOf("app_v:main"); got != "-x 1" {
						t.Errorf("app_v:main restarted with extra_args %q, want the ones it ran with (\"-x 1\")", got)
					}
					return nil
				},
			},
		},
	})
}

// TestAccRestartProcessActionErrors checks that bad inputs fail clearly and change nothing: a namespec of no
// process, of no application (both at plan time), a bare name and bad extra arguments.
func TestAccRestartProcessActionErrors(t *testing.T) {
	testAccPreCheck(t)
	webBefore := testAccClusterPids(t, "web:*")
	config := func(lines string) string { return testAccBadActionConfig("supvisors_restart_process", lines) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   testAccNeedsActions,
		Steps: []resource.TestStep{
			{
				Config:      config(`namespec = "web:nope"`),
				ExpectError: testAccErrorRe(`Unknown Supvisors process.*Application "web" has no process matching "web:nope".*web:web_server`),
			},
			{
				Config:      config(`namespec = "no_such_app:*"`),
				ExpectError: testAccErrorRe(`Unknown Supvisors process.*no application named "no_such_app"`),
			},
			{
				Config:      config(`namespec = "web"`),
				ExpectError: testAccErrorRe(`"web" is not a namespec`),
			},
			{
				Config:      config("namespec = \"web:web_server\"\n    extra_args = \"'unbalanced\""),
				ExpectError: testAccErrorRe(`Invalid extra_args.*single quote`),
			},
			testAccWebUnchangedStep(t, webBefore),
		},
	})
}
