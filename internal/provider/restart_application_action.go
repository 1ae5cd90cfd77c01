package provider

import (
	"context"
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

// NewRestartApplicationAction returns the supvisors_restart_application action.
func NewRestartApplicationAction() action.Action {
	return &restartApplicationAction{actionBase{suffix: "_restart_application"}}
}

// restartApplicationAction restarts a managed application (restart_application) and waits until it runs again.
type restartApplicationAction struct {
	actionBase
}

type restartApplicationModel struct {
	Name types.String `tfsdk:"name"`
	actionStrategyModel
}

// Schema describes supvisors_restart_application.
func (a *restartApplicationAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = actionschema.Schema{
		MarkdownDescription: "Restarts a **managed** Supvisors application (`restart_application`): every process is " +
			"stopped, then the application is started again following its rules and the starting strategy, so " +
			"processes may move to other instances. The action waits until the application runs again, reports " +
			"where each process is as it goes, and fails, naming each process with its state and spawn error, when " +
			"the application does not come back. Terraform 1.14 or later: run it with " +
			"`terraform apply -invoke=action.supvisors_restart_application.<name>`, or from a resource's " +
			"`lifecycle { action_trigger { ... } }` (for example after a configuration file changes).\n\n" +
			"An unknown or unmanaged application is refused before anything is changed. Use " +
			"`supvisors_restart_process` for the processes of an unmanaged group.",
		Attributes: map[string]actionschema.Attribute{
			"name": actionschema.StringAttribute{
				MarkdownDescription: "Name of the managed application to restart.",
				Required:            true,
				Validators:          []validator.String{validators.Name("application name")},
			},
			"strategy": restartStrategyAttribute(),
			"timeout":  timeoutAttribute("the application to run again"),
		},
	}
}

// ModifyPlan checks at plan time (reads only) that the application exists and is managed, and that the
// release reached accepts the strategy.
func (a *restartApplicationAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var m restartApplicationModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	a.checkRestartPlan(ctx, m.Name, m.Strategy, a.job(m), &resp.Diagnostics)
}

// Invoke restarts the application and waits until it runs again.
func (a *restartApplicationAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m restartApplicationModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	a.invokeRestart(ctx, resp, m.actionStrategyModel, a.job(m))
}

// job is the restart of the managed application of m: restart_application through reconcile.
func (a *restartApplicationAction) job(m restartApplicationModel) restartJob {
	name := m.Name.ValueString()
	return restartJob{
		attr: "name", what: fmt.Sprintf("application %q", name),
		logKey: "application", subject: name, app: name, watch: name + ":*",
		summary: fmt.Sprintf("Could not restart application %q", name),
		check: func(_ context.Context, _ *supvisors.Client, snap *supvisors.Snapshot) ([]supvisors.ProcessInfo, string, string) {
			summary, detail := applicationProblem(snap, name)
			return slices.Clone(snap.ProcessesOf(name)), summary, detail
		},
		started: func(snap *supvisors.Snapshot, before []supvisors.ProcessInfo, strategy supvisors.StartingStrategy, origin string) string {
			info, _ := snap.Application(name)
			return fmt.Sprintf("restarting application %s (%s: %s) with strategy %s (%s)", name, info.Statename, whereTheyRun(before), strategy, origin)
		},
		run: func(ctx context.Context, c *supvisors.Client, strategy supvisors.StartingStrategy, _ []supvisors.ProcessInfo, diags *diag.Diagnostics) string {
			r := &applicationResource{resourceBase{data: a.data}}
			app, err := r.reconciler(c).ApplyApplication(ctx, name, reconcile.Restart, string(strategy))
			if err != nil {
				r.addActionError(ctx, c, diags, reconcile.Restart, name, err)
				return ""
			}
			return fmt.Sprintf("application %s is %s: %s", name, app.Info.Statename, whereTheyRun(app.Processes))
		},
	}
}
