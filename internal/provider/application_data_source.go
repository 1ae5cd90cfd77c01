package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// NewApplicationDataSource returns the supvisors_application data source: one application and its processes.
func NewApplicationDataSource() datasource.DataSource {
	return &applicationDataSource{dataSourceBase{typeName: "application"}}
}

type applicationDataSource struct{ dataSourceBase }

type applicationDataSourceModel struct {
	Name types.String `tfsdk:"name"`
	applicationStateModel
	Processes    []processInfoModel `tfsdk:"processes"`
	ClusterState string             `tfsdk:"cluster_state"`
}

func (d *applicationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := applicationAttributes()
	delete(attrs, "application_name")
	attrs["name"] = dsNameAttribute("Name of the application (the Supervisor group), managed or not.")
	attrs["processes"] = schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: "The processes of the application (`supvisors.get_process_info(\"name:*\")`), sorted by namespec.",
		NestedObject:        schema.NestedAttributeObject{Attributes: processInfoAttributes()},
	}
	attrs["cluster_state"] = clusterStateAttribute()
	resp.Schema = schema.Schema{
		MarkdownDescription: "One application (`supvisors.get_application_info`) with its processes. An unknown name is " +
			"an error that lists the known applications. Reads from the DISTRIBUTION state on; earlier, the read waits " +
			"up to the provider's `ready_timeout` for the cluster.",
		Attributes: attrs,
	}
}

func (d *applicationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, c, app := d.beginWith(ctx, req.Config, "name", &resp.Diagnostics)
	if c == nil {
		return
	}
	snap, err := c.Snapshot(ctx)
	if err != nil {
		dsReadError(&resp.Diagnostics, applicationWhat(app), err)
		return
	}
	info, processes, ok := readApplication(ctx, c, snap, app, &resp.Diagnostics)
	if !ok {
		return
	}
	m := applicationDataSourceModel{
		Name:                  types.StringValue(app),
		applicationStateModel: newApplicationStateModel(info),
		Processes:             processInfoModels(processes),
		ClusterState:          string(snap.State.FSMStatename),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// readApplication returns application app and its processes: from the shared snapshot, else from the server
// itself, which has the last word (and a BAD_NAME fault for an unknown name). ok is false when diags got an
// error.
func readApplication(ctx context.Context, c *supvisors.Client, snap *supvisors.Snapshot, app string, diags *diag.Diagnostics) (supvisors.ApplicationInfo, []supvisors.ProcessInfo, bool) {
	if info, ok := snap.Application(app); ok {
		return info, snap.ProcessesOf(app), true
	}
	info, err := c.GetApplicationInfo(ctx, app)
	if err != nil {
		dsApplicationName.readError(ctx, c, diags, app, applicationWhat(app), err)
		return info, nil, false
	}
	processes, err := c.GetProcessInfo(ctx, app+":*")
	if err != nil {
		dsReadError(diags, "the processes of "+applicationWhat(app), err)
		return info, nil, false
	}
	return info, processes, true
}

// applicationWhat names application app in the errors of its data sources.
func applicationWhat(app string) string { return fmt.Sprintf("Supvisors application %q", app) }
