package validators

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// ParseDuration parses a Go duration string ("30s", "2m", "1m30s") that must be at least min (and positive).
func ParseDuration(s string, min time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: use a number with a unit, e.g. \"30s\", \"2m\" or \"1m30s\"", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive", s)
	}
	if d < min {
		return 0, fmt.Errorf("%q is too short: the minimum is %s", s, min)
	}
	return d, nil
}

type durationValidator struct{ min time.Duration }

// Duration returns a validator for a positive Go duration string such as "30s" or "2m".
func Duration() validator.String { return durationValidator{} }

// DurationAtLeast returns a validator for a Go duration string of at least min.
func DurationAtLeast(min time.Duration) validator.String { return durationValidator{min: min} }

func (v durationValidator) Description(ctx context.Context) string { return v.MarkdownDescription(ctx) }

func (v durationValidator) MarkdownDescription(context.Context) string {
	if v.min > 0 {
		return fmt.Sprintf("must be a duration such as `30s` or `2m`, at least `%s`", v.min)
	}
	return "must be a positive duration such as `30s` or `2m`"
}

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := ParseDuration(req.ConfigValue.ValueString(), v.min); err != nil {
		errorAt(resp, req.Path, "Invalid duration", err.Error()+".")
	}
}
