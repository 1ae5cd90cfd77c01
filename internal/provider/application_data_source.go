package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

var (
	_ datasource.DataSource              = (*applicationDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*applicationDataSource)(nil)
)

// NewApplicationDataSource returns the supvisors_application data source: one application and its processes.
func NewApplicationDataSource() datasource.DataSource {
	return &applicationDataSource{}
}

type applicationDataSource struct {
	dataSourceBase
}

type applicationDataSourceModel struct {
	Name         types.String       `tfsdk:"name"`
	Managed      bool               `tfsdk:"managed"`
	Statecode    int64              `tfsdk:"statecode"`
	Statename    string             `tfsdk:"statename"`
	MajorFailure bool               `tfsdk:"major_failure"`
	MinorFailure bool               `tfsdk:"minor_failure"`
	Processes    []processInfoModel `tfsdk:"processes"`
	ClusterState string             `tfsdk:"cluster_state"`
}

func (d *applicationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_application"
}

func (d *applicationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := applicationAttributes()
	delete(attrs, "application_name")
	attrs["name"] = schema.StringAttribute{
		Required:            true,
		MarkdownDescription: "Name of the application (the Supervisor group), managed or not.",
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
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
	what := fmt.Sprintf("Supvisors application %q", app)

	snap, err := c.Snapshot(ctx)
	if err != nil {
		dsReadError(&resp.Diagnostics, what, err)
		return
	}
	info, ok := snap.Application(app)
	processes := snap.ProcessesOf(app)
	if !ok {
		// Not in the shared snapshot: ask the server itself, which has the last word (and a BAD_NAME fault).
		info, err = c.GetApplicationInfo(ctx, app)
		if err != nil {
			if supvisors.IsFault(err, supvisors.FaultBadName) {
				resp.Diagnostics.AddAttributeError(path.Root("name"), "Unknown Supvisors application",
					fmt.Sprintf("Supvisors knows no application named %q. %s", app, knownApplicationsHint(ctx, c)))
				return
			}
			dsReadError(&resp.Diagnostics, what, err)
			return
		}
		if processes, err = c.GetProcessInfo(ctx, app+":*"); err != nil {
			dsReadError(&resp.Diagnostics, "the processes of "+what, err)
			return
		}
	}
	m := applicationDataSourceModel{
		Name:         types.StringValue(app),
		Managed:      info.Managed,
		Statecode:    int64(info.Statecode),
		Statename:    string(info.Statename),
		MajorFailure: info.MajorFailure,
		MinorFailure: info.MinorFailure,
		Processes:    processInfoModels(processes),
		ClusterState: string(snap.State.FSMStatename),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
