package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// checkStrategyAtPlan refuses at plan time a `strategy` that the Supvisors release reached does not accept
// (LESS_LOADED_NODE and MOST_LOADED_NODE before 0.12), naming the value, the release and the strategies it
// accepts, so that the apply never reaches the command. Call it after the plan's snapshot read, if any: the
// release is detected with the first read (a plan costs no request for this check), or once here when nothing
// was read yet. Only the release's refusal is reported; a cluster that cannot be reached is reported by the
// reads and checked again at apply.
func checkStrategyAtPlan(ctx context.Context, c *supvisors.Client, strategy types.String, diags *diag.Diagnostics) {
	if c == nil || strategy.IsNull() || strategy.IsUnknown() || strategy.ValueString() == "" {
		return
	}
	err := c.CheckStartingStrategy(ctx, supvisors.StartingStrategy(strategy.ValueString()))
	if !errors.Is(err, supvisors.ErrUnsupported) {
		return
	}
	diags.AddAttributeError(path.Root("strategy"), "Starting strategy not supported by this Supvisors release",
		err.Error()+". Nothing was changed: set one of the valid strategies, or leave strategy unset to follow "+
			"the application's own rules.")
}
