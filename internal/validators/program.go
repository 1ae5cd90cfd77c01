package validators

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Program refuses a program that would be read as a pattern ("*"): every process is written by omitting it.
func Program() validator.String {
	return checkedBy("a process or program name; omit the attribute (rather than \"*\") for every process of the application",
		"Invalid program", checkProgram, func(s string, _ error) string {
			return fmt.Sprintf("program %q is not a name: to manage every process of the application, omit program "+
				"(the resource ID is then \"<application>:*\").", s)
		})
}

// checkProgram refuses a program holding "*", which Supervisor would read as a pattern.
func checkProgram(s string) error {
	if strings.Contains(s, "*") {
		return errors.New("a pattern")
	}
	return nil
}
