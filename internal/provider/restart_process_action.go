package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/action"
	actionschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

// NewRestartProcessAction returns the supvisors_restart_process action.
func NewRestartProcessAction() action.Action {
	return &restartProcessAction{actionBase{suffix: "_restart_process"}}
}

// restartProcessAction restarts processes (restart_process) and waits until they run again.
type restartProcessAction struct {
	actionBase
}

type restartProcessModel struct {
	Namespec  types.String `tfsdk:"namespec"`
	ExtraArgs types.String `tfsdk:"extra_args"`
	actionStrategyModel
}

// Schema describes supvisors_restart_process.
func (a *restartProcessAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = actionschema.Schema{
		MarkdownDescription: "Restarts processes (`restart_process`): one process (`application:process`) or every " +
			"process of an application (`application:*`), managed or not. Each is stopped, then started again " +
			"following the starting strategy, so it may move to another instance. The action waits until they all " +
			"run again, reports where each process is as it goes, and fails, naming each process with its state and " +
			"spawn error, when one does not come back. Terraform 1.14 or later: " +
			"`terraform apply -invoke=action.supvisors_restart_process.<name>`, or a resource's " +
			"`lifecycle { action_trigger { ... } }`.\n\n" +
			"A namespec that designates no process is refused before anything is changed, with the processes the " +
			"application has.",
		Attributes: map[string]actionschema.Attribute{
			"namespec": actionschema.StringAttribute{
				MarkdownDescription: "The processes: `application:process` for one process, `application:*` for " +
					"every process of the application. For a homogeneous program, name one process " +
					"(`worker:worker_1`) or the whole application.",
				Required:   true,
				Validators: []validator.String{validators.Namespec()},
			},
			"strategy": restartStrategyAttribute(),
			"extra_args": actionschema.StringAttribute{
				MarkdownDescription: "Extra arguments for the restarted processes, appended to their command line. " +
					"Unset: each process restarts with the arguments it runs with now (`\"\"` restarts them without " +
					"any). The same rules as the `extra_args` of `supvisors_process_group` apply.",
				Optional:   true,
				Validators: []validator.String{validators.ExtraArgs()},
			},
			"timeout": timeoutAttribute("the processes to run again"),
		},
	}
}

// ModifyPlan checks at plan time (reads only) that the namespec designates processes, and that the release
// reached accepts the strategy.
func (a *restartProcessAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var m restartProcessModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	a.checkRestartPlan(ctx, m.Namespec, m.Strategy, a.job(m), &resp.Diagnostics)
}

// Invoke restarts the processes and waits until they run again.
func (a *restartProcessAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m restartProcessModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	a.invokeRestart(ctx, resp, m.actionStrategyModel, a.job(m))
}

// job is the restart of the processes of m: restart_process through reconcile, one call or one per process
// (reconcile.RestartCalls).
func (a *restartProcessAction) job(m restartProcessModel) restartJob {
	namespec := m.Namespec.ValueString()
	app, _ := supvisors.SplitNamespec(namespec)
	summary := fmt.Sprintf("Could not restart %s", namespec)
	return restartJob{
		attr: "namespec", what: fmt.Sprintf("%q", namespec),
		logKey: "namespec", subject: namespec, app: app, watch: namespec, summary: summary,
		check: func(ctx context.Context, c *supvisors.Client, snap *supvisors.Snapshot) ([]supvisors.ProcessInfo, string, string) {
			before := snap.Match(namespec)
			if len(before) == 0 {
				return nil, "Unknown Supvisors process", unknownNamespecDetail(ctx, c, namespec)
			}
			return slices.Clone(before), "", ""
		},
		started: func(_ *supvisors.Snapshot, before []supvisors.ProcessInfo, strategy supvisors.StartingStrategy, origin string) string {
			return fmt.Sprintf("restarting %s with strategy %s (%s): %s", namespec, strategy, origin, whereTheyRun(before))
		},
		run: func(ctx context.Context, c *supvisors.Client, strategy supvisors.StartingStrategy, before []supvisors.ProcessInfo, diags *diag.Diagnostics) string {
			calls := reconcile.RestartCalls(namespec, before, m.ExtraArgs.ValueString(), !m.ExtraArgs.IsNull() && !m.ExtraArgs.IsUnknown())
			procs, err := reconcilerOf(c).RestartProcesses(ctx, namespec, strategy, calls)
			if err != nil {
				diags.Append(restartProcessError(summary, err))
				return ""
			}
			return fmt.Sprintf("%s restarted: %s", namespec, whereTheyRun(procs))
		},
	}
}

// restartProcessError is the diagnostic of a failed restart: a refused restart_process call (a
// *reconcile.CallError) with what to do, or the client's error.
func restartProcessError(summary string, err error) diag.Diagnostic {
	var refused *reconcile.CallError
	if !errors.As(err, &refused) {
		return clientErrorDiagnostic(summary, err)
	}
	namespec, err := refused.Namespec, refused.Err
	detail := clientErrorDetail(err)
	if supvisors.IsFault(err, supvisors.FaultNotRunning) {
		detail = fmt.Sprintf("%s is not running, so there is nothing to restart; start it with supvisors_process_group "+
			"(state = \"running\").\n\n%s", namespec, detail)
	}
	return diag.NewErrorDiagnostic(summary, detail)
}
