package provider

import (
	"context"
	"errors"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

// NewStrategiesDataSource returns the supvisors_strategies data source: the cluster-wide strategies and the
// statistics settings of the instance the provider talks to.
func NewStrategiesDataSource() datasource.DataSource {
	return &strategiesDataSource{dataSourceBase{typeName: "strategies"}}
}

type strategiesDataSource struct{ dataSourceBase }

type strategiesDataSourceModel struct {
	AutoFencing      bool          `tfsdk:"auto_fencing"`
	Starting         string        `tfsdk:"starting"`
	Conciliation     string        `tfsdk:"conciliation"`
	SupvisorsFailure types.String  `tfsdk:"supvisors_failure"` // null before Supvisors 0.19
	HostStats        types.Bool    `tfsdk:"host_stats"`        // null before Supvisors 0.18
	ProcessStats     types.Bool    `tfsdk:"process_stats"`     // null before Supvisors 0.18
	CollectingPeriod types.Float64 `tfsdk:"collecting_period"` // null before Supvisors 0.18
}

func (d *strategiesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The default strategies of the cluster (`supvisors.get_strategies`) and the statistics " +
			"settings (`supvisors.get_statistics_status`) of the instance the provider is connected to. " +
			"The four strategies are identical on every instance (Supvisors isolates instances whose strategies differ). " +
			"Reads in every cluster state.",
		Attributes: map[string]schema.Attribute{
			"auto_fencing": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether an instance that stops answering is isolated for good (`auto-fencing` on the wire, option `auto_fence`).",
			},
			"starting": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Default starting strategy (option `starting_strategy`): `CONFIG`, `LESS_LOADED`, " +
					"`MOST_LOADED`, `LOCAL`, `LESS_LOADED_NODE` or `MOST_LOADED_NODE`.",
			},
			"conciliation": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Conciliation strategy applied to conflicts (option `conciliation_strategy`): `SENICIDE`, " +
					"`INFANTICIDE`, `USER`, `STOP`, `RESTART` or `RUNNING_FAILURE`.",
			},
			"supvisors_failure": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "What the cluster does when an instance is lost (option `supvisors_failure_strategy`): `CONTINUE`, `RESYNC` or `SHUTDOWN`. Reported from Supvisors 0.19; null before.",
			},
			"host_stats": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether host statistics are collected on the instance the provider is connected to. Reported from Supvisors 0.18 (`get_statistics_status`); null before.",
			},
			"process_stats": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether process statistics are collected on the instance the provider is connected to. Reported from Supvisors 0.18; null before.",
			},
			"collecting_period": schema.Float64Attribute{
				Computed:            true,
				MarkdownDescription: "Statistics collecting period, in seconds. Reported from Supvisors 0.18; null before.",
			},
		},
	}
}

func (d *strategiesDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, c := d.begin(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	strategies, err := c.GetStrategies(ctx)
	if err != nil {
		dsReadError(&resp.Diagnostics, "the Supvisors strategies", err)
		return
	}
	m := strategiesDataSourceModel{
		AutoFencing:      strategies.AutoFencing,
		Starting:         string(strategies.Starting),
		Conciliation:     string(strategies.Conciliation),
		SupvisorsFailure: types.StringNull(),
		HostStats:        types.BoolNull(),
		ProcessStats:     types.BoolNull(),
		CollectingPeriod: types.Float64Null(),
	}
	if strategies.SupvisorsFailure != "" {
		m.SupvisorsFailure = types.StringValue(strategies.SupvisorsFailure)
	}
	stats, err := c.GetStatisticsStatus(ctx)
	switch {
	case errors.Is(err, supvisors.ErrUnsupported): // before Supvisors 0.18: null
	case err != nil:
		dsReadError(&resp.Diagnostics, "the Supvisors statistics status", err)
		return
	default:
		m.HostStats = types.BoolValue(stats.HostStats)
		m.ProcessStats = types.BoolValue(stats.ProcessStats)
		m.CollectingPeriod = types.Float64Value(stats.CollectingPeriod)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
