package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// dataSourceBase carries what every data source of the provider needs: its type name and the client handed
// over by the provider's Configure. Data sources embed it and get Metadata and Configure for free.
type dataSourceBase struct {
	typeName string // after the provider's prefix: "application" for supvisors_application
	data     *providerData
}

// Metadata names the data source: the provider's type name, "_", typeName.
func (d *dataSourceBase) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.typeName
}

// Configure stores the provider data. It is called with nil provider data while Terraform validates a
// configuration before the provider is configured; that is not an error.
func (d *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.data = pd
	}
}

// begin opens a Read: the configured client (see configuredClient; nil when diags got an error) and the log
// masking of the password (see providerData.logContext).
func (d *dataSourceBase) begin(ctx context.Context, diags *diag.Diagnostics) (context.Context, *supvisors.Client) {
	c := configuredClient(d.data, "data source", diags)
	if c == nil {
		return ctx, nil
	}
	return d.data.logContext(ctx), c
}

// beginWith is begin for a data source read by one string argument, whose value it returns.
func (d *dataSourceBase) beginWith(ctx context.Context, config tfsdk.Config, attribute string, diags *diag.Diagnostics) (context.Context, *supvisors.Client, string) {
	ctx, c := d.begin(ctx, diags)
	if c == nil {
		return ctx, nil, ""
	}
	var v types.String
	diags.Append(config.GetAttribute(ctx, path.Root(attribute), &v)...)
	if diags.HasError() {
		return ctx, nil, ""
	}
	return ctx, c, v.ValueString()
}

// dsReadError turns a client error met while reading a data source into a diagnostic whose summary names
// what was being read; the detail is the provider's shared explanation of client errors (a cluster that
// stayed in a state refusing the call for ready_timeout is named with that state and what to do).
func dsReadError(diags *diag.Diagnostics, what string, err error) {
	diags.Append(clientReadErrorDiagnostic("Could not read "+what, err))
}

// dsNameKind is a kind of name that a data source is read by (an application, a namespec, an instance): the
// attribute that gives it, and how to explain a name the cluster does not know.
type dsNameKind struct {
	attribute string
	summary   string
	// detail explains why name is unknown; it may ask the cluster what it knows.
	detail func(ctx context.Context, c *supvisors.Client, name string) string
}

var (
	// dsApplicationName is the name of an application (supvisors_application, supvisors_application_rules).
	dsApplicationName = dsNameKind{attribute: "name", summary: "Unknown Supvisors application", detail: unknownApplicationDetail}
	// dsNamespecName is a namespec (supvisors_processes, supvisors_process_rules).
	dsNamespecName = dsNameKind{attribute: "namespec", summary: "Unknown namespec", detail: unknownNamespecDetail}
	// dsInstanceName is an instance identifier or nickname (supvisors_instance; supvisors_rpc's instance).
	dsInstanceName = dsNameKind{attribute: "identifier", summary: "Unknown Supvisors instance", detail: unknownInstanceDetail}
)

// readError reports err, met while reading what by name: a BAD_NAME fault (the cluster knows no such name) as
// the kind's error on its attribute, anything else through dsReadError.
func (k dsNameKind) readError(ctx context.Context, c *supvisors.Client, diags *diag.Diagnostics, name, what string, err error) {
	if supvisors.IsFault(err, supvisors.FaultBadName) {
		k.unknown(ctx, c, diags, path.Root(k.attribute), name)
		return
	}
	dsReadError(diags, what, err)
}

// unknown adds the error of a name the cluster does not know, on the attribute at.
func (k dsNameKind) unknown(ctx context.Context, c *supvisors.Client, diags *diag.Diagnostics, at path.Path, name string) {
	diags.AddAttributeError(at, k.summary, k.detail(ctx, c, name))
}

// unknownApplicationDetail explains an unknown application name with the list of the known ones.
func unknownApplicationDetail(ctx context.Context, c *supvisors.Client, app string) string {
	return fmt.Sprintf("Supvisors knows no application named %q. %s", app, knownApplicationsHint(ctx, c))
}

// unknownInstanceDetail explains an unknown instance identifier or nickname with the list of the known instances.
func unknownInstanceDetail(ctx context.Context, c *supvisors.Client, id string) string {
	return fmt.Sprintf("No Supvisors instance is named %q: give its identifier (host:port) or its nickname. %s",
		id, knownInstancesHint(ctx, c))
}

// unknownNamespecDetail explains a BAD_NAME answer to a namespec: an unknown application lists the known
// applications, an unknown program lists the processes of the application.
func unknownNamespecDetail(ctx context.Context, c *supvisors.Client, namespec string) string {
	app, _, _ := strings.Cut(namespec, ":")
	snap, err := c.Snapshot(ctx)
	if err != nil {
		return fmt.Sprintf("Supvisors knows no process %q.", namespec)
	}
	if _, ok := snap.Application(app); !ok {
		return fmt.Sprintf("Supvisors knows no application named %q (in namespec %q). %s",
			app, namespec, knownApplicationsHint(ctx, c))
	}
	procs := snap.ProcessesOf(app)
	names := make([]string, 0, len(procs))
	for _, p := range procs {
		names = append(names, p.Namespec())
	}
	sort.Strings(names)
	return fmt.Sprintf("Application %q has no process matching %q. Its processes: %s (or %q for all of them).",
		app, namespec, strings.Join(names, ", "), app+":*")
}

// knownApplicationsHint lists the applications known to the cluster, for "unknown application" errors. It
// returns "" when the list cannot be read (the caller's error is more important than this hint).
func knownApplicationsHint(ctx context.Context, c *supvisors.Client) string {
	snap, err := c.Snapshot(ctx)
	if err != nil {
		return ""
	}
	names := snap.ApplicationNames()
	if len(names) == 0 {
		return "The cluster knows no application."
	}
	return "Known applications: " + strings.Join(names, ", ") + "."
}

// knownInstancesHint lists the instances of the cluster as "host:port (nick)", for "unknown identifier" errors.
func knownInstancesHint(ctx context.Context, c *supvisors.Client) string {
	infos, err := c.GetAllInstancesInfo(ctx)
	if err != nil {
		return ""
	}
	known := make([]string, 0, len(infos))
	for _, info := range infos {
		known = append(known, fmt.Sprintf("%s (%s)", info.Identifier, info.NickIdentifier))
	}
	sort.Strings(known)
	return "Known instances: " + strings.Join(known, ", ") + "."
}

// stringsOrEmpty returns s, or an empty non-nil slice, so that an empty list reads as [] and not null.
func stringsOrEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// sortedStrings returns a sorted copy of s (never nil).
func sortedStrings(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

// stringValueOrNull maps the empty string to null; used where Supvisors sends "" for "none yet".
func stringValueOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// dsNameAttribute is the required, non-empty string attribute that a data source is read by.
func dsNameAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		Required:            true,
		MarkdownDescription: description,
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
}
