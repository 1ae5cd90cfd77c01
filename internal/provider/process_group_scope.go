package provider

// Terraform-side helpers of the supvisors_process_group resource: import IDs and the extra_args and program
// rules of the configuration. Which processes a scope designates and how they turn into the resource's state
// are reconcile's (internal/reconcile/scope.go).

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

// pgParseID parses an import ID "application:*" or "application:program".
func pgParseID(id string) (reconcile.Scope, error) {
	const form = `the import ID must be "<application>:*" (every process of the application) or ` +
		`"<application>:<program>" (one program), e.g. "worker:*" or "web:web_server"`
	app, prog, found := strings.Cut(id, ":")
	if !found {
		if err := validators.CheckName(id); err == nil {
			return reconcile.Scope{}, fmt.Errorf("%q has no ':': %s; for every process of %q use %q", id, form, id, id+":*")
		}
		return reconcile.Scope{}, fmt.Errorf("%q is not a namespec: %s", id, form)
	}
	if err := validators.CheckName(app); err != nil {
		return reconcile.Scope{}, fmt.Errorf("invalid application part of %q (%v): %s", id, err, form)
	}
	if prog == "*" {
		return reconcile.Scope{App: app}, nil
	}
	if prog == "" {
		return reconcile.Scope{}, fmt.Errorf("%q has an empty program part: %s (use %q for every process)", id, form, app+":*")
	}
	if strings.Contains(prog, "*") {
		return reconcile.Scope{}, fmt.Errorf("%q: wildcards other than a lone '*' are not supported: %s", id, form)
	}
	if err := validators.CheckName(prog); err != nil {
		return reconcile.Scope{}, fmt.Errorf("invalid program part of %q (%v): %s", id, err, form)
	}
	return reconcile.Scope{App: app, Program: prog}, nil
}

// pgCheckExtraArgs applies the rules for extra_args. They are appended to the program's command line, which
// Supervisor splits like a POSIX shell (shlex) when it spawns the process: unbalanced quotes or a trailing
// backslash would make every start fail with a spawn error, and a line break or another control character
// cannot be part of a command line.
func pgCheckExtraArgs(s string) error {
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

// pgExtraArgsValidator validates extra_args at plan time with pgCheckExtraArgs.
type pgExtraArgsValidator struct{}

var _ validator.String = pgExtraArgsValidator{}

func (pgExtraArgsValidator) Description(ctx context.Context) string {
	return "must fit on one command line: no control characters, balanced quotes, no trailing backslash"
}

func (v pgExtraArgsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (pgExtraArgsValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := pgCheckExtraArgs(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid extra_args",
			fmt.Sprintf("extra_args %q cannot be appended to a program's command line: %v.", req.ConfigValue.ValueString(), err))
	}
}

// pgProgramValidator refuses a program that would be read as a pattern: omit program for every process.
type pgProgramValidator struct{}

var _ validator.String = pgProgramValidator{}

func (pgProgramValidator) Description(context.Context) string {
	return "a process or program name; omit the attribute (rather than \"*\") for every process of the application"
}

func (v pgProgramValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (pgProgramValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if strings.Contains(req.ConfigValue.ValueString(), "*") {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid program",
			fmt.Sprintf("program %q is not a name: to manage every process of the application, omit program "+
				"(the resource ID is then \"<application>:*\").", req.ConfigValue.ValueString()))
	}
}
