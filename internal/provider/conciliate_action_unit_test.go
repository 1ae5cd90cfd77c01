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

// conflictFake is a cluster in CONCILIATION: web:web_0 runs on n1 and n2.
func conflictFake(t *testing.T) (*conciliateAction, *supvisorstest.Cluster) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), &supvisorstest.App{Name: "web", Managed: true, State: "RUNNING",
		Processes: []*supvisorstest.Process{{Name: "web_0", State: "RUNNING", Identifiers: []string{"n2", "n1"}}}})
	cl.SetState("CONCILIATION")
	return &conciliateAction{actionOnFake(t, cl)}, cl
}

func TestConciliateInvokeOnFake(t *testing.T) {
	a, cl := conflictFake(t)
	resp, text, lines := testInvoke(t, a, map[string]any{"strategy": "SENICIDE"})
	want := []string{
		"conflict: web:web_0 RUNNING on n1, n2",
		"conciliating with strategy SENICIDE (as configured)",
		"web:web_0 RUNNING on n2",
		"conflicts resolved: the cluster is in OPERATION",
	}
	if resp.Diagnostics.HasError() || !slices.Equal(lines, want) || !slices.Equal(cl.Sent(), []string{"conciliate SENICIDE"}) {
		t.Fatalf("conciliate: %s\n%q\n%v", text, lines, cl.Sent())
	}

	// Outside CONCILIATION: the cluster's state, nothing sent.
	_, text, _ = testInvoke(t, a, map[string]any{"strategy": "SENICIDE"})
	if !strings.Contains(text, "not in CONCILIATION") || !strings.Contains(text, "The cluster is in OPERATION") ||
		!strings.Contains(text, "nothing was changed") || len(cl.Sent()) != 1 {
		t.Errorf("outside CONCILIATION: %s %v", text, cl.Sent())
	}
	// USER is refused by ValidateConfig, and Invoke does nothing with it.
	if resp, _, lines := testInvoke(t, a, map[string]any{"strategy": "USER"}); resp.Diagnostics.HasError() || len(lines) != 0 {
		t.Errorf("USER: %v %q", resp.Diagnostics, lines)
	}
	vresp := &action.ValidateConfigResponse{}
	a.ValidateConfig(context.Background(), action.ValidateConfigRequest{Config: testActionConfig(a, map[string]any{"strategy": "USER"})}, vresp)
	if text := diagsText(vresp.Diagnostics); !strings.Contains(text, "USER does not conciliate") || !strings.Contains(text, "SENICIDE") {
		t.Errorf("ValidateConfig USER: %s", text)
	}
}

func TestConciliateInvokeStrategyOfTheCluster(t *testing.T) {
	a, cl := conflictFake(t)
	// The cluster's own strategy is USER: refused at the strategy attribute.
	_, text, _ := testInvoke(t, a, map[string]any{})
	if !strings.Contains(text, "No conciliation strategy") || !strings.Contains(text, `is "USER"`) || len(cl.Sent()) != 0 {
		t.Fatalf("USER of the cluster: %s %v", text, cl.Sent())
	}
	cl.SetConciliation("INFANTICIDE")
	resp, text, lines := testInvoke(t, a, map[string]any{})
	if resp.Diagnostics.HasError() || !slices.Contains(lines, "conciliating with strategy INFANTICIDE (the cluster's conciliation strategy)") {
		t.Fatalf("the cluster's strategy: %s %q", text, lines)
	}
}

func TestConciliateInvokeFailures(t *testing.T) {
	a, cl := conflictFake(t)
	cl.Handle("supvisors.conciliate", supvisorstest.Value(false))
	if _, text, _ := testInvoke(t, a, map[string]any{"strategy": "STOP"}); !strings.Contains(text, "Could not conciliate the Supvisors cluster") ||
		!strings.Contains(text, "conciliate(STOP) was not applied") {
		t.Errorf("not applied: %s", text)
	}
	// Applied, but the cluster stays in CONCILIATION until the timeout.
	cl.Handle("supvisors.conciliate", supvisorstest.Value(true))
	if _, text, _ := testInvoke(t, a, map[string]any{"strategy": "STOP", "timeout": "1s"}); !strings.Contains(text, "it did not return to OPERATION") {
		t.Errorf("not back: %s", text)
	}
	// Back in OPERATION, but the conflict stays.
	cl.SetState("CONCILIATION")
	cl.Handle("supvisors.conciliate", func([]any) (any, error) {
		cl.SetState("OPERATION")
		return true, nil
	})
	if _, text, _ := testInvoke(t, a, map[string]any{"strategy": "STOP", "timeout": "1s"}); !strings.Contains(text, "conflicts remain after the timeout: web:web_0 RUNNING on n1, n2") {
		t.Errorf("conflicts remain: %s", text)
	}
	cl.SetState("CONCILIATION")
	cl.Fail("supvisors.get_conflicts", supvisorstest.FaultFailed, "FAILED: conflicts")
	if _, text, _ := testInvoke(t, a, map[string]any{"strategy": "STOP"}); !strings.Contains(text, "Could not conciliate the Supvisors cluster") ||
		!strings.Contains(text, "FAILED: conflicts") {
		t.Errorf("read fails: %s", text)
	}
	if _, text, _ := testInvoke(t, &conciliateAction{}, map[string]any{}); !strings.Contains(text, "Provider not configured") {
		t.Errorf("not configured: %s", text)
	}
}
