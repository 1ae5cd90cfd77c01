package validators

import (
	"context"
	"fmt"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CheckExtraArgs applies the rules for extra_args. They are appended to the program's command line, which
// Supervisor splits like a POSIX shell (shlex) when it spawns the process: unbalanced quotes or a trailing
// backslash would make every start fail with a spawn error, and a line break or another control character
// cannot be part of a command line.
func CheckExtraArgs(s string) error {
	for i, r := range s {
		if r == '\t' {
			continue
		}
		if unicode.IsControl(r) {
			return fmt.Errorf("character %d is the control character %q; extra arguments must fit on one command line", i, r)
		}
	}
	const (
		normal = iota
		single
		double
	)
	state := normal
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch state {
		case normal:
			switch c {
			case '\\':
				if i+1 == len(s) {
					return fmt.Errorf("it ends with a lone backslash, which escapes nothing (write \\\\ for a backslash)")
				}
				i++
			case '\'':
				state = single
			case '"':
				state = double
			}
		case single:
			if c == '\'' {
				state = normal
			}
		case double:
			switch c {
			case '\\':
				if i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
			case '"':
				state = normal
			}
		}
	}
	switch state {
	case single:
		return fmt.Errorf("a single quote (') is not closed; Supervisor splits the command line like a shell")
	case double:
		return fmt.Errorf(`a double quote (") is not closed; Supervisor splits the command line like a shell`)
	}
	return nil
}

// extraArgsValidator validates extra_args at plan time with CheckExtraArgs.
type extraArgsValidator struct{}

// ExtraArgs validates extra arguments appended to a program's command line (CheckExtraArgs).
func ExtraArgs() validator.String { return extraArgsValidator{} }

func (extraArgsValidator) Description(ctx context.Context) string {
	return "must fit on one command line: no control characters, balanced quotes, no trailing backslash"
}

func (v extraArgsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (extraArgsValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := CheckExtraArgs(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid extra_args",
			fmt.Sprintf("extra_args %q cannot be appended to a program's command line: %v.", req.ConfigValue.ValueString(), err))
	}
}
