package validators

import (
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

// Duration returns a validator for a positive Go duration string such as "30s" or "2m".
func Duration() validator.String { return DurationAtLeast(0) }

// DurationAtLeast returns a validator for a Go duration string of at least min.
func DurationAtLeast(min time.Duration) validator.String {
	description := "must be a positive duration such as `30s` or `2m`"
	if min > 0 {
		description = fmt.Sprintf("must be a duration such as `30s` or `2m`, at least `%s`", min)
	}
	return checkedBy(description, "Invalid duration",
		func(s string) error { _, err := ParseDuration(s, min); return err }, sentence)
}
