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

func TestRestartApplicationInvokeOnFake(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), fakeApps()...)
	a := &restartApplicationAction{actionOnFake(t, cl)}

	// Strategy unset: the rules' (CONFIG for an empty starting_strategy).
	resp, text, lines := testInvoke(t, a, map[string]any{"name": "web"})
	if resp.Diagnostics.HasError() || !slices.Equal(cl.Sent(), []string{"restart_application web"}) {
		t.Fatalf("restart: %s %v", text, cl.Sent())
	}
	if len(lines) < 2 || lines[0] != "restarting application web (RUNNING: web_0 on n1) with strategy CONFIG (the starting_strategy of the rules of web)" ||
		lines[len(lines)-1] != "application web is RUNNING: web_0 on n1" {
		t.Errorf("progress: %q", lines)
	}
	_, _, lines = testInvoke(t, a, map[string]any{"name": "web", "strategy": "LESS_LOADED"})
	if len(lines) == 0 || !strings.HasSuffix(lines[0], "with strategy LESS_LOADED (as configured)") {
		t.Errorf("configured strategy: %q", lines)
	}

	// Refused before anything is sent: unknown and unmanaged applications.
	sent := len(cl.Sent())
	for name, want := range map[string]string{"nope": "Unknown Supvisors application", "tools": "Unmanaged Supvisors application"} {
		resp, text, _ := testInvoke(t, a, map[string]any{"name": name})
		if !resp.Diagnostics.HasError() || !strings.Contains(text, want) || !strings.Contains(text, "Nothing was restarted.") {
			t.Errorf("%s: %s", name, text)
		}
	}
	if len(cl.Sent()) != sent {
		t.Errorf("a refused restart sent %v", cl.Sent()[sent:])
	}

	// A restart that settles stopped names the processes.
	cl.Update("web", func(app *supvisorstest.App) { app.FailStart = true })
	if _, text, _ := testInvoke(t, a, map[string]any{"name": "web"}); !strings.Contains(text, "Could not restart application \"web\"") ||
		!strings.Contains(text, "web:web_0") {
		t.Errorf("failed restart: %s", text)
	}
}

func TestRestartApplicationInvokeReadErrors(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), fakeApps()...)
	a := &restartApplicationAction{actionOnFake(t, cl)}
	cl.Fail("supvisors.get_application_rules", supvisorstest.FaultFailed, "FAILED: rules")
	if _, text, _ := testInvoke(t, a, map[string]any{"name": "web"}); !strings.Contains(text, "Could not read the rules of application \"web\"") {
		t.Errorf("rules: %s", text)
	}
	cl.Fail("supvisors.get_all_applications_info", supvisorstest.FaultFailed, "FAILED: all")
	a.data.client.InvalidateSnapshot()
	if _, text, _ := testInvoke(t, a, map[string]any{"name": "web"}); !strings.Contains(text, "Could not restart application \"web\"") {
		t.Errorf("snapshot: %s", text)
	}
	if len(cl.Sent()) != 0 {
		t.Errorf("sent %v", cl.Sent())
	}
}

func TestRestartApplicationModifyPlanOnFake(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), fakeApps()...)
	a := &restartApplicationAction{actionOnFake(t, cl)}
	plan := func(vals map[string]any) string {
		resp := &action.ModifyPlanResponse{}
		a.ModifyPlan(context.Background(), action.ModifyPlanRequest{Config: testActionConfig(a, vals)}, resp)
		return diagsText(resp.Diagnostics)
	}
	if text := plan(map[string]any{"name": "web", "strategy": "CONFIG"}); text != "" {
		t.Errorf("valid: %s", text)
	}
	if text := plan(map[string]any{"name": "tools"}); !strings.Contains(text, "Unmanaged Supvisors application") {
		t.Errorf("unmanaged: %s", text)
	}
}

// An application without processes is restarted all the same (its rules may start none yet).
func TestRestartApplicationWithoutProcesses(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), &supvisorstest.App{Name: "empty", Managed: true, State: "RUNNING"})
	a := &restartApplicationAction{actionOnFake(t, cl)}
	resp, text, lines := testInvoke(t, a, map[string]any{"name": "empty"})
	if resp.Diagnostics.HasError() || !slices.Equal(cl.Sent(), []string{"restart_application empty"}) ||
		len(lines) != 2 || lines[1] != "application empty is RUNNING: no process" {
		t.Fatalf("%s %v %q", text, cl.Sent(), lines)
	}
}
