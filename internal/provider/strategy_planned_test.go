package provider

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// testPrivate is a private state: what the framework hands to ModifyPlan and Update.
type testPrivate map[string][]byte

func (p testPrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return p[key], nil
}

func (p testPrivate) SetKey(_ context.Context, key string, value []byte) diag.Diagnostics {
	if len(value) == 0 {
		delete(p, key)
	} else {
		p[key] = value
	}
	return nil
}

// A plan that starts an application with strategy unset reads its rules' strategy and hands it to the apply,
// which starts without reading the rules again; any other plan reads nothing and forgets an earlier reading; an
// old saved plan's reading is not used.
func TestPlannedRulesStrategy(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), &supvisorstest.App{
		Name: "batch", Managed: true, State: "STOPPED", Strategy: "LESS_LOADED",
		Processes: []*supvisorstest.Process{{Name: "job", State: "STOPPED"}},
	})
	ctx := context.Background()
	plan := fakeClient(t, cl.URL(), nil)
	private := testPrivate{}

	for _, tc := range []struct {
		action   reconcile.Action
		strategy types.String
	}{
		{reconcile.None, types.StringNull()},
		{reconcile.Stop, types.StringNull()},
		{reconcile.Start, types.StringValue("MOST_LOADED")},
		{reconcile.Start, types.StringUnknown()},
	} {
		private[plannedStrategyKey] = []byte(`{"strategy":"LOCAL"}`)
		planRulesStrategy(ctx, plan, "batch", tc.strategy, tc.action, private)
		if len(private) != 0 || cl.Count("supvisors.get_application_rules") != 0 {
			t.Fatalf("%v %v: private %q, %v", tc.action, tc.strategy, private, cl.Sent())
		}
	}
	planRulesStrategy(ctx, plan, "batch", types.StringNull(), reconcile.Start, private)
	var got plannedStrategy
	if err := json.Unmarshal(private[plannedStrategyKey], &got); err != nil || got.Strategy != supvisors.StrategyLessLoaded ||
		cl.Count("supvisors.get_application_rules") != 1 {
		t.Fatalf("planned start: %q %v, %v", private, err, cl.Sent())
	}

	// The apply (another process: another client) uses it and does not keep it in the new state.
	apply := fakeClient(t, cl.URL(), nil)
	after := testPrivate{plannedStrategyKey: private[plannedStrategyKey]}
	rememberPlannedStrategy(ctx, apply, "batch", private, after)
	if s, err := apply.ResolveStrategy(ctx, "batch", ""); err != nil || s != supvisors.StrategyLessLoaded ||
		cl.Count("supvisors.get_application_rules") != 1 || len(after) != 0 {
		t.Fatalf("apply: %s %v, %v, after %q", s, err, cl.Sent(), after)
	}

	// A reading older than plannedStrategyMaxAge (a saved plan applied later) is read again.
	old, _ := json.Marshal(plannedStrategy{Strategy: supvisors.StrategyLocal, ReadAt: time.Now().Add(-plannedStrategyMaxAge - time.Minute)})
	late := fakeClient(t, cl.URL(), nil)
	rememberPlannedStrategy(ctx, late, "batch", testPrivate{plannedStrategyKey: old}, nil)
	if s, err := late.ResolveStrategy(ctx, "batch", ""); err != nil || s != supvisors.StrategyLessLoaded ||
		cl.Count("supvisors.get_application_rules") != 2 {
		t.Fatalf("old plan: %s %v, %v", s, err, cl.Sent())
	}

	// A read that fails at plan time only skips it; no client, no private state: nothing happens.
	planRulesStrategy(ctx, plan, "nope", types.StringNull(), reconcile.Restart, private)
	if _, ok := private[plannedStrategyKey]; ok {
		t.Fatalf("failed read kept %q", private)
	}
	planRulesStrategy(ctx, nil, "batch", types.StringNull(), reconcile.Start, private)
	rememberPlannedStrategy(ctx, nil, "batch", private, nil)
	var none *testPrivate
	planRulesStrategy(ctx, plan, "batch", types.StringNull(), reconcile.Start, none)
}
