package provider

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func poolApp() *supvisorstest.App {
	return &supvisorstest.App{Name: "pool", Managed: true, State: "RUNNING", Processes: []*supvisorstest.Process{
		{Name: "pool_0", State: "RUNNING", Identifiers: []string{"n1"}, ExtraArgs: "-a"},
		{Name: "pool_1", State: "RUNNING", Identifiers: []string{"n2"}, ExtraArgs: "-b"},
		{Name: "idle", State: "STOPPED"},
	}}
}

func TestRestartProcessInvokeOnFake(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), poolApp())
	a := &restartProcessAction{actionOnFake(t, cl)}

	// One process with new arguments: one call.
	resp, text, lines := testInvoke(t, a, map[string]any{"namespec": "pool:pool_0", "extra_args": "-x 1"})
	if resp.Diagnostics.HasError() || !slices.Equal(cl.Sent(), []string{"restart_process pool:pool_0"}) {
		t.Fatalf("restart: %s %v", text, cl.Sent())
	}
	if len(lines) < 2 || lines[0] != "restarting pool:pool_0 with strategy CONFIG (the starting_strategy of the rules of pool): pool_0 on n1" ||
		lines[len(lines)-1] != "pool:pool_0 restarted: pool_0 on n1" {
		t.Errorf("progress: %q", lines)
	}
	a.data.client.InvalidateSnapshot()

	// A stopped process refuses the restart, with what to do.
	_, text, _ = testInvoke(t, a, map[string]any{"namespec": "pool:idle", "strategy": "CONFIG"})
	if !strings.Contains(text, "Could not restart pool:idle") || !strings.Contains(text, "pool:idle is not running") ||
		!strings.Contains(text, "supvisors_process_group") {
		t.Errorf("not running: %s", text)
	}

	// An unknown namespec is refused before anything is sent, with the processes the application has.
	sent := len(cl.Sent())
	_, text, _ = testInvoke(t, a, map[string]any{"namespec": "pool:nope"})
	if !strings.Contains(text, "Unknown Supvisors process") || !strings.Contains(text, "pool:pool_0") ||
		!strings.Contains(text, "Nothing was restarted.") || len(cl.Sent()) != sent {
		t.Errorf("unknown: %s %v", text, cl.Sent())
	}
}

func TestRestartProcessInvokeEveryProcess(t *testing.T) {
	app := poolApp()
	app.Processes = app.Processes[:2]
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), app)
	a := &restartProcessAction{actionOnFake(t, cl)}
	// Different arguments and none configured: one call per process, each with its own.
	resp, text, _ := testInvoke(t, a, map[string]any{"namespec": "pool:*", "strategy": "LESS_LOADED"})
	if resp.Diagnostics.HasError() || !slices.Equal(cl.Sent(), []string{"restart_process pool:pool_0", "restart_process pool:pool_1"}) {
		t.Fatalf("restart: %s %v", text, cl.Sent())
	}
	// A failure of the wait is the client's error.
	cl.Fail("supvisors.get_process_info", supvisorstest.FaultFailed, "FAILED: boom")
	if _, text, _ := testInvoke(t, a, map[string]any{"namespec": "pool:*", "strategy": "CONFIG"}); !strings.Contains(text, "Could not restart pool:*") ||
		!strings.Contains(text, "boom") {
		t.Errorf("wait fails: %s", text)
	}
}

func TestRestartProcessModifyPlanOnFake(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), poolApp())
	a := &restartProcessAction{actionOnFake(t, cl)}
	plan := func(vals map[string]any) string {
		resp := &action.ModifyPlanResponse{}
		a.ModifyPlan(context.Background(), action.ModifyPlanRequest{Config: testActionConfig(a, vals)}, resp)
		return diagsText(resp.Diagnostics)
	}
	if text := plan(map[string]any{"namespec": "pool:*"}); text != "" {
		t.Errorf("valid: %s", text)
	}
	if text := plan(map[string]any{"namespec": "pool:nope"}); !strings.Contains(text, "Unknown Supvisors process") {
		t.Errorf("unknown: %s", text)
	}
	cl.Fail("supvisors.get_all_applications_info", supvisorstest.FaultFailed, "FAILED")
	a.data.client.InvalidateSnapshot()
	if text := plan(map[string]any{"namespec": "pool:*"}); !strings.Contains(text, "Could not check \"pool:*\" against the cluster") {
		t.Errorf("snapshot fails: %s", text)
	}
}
