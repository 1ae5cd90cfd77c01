package validators

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CheckName returns nil if s is a valid Supervisor group (application) or program name. Supervisor refuses
// names that are empty or contain a space, ':' or '/'; control characters cannot be sent either.
func CheckName(s string) error {
	if s == "" {
		return fmt.Errorf("the name is empty")
	}
	for _, r := range s {
		switch {
		case r == ':':
			return fmt.Errorf("%q contains ':', which separates the application from the program in a namespec; give the bare name", s)
		case r == '/':
			return fmt.Errorf("%q contains '/', which Supervisor does not allow in names", s)
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return fmt.Errorf("%q contains white space or a control character, which Supervisor does not allow in names", s)
		}
	}
	return nil
}

// CheckNamespec returns nil if s is a valid namespec for process calls: "application:program",
// "application:*" (every process of the application) or "application:" (the same). A bare name is refused
// because Supvisors reads "worker" as "worker:worker", which is rarely what was meant.
func CheckNamespec(s string) error {
	group, name, found := strings.Cut(s, ":")
	if !found {
		return fmt.Errorf("%q is not a namespec: write \"%s:*\" for every process of application %q, or \"%s:<program>\" for one program", s, s, s, s)
	}
	if err := CheckName(group); err != nil {
		return fmt.Errorf("invalid application part of namespec %q: %w", s, err)
	}
	if name == "" || name == "*" {
		return nil
	}
	if err := CheckName(name); err != nil {
		return fmt.Errorf("invalid program part of namespec %q: %w", s, err)
	}
	return nil
}

// Name returns a validator for an application (Supervisor group) or program name; kind names it in messages
// ("application name").
func Name(kind string) validator.String {
	return checkedBy("must be a non-empty name without spaces, `:` or `/`", "Invalid "+kind, CheckName, sentence)
}

// Namespec returns a validator for a process namespec: "application:program", "application:*" or "application:".
func Namespec() validator.String {
	return checkedBy("must be a namespec: `application:program`, `application:*` or `application:`",
		"Invalid namespec", CheckNamespec, sentence)
}
