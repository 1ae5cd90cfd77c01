package provider

// The rules' strategy read at plan time. An unset `strategy` means the application's rules' own starting strategy
// (supvisors.Client.ResolveStrategy), which a start must read before it is sent. Terraform runs the plan and the
// apply in two provider processes, so a read in the apply walk would sit between each resource's turn and its start
// command; the plan reads it instead, for the applications it starts, and hands it to the apply in the resource's
// private state. The apply uses it when the plan is recent; an older saved plan reads the rules again.

import (
	"context"
	"encoding/json"
	"reflect"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// plannedStrategyKey is the private state key of the rules' strategy read at plan time.
const plannedStrategyKey = "rules_strategy"

// plannedStrategyMaxAge bounds how old the plan's reading may be when the apply uses it (a saved plan applied
// later reads the rules again: they change when Supvisors reloads its configuration).
const plannedStrategyMaxAge = 15 * time.Minute

// plannedStrategy is the private state value.
type plannedStrategy struct {
	Strategy supvisors.StartingStrategy `json:"strategy"`
	ReadAt   time.Time                  `json:"read_at"`
}

// privateGetter and privateSetter are the framework's private state data (ModifyPlanResponse.Private,
// UpdateRequest.Private).
type (
	privateGetter interface {
		GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	}
	privateSetter interface {
		SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
	}
)

// planRulesStrategy reads, at plan time, the rules' strategy of an application the plan starts or restarts with
// strategy unset, and records it in the planned private state (any other plan forgets an earlier reading). A
// failed read only skips it: the apply reads the rules as before and reports the error there.
func planRulesStrategy(ctx context.Context, c *supvisors.Client, name string, strategy types.String, action reconcile.Action, private privateSetter) {
	if missing(private) {
		return
	}
	if c == nil || (action != reconcile.Start && action != reconcile.Restart) || strategy.IsUnknown() || strategy.ValueString() != "" {
		private.SetKey(ctx, plannedStrategyKey, nil)
		return
	}
	s, err := c.ApplicationStrategy(ctx, name)
	if err != nil {
		tflog.Debug(ctx, "rules strategy not read at plan time; the apply reads it", map[string]any{"error": err.Error()})
		private.SetKey(ctx, plannedStrategyKey, nil)
		return
	}
	if value, err := json.Marshal(plannedStrategy{Strategy: s, ReadAt: time.Now().UTC()}); err == nil {
		private.SetKey(ctx, plannedStrategyKey, value)
	}
}

// rememberPlannedStrategy hands the rules' strategy the plan read (see planRulesStrategy) to the client, when the
// plan is recent enough, so that the start goes without reading the rules again; the reading is not kept in the
// new state's private data.
func rememberPlannedStrategy(ctx context.Context, c *supvisors.Client, name string, planned privateGetter, after privateSetter) {
	if !missing(after) {
		defer after.SetKey(ctx, plannedStrategyKey, nil)
	}
	if c == nil || missing(planned) {
		return
	}
	raw, diags := planned.GetKey(ctx, plannedStrategyKey)
	var p plannedStrategy
	if diags.HasError() || len(raw) == 0 || json.Unmarshal(raw, &p) != nil || p.Strategy == "" {
		return
	}
	if age := time.Since(p.ReadAt); age < 0 || age > plannedStrategyMaxAge {
		return
	}
	c.RememberApplicationStrategy(name, p.Strategy)
}

// missing reports a nil private state (a nil pointer in the interface, as in handler unit tests).
func missing(private any) bool {
	if private == nil {
		return true
	}
	v := reflect.ValueOf(private)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// clientOrNil returns the client of d, nil when the provider is not configured (yet): for what a plan only does
// when it can.
func (d *providerData) clientOrNil() *supvisors.Client {
	if d == nil {
		return nil
	}
	return d.client
}
