package validators

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// programValidator refuses a program that would be read as a pattern: omit program for every process.
type programValidator struct{}

// Program refuses a program that would be read as a pattern ("*"): every process is written by omitting it.
func Program() validator.String { return programValidator{} }

func (programValidator) Description(context.Context) string {
	return "a process or program name; omit the attribute (rather than \"*\") for every process of the application"
}

func (v programValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (programValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if strings.Contains(req.ConfigValue.ValueString(), "*") {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid program",
			fmt.Sprintf("program %q is not a name: to manage every process of the application, omit program "+
				"(the resource ID is then \"<application>:*\").", req.ConfigValue.ValueString()))
	}
}
