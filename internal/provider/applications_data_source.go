package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// NewApplicationsDataSource returns the supvisors_applications data source: every application known to
// Supvisors, managed or not.
func NewApplicationsDataSource() datasource.DataSource {
	return &applicationsDataSource{dataSourceBase{typeName: "applications"}}
}

type applicationsDataSource struct{ dataSourceBase }

type applicationsDataSourceModel struct {
	Names        []string           `tfsdk:"names"`
	Applications []applicationModel `tfsdk:"applications"`
	ClusterState string             `tfsdk:"cluster_state"`
}

// applicationModel is get_application_info without now_monotonic (the clock of the answering instance).
type applicationModel struct {
	ApplicationName string `tfsdk:"application_name"`
	applicationStateModel
}

// applicationStateModel is what get_application_info tells of an application besides its name: the attributes
// that supvisors_application and the elements of supvisors_applications share.
type applicationStateModel struct {
	Managed      bool   `tfsdk:"managed"`
	Statecode    int64  `tfsdk:"statecode"`
	Statename    string `tfsdk:"statename"`
	MajorFailure bool   `tfsdk:"major_failure"`
	MinorFailure bool   `tfsdk:"minor_failure"`
}

func newApplicationModel(a supvisors.ApplicationInfo) applicationModel {
	return applicationModel{ApplicationName: a.ApplicationName, applicationStateModel: newApplicationStateModel(a)}
}

func newApplicationStateModel(a supvisors.ApplicationInfo) applicationStateModel {
	return applicationStateModel{
		Managed:      a.Managed,
		Statecode:    int64(a.Statecode),
		Statename:    string(a.Statename),
		MajorFailure: a.MajorFailure,
		MinorFailure: a.MinorFailure,
	}
}

func applicationAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"application_name": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Name of the application (the Supervisor group).",
		},
		"managed": schema.BoolAttribute{
			Computed: true,
			MarkdownDescription: "Whether the application is declared in the Supvisors rules. Unmanaged groups are listed " +
				"too; Supvisors does not start or stop them as applications (their processes can be).",
		},
		"statecode": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Application state code (`0` STOPPED, `1` STARTING, `2` RUNNING, `3` STOPPING, `4` DELETED). Prefer `statename`.",
		},
		"statename": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Application state: `STOPPED`, `STARTING`, `RUNNING`, `STOPPING` or `DELETED`.",
		},
		"major_failure": schema.BoolAttribute{
			Computed:            true,
			MarkdownDescription: "Whether a required process of the application is in failure.",
		},
		"minor_failure": schema.BoolAttribute{
			Computed:            true,
			MarkdownDescription: "Whether an optional process of the application is in failure.",
		},
	}
}

func (d *applicationsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every application known to Supvisors (`supvisors.get_all_applications_info`), unmanaged " +
			"Supervisor groups included (with `managed = false`). Reads from the DISTRIBUTION state on; earlier, the " +
			"read waits up to the provider's `ready_timeout` for the cluster.",
		Attributes: map[string]schema.Attribute{
			"names": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Names of all the applications, sorted; the order of `applications`.",
			},
			"applications": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The applications, sorted by name.",
				NestedObject:        schema.NestedAttributeObject{Attributes: applicationAttributes()},
			},
			"cluster_state": clusterStateAttribute(),
		},
	}
}

func (d *applicationsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, c := d.begin(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	snap, err := c.Snapshot(ctx)
	if err != nil {
		dsReadError(&resp.Diagnostics, "the Supvisors applications", err)
		return
	}
	m := applicationsDataSourceModel{
		Names:        make([]string, 0, len(snap.Applications)),
		Applications: make([]applicationModel, 0, len(snap.Applications)),
		ClusterState: string(snap.State.FSMStatename),
	}
	for _, a := range snap.Applications {
		m.Applications = append(m.Applications, newApplicationModel(a))
	}
	sort.Slice(m.Applications, func(i, j int) bool {
		return m.Applications[i].ApplicationName < m.Applications[j].ApplicationName
	})
	for _, a := range m.Applications {
		m.Names = append(m.Names, a.ApplicationName)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
