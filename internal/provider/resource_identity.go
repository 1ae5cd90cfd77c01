package provider

// Resource identity (Terraform 1.12+, OpenTofu 1.12+) of supvisors_application and supvisors_process_group, and
// the import by identity (`import { to = ..., identity = { ... } }`) next to the string import IDs. Older CLIs
// ignore identities; the resources work as before there.

import (
	"context"
	"fmt"
	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

var (
	_ resource.ResourceWithIdentity = (*applicationResource)(nil)
	_ resource.ResourceWithIdentity = (*processGroupResource)(nil)
)

// applicationIdentityModel is the identity of a supvisors_application: the application name.
type applicationIdentityModel struct {
	Name types.String `tfsdk:"name"`
}

// processGroupIdentityModel is the identity of a supvisors_process_group: the application and, for one program,
// the program (null for every process of the application).
type processGroupIdentityModel struct {
	Application types.String `tfsdk:"application"`
	Program     types.String `tfsdk:"program"`
}

// IdentitySchema describes the identity of supvisors_application.
func (r *applicationResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"name": identityschema.StringAttribute{
				Description:       "Name of the managed application, as in the Supvisors rules.",
				RequiredForImport: true,
			},
		},
	}
}

// IdentitySchema describes the identity of supvisors_process_group.
func (r *processGroupResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"application": identityschema.StringAttribute{
				Description:       "Name of the application (Supervisor group), managed or not.",
				RequiredForImport: true,
			},
			"program": identityschema.StringAttribute{
				Description: "The program (a process name, or a homogeneous program standing for all its " +
					"processes); null, omitted or \"*\" for every process of the application.",
				OptionalForImport: true,
			},
		},
	}
}

// The resources set their identity at the start of Read, whatever follows (a refresh, a resource removed because
// it vanished, no refresh without a configured provider): a CLI older than 1.12 stores none, so the framework
// needs one from every successful Read.

// identityName is the application name of a state; an old import may have set only the id.
func (m applicationResourceModel) identityName() string {
	if n := m.Name.ValueString(); n != "" {
		return n
	}
	return m.ID.ValueString()
}

// setApplicationIdentity records the identity of application name; id may be nil (no identity support).
func setApplicationIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, name string) diag.Diagnostics {
	if id == nil {
		return nil
	}
	return id.Set(ctx, applicationIdentityModel{Name: types.StringValue(name)})
}

// setProcessGroupIdentity records the identity of scope s; id may be nil (no identity support).
func setProcessGroupIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, s reconcile.Scope) diag.Diagnostics {
	if id == nil {
		return nil
	}
	m := processGroupIdentityModel{Application: types.StringValue(s.App), Program: types.StringNull()}
	if !s.WholeApp() {
		m.Program = types.StringValue(s.Program)
	}
	return id.Set(ctx, m)
}

// applicationImportName returns the application an import designates: the import ID (`terraform import`, an
// import block with `id`) or the identity's name (an import block with `identity`). ok is false after a
// diagnostic that names the bad value and what is valid.
func applicationImportName(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) (name string, ok bool) {
	summary, what := "Invalid import ID", "The import ID of supvisors_application is the application name"
	name = req.ID
	if req.ID == "" && req.Identity != nil {
		var m applicationIdentityModel
		if diags.Append(req.Identity.Get(ctx, &m)...); diags.HasError() {
			return "", false
		}
		summary, what = "Invalid import identity", "The identity of supvisors_application is { name = \"<application>\" }"
		name = m.Name.ValueString()
	}
	if err := validators.CheckName(name); err != nil {
		diags.AddError(summary, fmt.Sprintf("%s: %s.", what, err))
		return "", false
	}
	return name, true
}

// processGroupImportScope returns the scope an import designates: the import ID `application:*` or
// `application:program`, or the identity { application, program } (program null, omitted or "*" for every
// process of the application). ok is false after a diagnostic.
func processGroupImportScope(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) (reconcile.Scope, bool) {
	id := req.ID
	if id == "" && req.Identity != nil {
		var m processGroupIdentityModel
		if diags.Append(req.Identity.Get(ctx, &m)...); diags.HasError() {
			return reconcile.Scope{}, false
		}
		app, prog := m.Application.ValueString(), m.Program.ValueString()
		if prog == "" {
			prog = "*"
		}
		if err := validators.CheckName(app); err != nil {
			diags.AddError("Invalid import identity", fmt.Sprintf("The identity of supvisors_process_group is "+
				"{ application = \"<application>\", program = \"<program>\" } (program omitted for every process "+
				"of the application), and the application given is not valid: %s.", err))
			return reconcile.Scope{}, false
		}
		id = app + ":" + prog
	}
	s, err := pgParseID(id)
	if err != nil {
		diags.AddError("Invalid import ID", sentence(err.Error()))
		return reconcile.Scope{}, false
	}
	return s, true
}
