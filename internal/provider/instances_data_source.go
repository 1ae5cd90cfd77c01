package provider

import (
	"context"
	"errors"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// NewInstancesDataSource returns the supvisors_instances data source: every instance of the cluster, merged
// with its own view of the cluster (the "address info" of the old Supvisors API).
func NewInstancesDataSource() datasource.DataSource {
	return &instancesDataSource{dataSourceBase{typeName: "instances"}}
}

type instancesDataSource struct{ dataSourceBase }

type instancesDataSourceModel struct {
	Identifiers []string        `tfsdk:"identifiers"`
	Instances   []instanceModel `tfsdk:"instances"`
}

func (d *instancesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every Supvisors instance of the cluster (`supvisors.get_all_instances_info`), each merged by " +
			"identifier with its own view of the cluster (`supvisors.get_all_instances_state_modes`): what the old Supvisors " +
			"API called the \"address info\". The instance states and tick counters are as seen by the instance the " +
			"provider is connected to. Reads in every cluster state.",
		Attributes: map[string]schema.Attribute{
			"identifiers": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Identifiers (`host:port`) of all the instances, sorted; the order of `instances`.",
			},
			"instances": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The instances, sorted by identifier.",
				NestedObject:        schema.NestedAttributeObject{Attributes: instanceAttributes()},
			},
		},
	}
}

func (d *instancesDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, c := d.begin(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	infos, err := c.GetAllInstancesInfo(ctx)
	if err != nil {
		dsReadError(&resp.Diagnostics, "the Supvisors instances", err)
		return
	}
	modes, err := c.GetAllInstancesStateModes(ctx)
	if errors.Is(err, supvisors.ErrUnsupported) { // before Supvisors 0.19: state_modes is null
		modes, err = nil, nil
	}
	if err != nil {
		dsReadError(&resp.Diagnostics, "the state and modes of the Supvisors instances", err)
		return
	}
	byID := make(map[string]*instanceStateModesModel, len(modes))
	for _, sm := range modes {
		byID[sm.Identifier] = newInstanceStateModesModel(sm)
	}
	m := instancesDataSourceModel{
		Identifiers: make([]string, 0, len(infos)),
		Instances:   make([]instanceModel, 0, len(infos)),
	}
	for _, info := range infos {
		im := newInstanceModel(info)
		im.StateModes = byID[info.Identifier]
		m.Instances = append(m.Instances, im)
	}
	sort.Slice(m.Instances, func(i, j int) bool { return m.Instances[i].Identifier < m.Instances[j].Identifier })
	for _, im := range m.Instances {
		m.Identifiers = append(m.Identifiers, im.Identifier)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
