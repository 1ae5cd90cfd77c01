package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// NewConflictsDataSource returns the supvisors_conflicts data source: the processes running on more than one
// instance although their rules allow one.
func NewConflictsDataSource() datasource.DataSource {
	return &conflictsDataSource{dataSourceBase{typeName: "conflicts"}}
}

type conflictsDataSource struct{ dataSourceBase }

type conflictsDataSourceModel struct {
	Namespecs []string           `tfsdk:"namespecs"`
	Conflicts []processInfoModel `tfsdk:"conflicts"`
}

func (d *conflictsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The conflicts of the cluster (`supvisors.get_conflicts`): processes of managed " +
			"applications running on several instances at once. While there are conflicts the cluster is in " +
			"`CONCILIATION` and refuses starts; resolve them with `supvisors.conciliate` (e.g. `supvisorsctl conciliate " +
			"SENICIDE`) or by stopping the extra processes. Reads from the DISTRIBUTION state on, CONCILIATION included.",
		Attributes: map[string]schema.Attribute{
			"namespecs": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Namespecs of the conflicting processes, sorted; empty when there is no conflict.",
			},
			"conflicts": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The conflicting processes, sorted by namespec; `identifiers` lists every instance each one runs on.",
				NestedObject:        schema.NestedAttributeObject{Attributes: processInfoAttributes()},
			},
		},
	}
}

func (d *conflictsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, c := d.begin(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	conflicts, err := c.GetConflicts(ctx)
	if err != nil {
		dsReadError(&resp.Diagnostics, "the Supvisors conflicts", err)
		return
	}
	m := conflictsDataSourceModel{Conflicts: processInfoModels(conflicts)}
	m.Namespecs = make([]string, 0, len(m.Conflicts))
	for _, p := range m.Conflicts {
		m.Namespecs = append(m.Namespecs, p.Namespec)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
