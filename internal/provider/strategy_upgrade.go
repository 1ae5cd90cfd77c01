package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// strategySchemaVersion is the schema version of both resources since `strategy` lost its default. In version
// 0 it was Computed with the default "CONFIG", which every create and import that left it unset wrote into the
// state; since version 1 an unset strategy means the starting strategy of the application's own rules.
const strategySchemaVersion = 1

// strategyUpgradersOf is the UpgradeState of resource r: strategyStateUpgraders over r's current schema.
func strategyUpgradersOf(ctx context.Context, r resource.Resource) map[int64]resource.StateUpgrader {
	var sresp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sresp)
	return strategyStateUpgraders(ctx, sresp.Schema)
}

// strategyStateUpgraders is the UpgradeState of both resources: version 0 -> 1 turns `strategy = "CONFIG"`
// into null, so that a state written with the old default shows no diff against a configuration that never set
// a strategy, and the next start follows the rules. A configuration that does say `strategy = "CONFIG"` sees
// one in-place update (null -> "CONFIG") that changes nothing on the cluster: version 0 states cannot tell an
// explicit CONFIG from the default one, and a silent CONFIG is what the default broke.
func strategyStateUpgraders(ctx context.Context, current schema.Schema) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
			typ := current.Type().TerraformType(ctx)
			val, err := req.RawState.UnmarshalWithOpts(typ, tfprotov6.UnmarshalOpts{
				ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true},
			})
			if err != nil {
				resp.Diagnostics.AddError("Could not upgrade the state", "The version 0 state of the resource "+
					"cannot be read: "+err.Error()+". Remove it (terraform state rm) and import it again.")
				return
			}
			out, err := tftypes.Transform(val, dropDefaultStrategy)
			if err != nil {
				resp.Diagnostics.AddError("Could not upgrade the state", err.Error())
				return
			}
			dv, err := tfprotov6.NewDynamicValue(typ, out)
			if err != nil {
				resp.Diagnostics.AddError("Could not upgrade the state", err.Error())
				return
			}
			resp.DynamicValue = &dv
		}},
	}
}

// dropDefaultStrategy replaces the top-level strategy "CONFIG" by null (see strategyStateUpgraders).
func dropDefaultStrategy(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
	if !p.Equal(tftypes.NewAttributePath().WithAttributeName("strategy")) || !v.IsKnown() || v.IsNull() {
		return v, nil
	}
	var s string
	if err := v.As(&s); err == nil && s == string(supvisors.StrategyConfig) {
		return tftypes.NewValue(tftypes.String, nil), nil
	}
	return v, nil
}
