package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

// NewProcessesDataSource returns the supvisors_processes data source: the cluster-wide state of every
// process, or of the processes matching a namespec.
func NewProcessesDataSource() datasource.DataSource {
	return &processesDataSource{dataSourceBase{typeName: "processes"}}
}

type processesDataSource struct{ dataSourceBase }

type processesDataSourceModel struct {
	Namespec     types.String       `tfsdk:"namespec"`
	Processes    []processInfoModel `tfsdk:"processes"`
	ClusterState string             `tfsdk:"cluster_state"`
}

func (d *processesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The state of processes as Supvisors synthesises it over all instances: every process " +
			"(`supvisors.get_all_process_info`), or those matching `namespec` (`supvisors.get_process_info`). " +
			"The namespec format is checked at plan time; an unknown application or program is an error. Reads from " +
			"the DISTRIBUTION state on; earlier, the read waits up to the provider's `ready_timeout` for the cluster.\n\n" +
			"On a plain supervisord (no Supvisors plugin) it lists Supervisor's processes (`supervisor.getAllProcessInfo`): " +
			"`identifiers` holds the `host:port` of the provider's `url` while a process runs, `expected_exit` compares " +
			"the exit status with the program's `exitcodes`, and `last_event_mtime` and `extra_args` are null.",
		Attributes: map[string]schema.Attribute{
			"namespec": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "`application:program` or `application:*`. Omitted: every process of every " +
					"application, unmanaged ones included.",
				Validators: []validator.String{validators.Namespec()},
			},
			"processes": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The processes, sorted by namespec.",
				NestedObject:        schema.NestedAttributeObject{Attributes: processInfoAttributes()},
			},
			"cluster_state": clusterStateAttribute(),
		},
	}
}

func (d *processesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, c := d.begin(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	var namespec types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("namespec"), &namespec)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if pgIsPlain(ctx, c) {
		d.readPlain(ctx, c, namespec, resp) // processes_data_source_plain.go
		return
	}
	// The shared snapshot gives the cluster state (and every process when no namespec is given).
	snap, err := c.Snapshot(ctx)
	if err != nil {
		dsReadError(&resp.Diagnostics, "the Supvisors processes", err)
		return
	}
	processes := snap.Processes
	if !namespec.IsNull() {
		ns := namespec.ValueString()
		if processes, err = c.GetProcessInfo(ctx, ns); err != nil {
			dsNamespecName.readError(ctx, c, &resp.Diagnostics, ns, fmt.Sprintf("the Supvisors processes %q", ns), err)
			return
		}
	}
	m := processesDataSourceModel{Namespec: namespec, Processes: processInfoModels(processes),
		ClusterState: string(snap.State.FSMStatename)}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
