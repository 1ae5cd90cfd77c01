package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// NewApplicationListResource returns the supvisors_application list resource (terraform query).
func NewApplicationListResource() list.ListResource {
	return &applicationListResource{listBase{suffix: "_application"}}
}

// applicationListResource lists the managed applications of the cluster as supvisors_application resources.
type applicationListResource struct {
	listBase
}

// ListResourceConfigSchema describes the filters of the list block's config.
func (r *applicationListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the **managed** applications of the cluster (those the Supvisors rules declare) for " +
			"`terraform query` (Terraform 1.14 or later), each with its identity `{ name }`, so that " +
			"`terraform query -generate-config-out=FILE` writes a `supvisors_application` block and an `import` block " +
			"for each. Unmanaged groups are not applications Supvisors can start or stop: the `supvisors_process_group` " +
			"list resource lists them (with `managed = false`).\n\n" +
			"The display name says what runs where, e.g. `web (RUNNING): web_cache, web_server on 127.0.0.1:61002`. " +
			"With `include_resource = true` each result carries the resource as a refresh would read it, with " +
			"`strategy` left unset (the application's own rules strategy). A query made while the cluster settles (synchronisation, election, distribution) waits for a final " +
			"state, within the provider's ready_timeout. Every result of one query comes from one " +
			"read of the cluster. Terraform stops at the list block's `limit` (100 by default).",
		Attributes: listFilterAttributes("application", "name", ""),
	}
}

// List streams one result per managed application that passes the filters, sorted by name.
func (r *applicationListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg listFilterModel
	snap, f, ok := startList(ctx, r.data, req, stream, &cfg, func() listFilterModel { return cfg },
		settledSnapshot, "the Supvisors applications")
	if !ok {
		return
	}
	stream.Results = limited(req.Limit, func(push func(list.ListResult) bool) {
		for _, name := range snap.ManagedApplicationNames() {
			if result, ok := applicationListResult(ctx, req, snap, f, name); ok && !push(result) {
				return
			}
		}
	})
}

// applicationListResult is the result for application name, when it passes the filters.
func applicationListResult(ctx context.Context, req list.ListRequest, snap *supvisors.Snapshot, f listFilter, name string) (list.ListResult, bool) {
	info, _ := snap.Application(name)
	procs := snap.ProcessesOf(name)
	if info.Statename == supvisors.ApplicationDeleted {
		return list.ListResult{}, false
	}
	m, mdiags := applicationListModel(ctx, info, procs)
	if !f.keeps(name, m.State.ValueString(), procs) {
		return list.ListResult{}, false
	}
	result := listResult(ctx, req, fmt.Sprintf("%s (%s): %s", name, info.Statename, whereTheyRun(procs)),
		func(id *tfsdk.ResourceIdentity) diag.Diagnostics { return setApplicationIdentity(ctx, id, name) },
		func() (applicationResourceModel, diag.Diagnostics) { return m, nil })
	result.Diagnostics.Append(mdiags...)
	return result, true
}

// applicationListModel is the supvisors_application state that an import then a refresh of info would give,
// with strategy left unset.
func applicationListModel(ctx context.Context, info supvisors.ApplicationInfo, procs []supvisors.ProcessInfo) (applicationResourceModel, diag.Diagnostics) {
	m := applicationResourceModel{
		ID:              types.StringValue(info.ApplicationName),
		Name:            types.StringValue(info.ApplicationName),
		RestartTriggers: types.MapNull(types.StringType),
		StopOnDestroy:   types.BoolValue(true),
		Timeouts:        nullTimeouts(),
	}
	diags := m.setFromCluster(ctx, reconcile.Application{Info: info, Processes: procs})
	m.Strategy = types.StringNull()
	return m, diags
}

// nullTimeouts is an unset timeouts block with create, update and delete (both resources have these).
func nullTimeouts() timeouts.Value {
	return timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
		"create": types.StringType, "update": types.StringType, "delete": types.StringType,
	})}
}
