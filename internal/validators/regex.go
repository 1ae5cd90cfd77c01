package validators

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

type regexValidator struct{}

// Regex returns a validator for a regular expression in Go (RE2) syntax, such as the name filters of the list
// resources.
func Regex() validator.String { return regexValidator{} }

func (v regexValidator) Description(ctx context.Context) string { return v.MarkdownDescription(ctx) }

func (regexValidator) MarkdownDescription(context.Context) string {
	return "must be a regular expression in Go (RE2) syntax"
}

func (regexValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := regexp.Compile(req.ConfigValue.ValueString()); err != nil {
		errorAt(resp, req.Path, "Invalid regular expression", fmt.Sprintf("%q is not a valid regular expression "+
			"(Go RE2 syntax, e.g. \"^web\" or \"^(web|batch)$\"): %s.", req.ConfigValue.ValueString(), err))
	}
}
