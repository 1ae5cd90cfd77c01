package provider

// Terraform-side helpers of the supvisors_process_group resource: import IDs and the extra_args and program
// rules of the configuration. Which processes a scope designates and how they turn into the resource's state
// are reconcile's (internal/reconcile/scope.go).

import (
	"fmt"
	"strings"

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
