package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	actionschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

var (
	_ action.Action                   = (*conciliateAction)(nil)
	_ action.ActionWithConfigure      = (*conciliateAction)(nil)
	_ action.ActionWithValidateConfig = (*conciliateAction)(nil)
)

// NewConciliateAction returns the supvisors_conciliate action.
func NewConciliateAction() action.Action { return &conciliateAction{} }

// conciliateAction resolves the conflicts of a cluster in CONCILIATION (conciliate) and waits for OPERATION.
type conciliateAction struct {
	actionBase
}

type conciliateModel struct {
	Strategy types.String `tfsdk:"strategy"`
	Timeout  types.String `tfsdk:"timeout"`
}

// conciliationStrategies are the strategies the action accepts: every one but USER, which resolves nothing.
func conciliationStrategies() []string {
	var out []string
	for _, s := range supvisors.ConciliationStrategies() {
		if s != supvisors.ConciliationUser {
			out = append(out, string(s))
		}
	}
	return out
}

// Metadata names the action supvisors_conciliate.
func (a *conciliateAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_conciliate"
}

// Schema describes supvisors_conciliate.
func (a *conciliateAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	names := make([]string, 0, len(conciliationStrategies()))
	for _, s := range conciliationStrategies() {
		names = append(names, "`"+s+"`")
	}
	resp.Schema = actionschema.Schema{
		MarkdownDescription: "Resolves the conflicts of a cluster in `CONCILIATION` (processes running on more than " +
			"one instance, see the `supvisors_conflicts` data source) with `conciliate`, then waits until the cluster " +
			"is back in `OPERATION` without conflicts, reporting each conflict and where each process ends up. " +
			"Terraform 1.14 or later: `terraform apply -invoke=action.supvisors_conciliate.<name>`.\n\n" +
			"Outside `CONCILIATION` there is nothing to conciliate: the action fails with the cluster's state and " +
			"changes nothing.",
		Attributes: map[string]actionschema.Attribute{
			"strategy": actionschema.StringAttribute{
				MarkdownDescription: "Conciliation strategy: " + joinWords(names) + ". Unset: the cluster's own " +
					"conciliation strategy (`get_strategies`), unless that is `USER`. `USER` is refused: with it " +
					"Supvisors leaves the conflicts to a person and changes nothing.",
				Optional: true,
				// USER passes the enum and is refused with its reason by ValidateConfig.
				Validators: []validator.String{validators.Enum("conciliation strategy", append(conciliationStrategies(), string(supvisors.ConciliationUser))...)},
			},
			"timeout": timeoutAttribute("the cluster to return to OPERATION"),
		},
	}
}

// ValidateConfig refuses USER with the reason.
func (a *conciliateAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var m conciliateModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	if m.Strategy.ValueString() == string(supvisors.ConciliationUser) {
		resp.Diagnostics.AddAttributeError(path.Root("strategy"), "USER does not conciliate",
			"With strategy USER, Supvisors leaves the conflicts to be resolved by hand and conciliate changes nothing "+
				"(it returns false). Choose one of "+strings.Join(conciliationStrategies(), ", ")+".")
	}
}

// Invoke conciliates and waits for OPERATION without conflicts.
func (a *conciliateAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m conciliateModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	if m.Strategy.ValueString() == string(supvisors.ConciliationUser) {
		return // refused by ValidateConfig
	}
	c, ctx, cancel := a.start(ctx, m.Timeout, &resp.Diagnostics)
	defer cancel()
	if c == nil {
		return
	}
	const summary = "Could not conciliate the Supvisors cluster"
	p := newProgress(ctx, resp)

	state, err := c.GetSupvisorsState(ctx)
	if err != nil {
		resp.Diagnostics.Append(clientErrorDiagnostic(summary, err))
		return
	}
	if state.FSMStatename != supvisors.StateConciliation {
		resp.Diagnostics.AddError("The Supvisors cluster is not in CONCILIATION",
			fmt.Sprintf("The cluster is in %s: conciliate only applies in CONCILIATION, which Supvisors enters when a "+
				"process runs on more than one instance. There is nothing to conciliate; nothing was changed. The "+
				"supvisors_state data source shows the state and supvisors_conflicts the conflicts.", state.FSMStatename))
		return
	}
	strategy := supvisors.ConciliationStrategy(m.Strategy.ValueString())
	origin := "as configured"
	if strategy == "" {
		st, err := c.GetStrategies(ctx)
		if err != nil {
			resp.Diagnostics.Append(clientErrorDiagnostic(summary, err))
			return
		}
		strategy, origin = supvisors.ConciliationStrategy(st.Conciliation), "the cluster's conciliation strategy"
		if strategy == supvisors.ConciliationUser || !strategy.Valid() {
			resp.Diagnostics.AddAttributeError(path.Root("strategy"), "No conciliation strategy",
				fmt.Sprintf("strategy is unset and the cluster's own conciliation strategy is %q, which leaves the "+
					"conflicts to be resolved by hand. Set strategy to one of %s. Nothing was changed.",
					strategy, strings.Join(conciliationStrategies(), ", ")))
			return
		}
	}
	conflicts, err := c.GetConflicts(ctx)
	if err != nil {
		resp.Diagnostics.Append(clientErrorDiagnostic(summary, err))
		return
	}
	for _, q := range sortedByNamespec(conflicts) {
		p.say("conflict: %s", processWhere(q))
	}
	p.say("conciliating with strategy %s (%s)", strategy, origin)
	applied, err := c.Conciliate(ctx, strategy)
	if err != nil {
		resp.Diagnostics.Append(clientErrorDiagnostic(summary, err))
		return
	}
	if !applied {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Supvisors answered that conciliate(%s) was not applied. "+
			"The supvisors_conflicts data source lists the conflicts that remain.", strategy))
		return
	}
	if _, err := c.WaitReady(ctx, supvisors.StateOperation); err != nil {
		resp.Diagnostics.Append(clientErrorDiagnostic(summary+": it did not return to OPERATION", err))
		return
	}
	// The conflicts' processes, now that Supvisors has resolved them (conflicts may take a moment to clear).
	for {
		left, err := c.GetConflicts(ctx)
		if err != nil {
			resp.Diagnostics.Append(clientErrorDiagnostic(summary, err))
			return
		}
		if len(left) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			names := make([]string, 0, len(left))
			for _, q := range left {
				names = append(names, processWhere(q))
			}
			slices.Sort(names)
			resp.Diagnostics.AddError(summary, fmt.Sprintf("The cluster is back in OPERATION but conflicts remain "+
				"after the timeout: %s. Run the action again, or resolve them by hand.", strings.Join(names, "; ")))
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
	for _, q := range conflicts {
		procs, err := c.GetProcessInfo(ctx, q.Namespec())
		if err == nil {
			p.processes(procs)
		}
	}
	p.say("conflicts resolved: the cluster is in OPERATION")
}
