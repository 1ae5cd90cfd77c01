package validators

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// StringCheck makes a string validator from a description and a check that needs the caller's knowledge (the
// supvisors_rpc allowlist, say). check returns the summary and detail of the error for a bad value, or two empty
// strings. Null and unknown values are not checked.
func StringCheck(description string, check func(value string) (summary, detail string)) validator.String {
	return stringCheck{description: description, check: check}
}

type stringCheck struct {
	description string
	check       func(string) (string, string)
}

func (v stringCheck) Description(context.Context) string { return v.description }

func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if summary, detail := v.check(req.ConfigValue.ValueString()); summary != "" {
		resp.Diagnostics.AddAttributeError(req.Path, summary, detail)
	}
}

// checkedBy makes a string validator from a description and a check whose error refuses a value: the
// diagnostic has the summary and detail(value, err) as its detail. Null and unknown values are not checked.
func checkedBy(description, summary string, check func(string) error, detail func(value string, err error) string) validator.String {
	return StringCheck(description, func(value string) (string, string) {
		if err := check(value); err != nil {
			return summary, detail(value, err)
		}
		return "", ""
	})
}

// sentence is the detail of most checks: the error's message ended with a period.
func sentence(_ string, err error) string { return err.Error() + "." }

// DynamicCheck makes a dynamic-value validator from a description, the summary of its error, and a check that
// returns the error (its message is the detail) for a bad value. Null and unknown values are not checked; a
// value that is only partly known is the check's to skip (by returning nil).
func DynamicCheck(description, summary string, check func(types.Dynamic) error) validator.Dynamic {
	return dynamicCheck{description: description, summary: summary, check: check}
}

type dynamicCheck struct {
	description, summary string
	check                func(types.Dynamic) error
}

func (v dynamicCheck) Description(context.Context) string { return v.description }

func (v dynamicCheck) MarkdownDescription(context.Context) string { return v.description }

func (v dynamicCheck) ValidateDynamic(_ context.Context, req validator.DynamicRequest, resp *validator.DynamicResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.IsUnderlyingValueUnknown() {
		return
	}
	if err := v.check(req.ConfigValue); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, err.Error())
	}
}
