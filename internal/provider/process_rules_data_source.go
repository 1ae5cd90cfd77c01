package provider

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

// NewProcessRulesDataSource returns the supvisors_process_rules data source: the rules of one process or of
// every process of an application.
func NewProcessRulesDataSource() datasource.DataSource {
	return &processRulesDataSource{dataSourceBase{typeName: "process_rules"}}
}

type processRulesDataSource struct{ dataSourceBase }

type processRulesDataSourceModel struct {
	Namespec types.String        `tfsdk:"namespec"`
	Rules    []processRulesModel `tfsdk:"rules"`
}

type processRulesModel struct {
	processNamesModel
	Identifiers             []string     `tfsdk:"identifiers"`
	StartSequence           int64        `tfsdk:"start_sequence"`
	StopSequence            int64        `tfsdk:"stop_sequence"`
	Required                bool         `tfsdk:"required"`
	WaitExit                bool         `tfsdk:"wait_exit"`
	ExpectedLoading         int64        `tfsdk:"expected_loading"`
	StartingFailureStrategy types.String `tfsdk:"starting_failure_strategy"` // null before Supvisors 0.12
	RunningFailureStrategy  string       `tfsdk:"running_failure_strategy"`
}

func (d *processRulesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The rules of one process, or of every process of an application with `application:*` " +
			"(`supvisors.get_process_rules`), with the defaults Supvisors applies where the rules file is silent. " +
			"The namespec format is checked at plan time; an unknown application or program is an error. Reads from " +
			"the DISTRIBUTION state on.",
		Attributes: map[string]schema.Attribute{
			"namespec": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "`application:program` (e.g. `web:web_server`, `worker:worker_0` for one process " +
					"of a homogeneous group) or `application:*` for every process of the application.",
				Validators: []validator.String{validators.Namespec()},
			},
			"rules": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "One element per process, sorted by namespec.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"application_name": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Name of the application.",
					},
					"process_name": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Name of the process.",
					},
					"namespec": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "`application_name:process_name`.",
					},
					"identifiers": schema.ListAttribute{
						Computed:    true,
						ElementType: types.StringType,
						MarkdownDescription: "Instances the process may run on, as written in the rules (or resolved " +
							"to `host:port` for the `#` notation of homogeneous groups).",
					},
					"start_sequence": schema.Int64Attribute{
						Computed:            true,
						MarkdownDescription: "Order of the process in its application's start sequence; `0` means not started with the application.",
					},
					"stop_sequence": schema.Int64Attribute{
						Computed:            true,
						MarkdownDescription: "Order of the process in its application's stop sequence.",
					},
					"required": schema.BoolAttribute{
						Computed:            true,
						MarkdownDescription: "Whether a failure of the process is a major failure of its application.",
					},
					"wait_exit": schema.BoolAttribute{
						Computed:            true,
						MarkdownDescription: "Whether the start sequence waits for the process to exit before going on.",
					},
					"expected_loading": schema.Int64Attribute{
						Computed:            true,
						MarkdownDescription: "Expected load of the process on its instance, in percent.",
					},
					"starting_failure_strategy": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "What happens when the process fails to start: `ABORT`, `STOP` or `CONTINUE`. Reported from Supvisors 0.12; null before.",
					},
					"running_failure_strategy": schema.StringAttribute{
						Computed: true,
						MarkdownDescription: "What happens when the running process fails: `CONTINUE`, `RESTART_PROCESS`, " +
							"`STOP_APPLICATION`, `RESTART_APPLICATION`, `SHUTDOWN` or `RESTART`.",
					},
				}},
			},
		},
	}
}

func (d *processRulesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, c, ns := d.beginWith(ctx, req.Config, "namespec", &resp.Diagnostics)
	if c == nil {
		return
	}
	rules, err := c.GetProcessRules(ctx, ns)
	if err != nil {
		dsNamespecName.readError(ctx, c, &resp.Diagnostics, ns, fmt.Sprintf("the rules of %q", ns), err)
		return
	}
	m := processRulesDataSourceModel{Namespec: types.StringValue(ns), Rules: make([]processRulesModel, 0, len(rules))}
	for _, r := range rules {
		m.Rules = append(m.Rules, newProcessRulesModel(r))
	}
	sort.SliceStable(m.Rules, func(i, j int) bool { return m.Rules[i].Namespec < m.Rules[j].Namespec })
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func newProcessRulesModel(r supvisors.ProcessRules) processRulesModel {
	return processRulesModel{
		processNamesModel:       newProcessNamesModel(r.ApplicationName, r.ProcessName),
		Identifiers:             stringsOrEmpty(r.Identifiers),
		StartSequence:           int64(r.StartSequence),
		StopSequence:            int64(r.StopSequence),
		Required:                r.Required,
		WaitExit:                r.WaitExit,
		ExpectedLoading:         int64(r.ExpectedLoading),
		StartingFailureStrategy: stringIf(r.Reports("starting_failure_strategy"), string(r.StartingFailureStrategy)),
		RunningFailureStrategy:  string(r.RunningFailureStrategy),
	}
}
