package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// NewApplicationRulesDataSource returns the supvisors_application_rules data source: the rules Supvisors
// applies to one application.
func NewApplicationRulesDataSource() datasource.DataSource {
	return &applicationRulesDataSource{dataSourceBase{typeName: "application_rules"}}
}

type applicationRulesDataSource struct{ dataSourceBase }

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

func (d *applicationRulesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	unmanaged := " Null for an unmanaged application."
	resp.Schema = schema.Schema{
		MarkdownDescription: "The rules of one application (`supvisors.get_application_rules`), with the defaults " +
			"Supvisors applies where the rules file is silent. For an unmanaged application (a Supervisor group " +
			"absent from the rules) only `managed = false` is known and every rule is null. An unknown name is an " +
			"error that lists the known applications. Reads from the DISTRIBUTION state on.",
		Attributes: map[string]schema.Attribute{
			"name": dsNameAttribute("Name of the application."),
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
		dsApplicationName.readError(ctx, c, &resp.Diagnostics, app, "the rules of "+applicationWhat(app), err)
		return
	}
	m := newApplicationRulesModel(app, rules)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// newApplicationRulesModel maps the rules of application app; those of an unmanaged application are null but
// for managed.
func newApplicationRulesModel(app string, rules supvisors.ApplicationRules) applicationRulesDataSourceModel {
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
	if !rules.Managed {
		return m
	}
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
	return m
}
