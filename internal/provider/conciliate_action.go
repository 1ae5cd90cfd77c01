package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/action"
	actionschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

// NewConciliateAction returns the supvisors_conciliate action.
func NewConciliateAction() action.Action { return &conciliateAction{actionBase{suffix: "_conciliate"}} }

// conciliateAction resolves the conflicts of a cluster in CONCILIATION (conciliate) and waits for OPERATION.
type conciliateAction struct {
	actionBase
}

type conciliateModel = actionStrategyModel

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
	p := newProgress(ctx, resp)
	r := reconcilerOf(c)
	plan, err := r.PlanConciliation(ctx, supvisors.ConciliationStrategy(m.Strategy.ValueString()))
	if err != nil {
		resp.Diagnostics.Append(conciliateErrorDiagnostic(err))
		return
	}
	for _, q := range sortedByNamespec(plan.Conflicts) {
		p.say("conflict: %s", processWhere(q))
	}
	origin := "as configured"
	if plan.FromCluster {
		origin = "the cluster's conciliation strategy"
	}
	p.say("conciliating with strategy %s (%s)", plan.Strategy, origin)
	after, err := r.Conciliate(ctx, plan)
	if err != nil {
		resp.Diagnostics.Append(conciliateErrorDiagnostic(err))
		return
	}
	for _, q := range after {
		p.say("%s", processWhere(q))
	}
	p.say("conflicts resolved: the cluster is in OPERATION")
}

// conciliateErrorDiagnostic is the diagnostic of a failed conciliation, with what to do.
func conciliateErrorDiagnostic(err error) diag.Diagnostic {
	const summary = "Could not conciliate the Supvisors cluster"
	var (
		notIn     *reconcile.NotInConciliationError
		none      *reconcile.NoConciliationStrategyError
		notDone   *reconcile.NotConciliatedError
		notBack   *reconcile.NotBackError
		remaining *reconcile.ConflictsRemainError
	)
	switch {
	case errors.As(err, &notIn):
		return diag.NewErrorDiagnostic("The Supvisors cluster is not in CONCILIATION",
			fmt.Sprintf("The cluster is in %s: conciliate only applies in CONCILIATION, which Supvisors enters when a "+
				"process runs on more than one instance. There is nothing to conciliate; nothing was changed. The "+
				"supvisors_state data source shows the state and supvisors_conflicts the conflicts.", notIn.State))
	case errors.As(err, &none):
		return diag.NewAttributeErrorDiagnostic(path.Root("strategy"), "No conciliation strategy",
			fmt.Sprintf("strategy is unset and the cluster's own conciliation strategy is %q, which leaves the "+
				"conflicts to be resolved by hand. Set strategy to one of %s. Nothing was changed.",
				none.Strategy, strings.Join(conciliationStrategies(), ", ")))
	case errors.As(err, &notDone):
		return diag.NewErrorDiagnostic(summary, fmt.Sprintf("Supvisors answered that conciliate(%s) was not applied. "+
			"The supvisors_conflicts data source lists the conflicts that remain.", notDone.Strategy))
	case errors.As(err, &notBack):
		return clientErrorDiagnostic(summary+": it did not return to OPERATION", notBack.Err)
	case errors.As(err, &remaining):
		names := make([]string, 0, len(remaining.Left))
		for _, q := range remaining.Left {
			names = append(names, processWhere(q))
		}
		slices.Sort(names)
		return diag.NewErrorDiagnostic(summary, fmt.Sprintf("The cluster is back in OPERATION but conflicts remain "+
			"after the timeout: %s. Run the action again, or resolve them by hand.", strings.Join(names, "; ")))
	}
	return clientErrorDiagnostic(summary, err)
}
