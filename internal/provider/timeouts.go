package provider

import (
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// validateTimeouts refuses, at plan time, a zero or negative duration in a timeouts block. The block's own
// validator only checks the syntax, so `create = "-5m"` or `"0s"` would otherwise pass the plan and make the
// apply fail at once with a misleading "did not finish in time". Resources (and actions) call it from
// ValidateConfig with their timeouts value.
func validateTimeouts(v timeouts.Value, diags *diag.Diagnostics) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	attrs := v.Attributes()
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s, ok := attrs[name].(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		d, err := time.ParseDuration(s.ValueString())
		if err != nil || d > 0 {
			continue // syntax errors are reported by the block's own validator
		}
		diags.AddAttributeError(path.Root("timeouts").AtName(name), "Invalid timeout",
			fmt.Sprintf("timeouts.%s = %q is not a usable time limit: it must be positive, e.g. \"5m\" or \"90s\". "+
				"Remove it to get the default.", name, s.ValueString()))
	}
}
