package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// TestAccRestartApplicationAction runs supvisors_restart_application through action_trigger on app_u: once with
// the rules' strategy (strategy unset), once with an explicit one; each run must give every process a new pid.
func TestAccRestartApplicationAction(t *testing.T) {
	testAccPreCheck(t)
	const app = "app_u"
	t.Cleanup(func() { testAccStopProcesses(t, app+":*") })
	var before map[string]string
	restarted := func(*terraform.State) error {
		after := testAccClusterPids(t, app+":*")
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
					before = testAccClusterPids(t, app+":*")
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
	webBefore := testAccClusterPids(t, "web:*")
	config := func(lines string) string { return testAccBadActionConfig("supvisors_restart_application", lines) }
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
			testAccWebUnchangedStep(t, webBefore),
		},
	})
}

// testAccBadActionConfig is the configuration of action typ "bad" with the config lines, triggered with lines as
// the trigger's input (each step changes it, so that an apply would run the action).
func testAccBadActionConfig(typ, lines string) string {
	return testAccTriggeredAction(`
action "`+typ+`" "bad" {
  config {
    `+lines+`
  }
}
`, "action."+typ+".bad", lines)
}

// testAccWebUnchangedStep is the last step of the refused-action tests: a valid configuration, checking that no
// refused action changed web (the same pids as before).
func testAccWebUnchangedStep(t *testing.T, webBefore map[string]string) resource.TestStep {
	return resource.TestStep{
		Config: testAccProviderBlock() + "data \"supvisors_state\" \"s\" {}\n",
		Check: func(*terraform.State) error {
			if got := testAccClusterPids(t, "web:*"); !sameMap(got, webBefore) {
				t.Errorf("a refused action changed web: pids %v, then %v", webBefore, got)
			}
			return nil
		},
	}
}

// TestAccRestartApplicationAction_cancel: an interrupt (Ctrl-C) reaches the action as a cancelled context. The
// lab application slow ignores SIGTERM, so its stop lasts about 3 s (stopwaitsecs, then SIGKILL); the context is
// cancelled as soon as the restart has begun (slow leaves RUNNING), and Invoke must then return at once with a
// diagnostic saying it was interrupted, while slow is still on its way (not RUNNING again). No timing bound is
// asserted. The action is invoked directly, so this runs with every CLI.
func TestAccRestartApplicationAction_cancel(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel()
	const app = "slow"
	c := testAccClient(t)
	ctx := context.Background()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _, _ = c.WaitApplication(ctx, app, supvisors.ApplicationRunning)
		if err := c.StopApplication(ctx, app, true); err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
			t.Errorf("cleanup: stop %s: %v", app, err)
		}
	})
	if err := c.StartApplication(ctx, supvisors.StrategyConfig, app, true); err != nil && !supvisors.IsFault(err, supvisors.FaultAlreadyStarted) {
		t.Fatalf("start %s: %v", app, err)
	}

	a := &restartApplicationAction{actionBase{data: &providerData{client: c}}}
	var sresp action.SchemaResponse
	a.Schema(ctx, action.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	raw := map[string]tftypes.Value{
		"name":     tftypes.NewValue(tftypes.String, app),
		"strategy": tftypes.NewValue(tftypes.String, nil),
		"timeout":  tftypes.NewValue(tftypes.String, nil),
	}
	req := action.InvokeRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, raw)}}
	var lines []string
	resp := &action.InvokeResponse{SendProgress: func(e action.InvokeProgressEvent) { lines = append(lines, e.Message) }}

	cctx, interrupt := context.WithCancel(ctx)
	go func() {
		defer interrupt()
		for cctx.Err() == nil {
			if info, err := c.GetApplicationInfo(ctx, app); err == nil && info.Statename != supvisors.ApplicationRunning {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	a.Invoke(cctx, req, resp)

	info, err := c.GetApplicationInfo(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	if info.Statename == supvisors.ApplicationRunning {
		t.Errorf("Invoke returned with %s RUNNING again: it did not stop waiting when interrupted", app)
	}
	if !resp.Diagnostics.HasError() {
		t.Fatalf("an interrupted action must fail; progress: %v", lines)
	}
	var text strings.Builder
	for _, d := range resp.Diagnostics.Errors() {
		text.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	if !strings.Contains(text.String(), "cancelled (interrupted)") {
		t.Errorf("the diagnostic should say the action was interrupted, got:\n%s", text.String())
	}
	if len(lines) == 0 || !strings.Contains(lines[0], "restarting application slow") {
		t.Errorf("the first progress line should announce the restart: %v", lines)
	}
}
