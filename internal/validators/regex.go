package validators

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Regex returns a validator for a regular expression in Go (RE2) syntax, such as the name filters of the list
// resources.
func Regex() validator.String {
	return checkedBy("must be a regular expression in Go (RE2) syntax", "Invalid regular expression",
		func(s string) error { _, err := regexp.Compile(s); return err },
		func(s string, err error) string {
			return fmt.Sprintf("%q is not a valid regular expression "+
				"(Go RE2 syntax, e.g. \"^web\" or \"^(web|batch)$\"): %s.", s, err)
		})
}
