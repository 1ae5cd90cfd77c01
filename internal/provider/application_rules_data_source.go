package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

var (
	_ datasource.DataSource              = (*applicationRulesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*applicationRulesDataSource)(nil)
)

// NewApplicationRulesDataSource returns the supvisors_application_rules data source: the rules Supvisors
// applies to one application.
func NewApplicationRulesDataSource() datasource.DataSource {
	return &applicationRulesDataSource{}
}

type applicationRulesDataSource struct {
	dataSourceBase
}

type applicationRulesDataSourceModel struct {
	Name                    types.String `tfsdk:"name"`
	Managed                 types.Bool   `tfsdk:"managed"`
	Distribution            types.String `tfsdk:"distribution"`
	Identifiers             types.List   `tfsdk:"identifiers"`
	StartSequence           types.Int64  `tfsdk:"start_sequence"`
	StopSequence            types.Int64  `tfsdk:"stop_sequence"`
	StartingStrategy        types.String `tfsdk:"starting_strategy"`
	StartingFailureStrategy types.String `tfsdk:"starting_failure_strategy"`
	RunningFailureStrategy  types.String `tfsdk:"running_failure_strategy"`
	StatusFormula           types.String `tfsdk:"status_formula"`
}

func (d *applicationRulesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_application_rules"
}

func (d *applicationRulesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	unmanaged := " Null for an unmanaged application."
	resp.Schema = schema.Schema{
		MarkdownDescription: "The rules of one application (`supvisors.get_application_rules`), with the defaults " +
			"Supvisors applies where the rules file is silent. For an unmanaged application (a Supervisor group " +
			"absent from the rules) only `managed = false` is known and every rule is null. An unknown name is an " +
			"error that lists the known applications. Reads from the DISTRIBUTION state on.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the application.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"managed": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the application is declared in the Supvisors rules.",
			},
			"distribution": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "How the processes may spread: `ALL_INSTANCES`, `SINGLE_INSTANCE` or `SINGLE_NODE`." + unmanaged,
			},
			"identifiers": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Instances the application may run on, as written in the rules (nicknames, aliases, " +
					"stereotypes, or `*`)." + unmanaged,
			},
			"start_sequence": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Order in the cluster's start sequence; `0` means not started automatically." + unmanaged,
			},
			"stop_sequence": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Order in the cluster's stop sequence (greatest first)." + unmanaged,
			},
			"starting_strategy": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Starting strategy used when the cluster starts the application." + unmanaged,
			},
			"starting_failure_strategy": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "What happens when a process fails to start: `ABORT`, `STOP` or `CONTINUE`." + unmanaged,
			},
			"running_failure_strategy": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "What happens when a running process fails: `CONTINUE`, `RESTART_PROCESS`, " +
					"`STOP_APPLICATION`, `RESTART_APPLICATION`, `SHUTDOWN` or `RESTART`." + unmanaged,
			},
			"status_formula": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Operational status formula (`operational_status` in the rules; `\"\"` when none). Reported from Supvisors 0.18; null before." + unmanaged,
			},
		},
	}
}

func (d *applicationRulesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, c, app := d.beginWith(ctx, req.Config, "name", &resp.Diagnostics)
	if c == nil {
		return
	}
	rules, err := c.GetApplicationRules(ctx, app)
	if err != nil {
		if supvisors.IsFault(err, supvisors.FaultBadName) {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Unknown Supvisors application",
				fmt.Sprintf("Supvisors knows no application named %q. %s", app, knownApplicationsHint(ctx, c)))
			return
		}
		dsReadError(&resp.Diagnostics, fmt.Sprintf("the rules of Supvisors application %q", app), err)
		return
	}
	m := applicationRulesDataSourceModel{
		Name:                    types.StringValue(app),
		Managed:                 types.BoolValue(rules.Managed),
		Distribution:            types.StringNull(),
		Identifiers:             types.ListNull(types.StringType),
		StartSequence:           types.Int64Null(),
		StopSequence:            types.Int64Null(),
		StartingStrategy:        types.StringNull(),
		StartingFailureStrategy: types.StringNull(),
		RunningFailureStrategy:  types.StringNull(),
		StatusFormula:           types.StringNull(),
	}
	if rules.Managed {
		ids := make([]attr.Value, 0, len(rules.Identifiers))
		for _, id := range rules.Identifiers {
			ids = append(ids, types.StringValue(id))
		}
		m.Identifiers = types.ListValueMust(types.StringType, ids)
		m.Distribution = types.StringValue(string(rules.Distribution))
		m.StartSequence = types.Int64Value(int64(rules.StartSequence))
		m.StopSequence = types.Int64Value(int64(rules.StopSequence))
		m.StartingStrategy = types.StringValue(string(rules.StartingStrategy))
		m.StartingFailureStrategy = types.StringValue(string(rules.StartingFailureStrategy))
		m.RunningFailureStrategy = types.StringValue(string(rules.RunningFailureStrategy))
		m.StatusFormula = stringIf(rules.Reports("status_formula"), rules.StatusFormula)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
