package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

var (
	_ datasource.DataSource              = (*strategiesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*strategiesDataSource)(nil)
)

// NewStrategiesDataSource returns the supvisors_strategies data source: the cluster-wide strategies and the
// statistics settings of the instance the provider talks to.
func NewStrategiesDataSource() datasource.DataSource {
	return &strategiesDataSource{}
}

type strategiesDataSource struct {
	dataSourceBase
}

type strategiesDataSourceModel struct {
	AutoFencing      bool    `tfsdk:"auto_fencing"`
	Starting         string  `tfsdk:"starting"`
	Conciliation     string  `tfsdk:"conciliation"`
	SupvisorsFailure string  `tfsdk:"supvisors_failure"`
	HostStats        bool    `tfsdk:"host_stats"`
	ProcessStats     bool    `tfsdk:"process_stats"`
	CollectingPeriod float64 `tfsdk:"collecting_period"`
}

func (d *strategiesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_strategies"
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
				MarkdownDescription: "What the cluster does when an instance is lost (option `supvisors_failure_strategy`): `CONTINUE`, `RESYNC` or `SHUTDOWN`.",
			},
			"host_stats": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether host statistics are collected on the instance the provider is connected to.",
			},
			"process_stats": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether process statistics are collected on the instance the provider is connected to.",
			},
			"collecting_period": schema.Float64Attribute{
				Computed:            true,
				MarkdownDescription: "Statistics collecting period, in seconds.",
			},
		},
	}
}

func (d *strategiesDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	c := d.client(&resp.Diagnostics)
	if c == nil {
		return
	}
	ctx = d.logContext(ctx)
	strategies, err := c.GetStrategies(ctx)
	if err != nil {
		dsReadError(&resp.Diagnostics, "the Supvisors strategies", err)
		return
	}
	stats, err := c.GetStatisticsStatus(ctx)
	if err != nil {
		dsReadError(&resp.Diagnostics, "the Supvisors statistics status", err)
		return
	}
	m := strategiesDataSourceModel{
		AutoFencing:      strategies.AutoFencing,
		Starting:         string(strategies.Starting),
		Conciliation:     string(strategies.Conciliation),
		SupvisorsFailure: string(strategies.SupvisorsFailure),
		HostStats:        stats.HostStats,
		ProcessStats:     stats.ProcessStats,
		CollectingPeriod: stats.CollectingPeriod,
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
