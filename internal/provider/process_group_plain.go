package provider

// supvisors_process_group on a plain supervisord (an endpoint without the Supvisors plugin): the group or
// program is started and stopped with supervisor.startProcess / stopProcess and followed with Supervisor's own
// process states (startsecs, BACKOFF retries, FATAL). The attributes that need Supvisors (numprocs, enabled,
// extra_args, strategy) are refused at plan time: ModifyPlan detects the endpoint kind lazily (one request per
// provider process, only when the configuration sets one of them or a new group is planned).

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// pgSupvisorsOnly lists the attributes that need Supvisors, with why, for the plan-time refusals.
var pgSupvisorsOnly = []struct {
	attr, why string
}{
	{"numprocs", "numprocs is changed with supvisors.update_numprocs"},
	{"enabled", "enabled is set with supvisors.enable / supvisors.disable"},
	{"extra_args", "extra arguments are given to a start by supvisors.start_process"},
	{"strategy", "a starting strategy chooses the Supvisors instance that starts the processes"},
}

// pgIsPlain reports whether c reaches a plain supervisord. A detection failure reads as "not plain": the
// Supvisors code path then reports the error.
func pgIsPlain(ctx context.Context, c *supvisors.Client) bool {
	plain, err := c.IsPlain(ctx)
	return err == nil && plain
}

// pgSnapshot is the read snapshot of the endpoint: Supvisors' (Client.Snapshot), or the plain supervisord's
// (Client.PlainSnapshot, every group seen as an unmanaged application).
func pgSnapshot(ctx context.Context, c *supvisors.Client) (*supvisors.Snapshot, error) {
	if pgIsPlain(ctx, c) {
		return c.PlainSnapshot(ctx)
	}
	return c.Snapshot(ctx)
}

// pgPlainRefusals refuses, on a plain supervisord, each attribute of the configuration that needs Supvisors.
// An empty extra_args ("", the default) is accepted.
func pgPlainRefusals(ctx context.Context, c *supvisors.Client, config tfsdk.Config) diag.Diagnostics {
	var diags diag.Diagnostics
	info, err := c.Detect(ctx)
	if err != nil {
		return diags
	}
	for _, a := range pgSupvisorsOnly {
		var v types.String
		var set bool
		switch a.attr {
		case "numprocs":
			var n types.Int64
			diags.Append(config.GetAttribute(ctx, path.Root(a.attr), &n)...)
			set = !n.IsNull()
		case "enabled":
			var b types.Bool
			diags.Append(config.GetAttribute(ctx, path.Root(a.attr), &b)...)
			set = !b.IsNull()
		default:
			diags.Append(config.GetAttribute(ctx, path.Root(a.attr), &v)...)
			set = !v.IsNull() && !(a.attr == "extra_args" && !v.IsUnknown() && v.ValueString() == "")
		}
		if set {
			diags.AddAttributeError(path.Root(a.attr), fmt.Sprintf("%s needs Supvisors", a.attr),
				fmt.Sprintf("The provider's url (%s) is plain Supervisor %s, without the Supvisors plugin: %s. On a "+
					"plain supervisord, supvisors_process_group manages whether the processes run (state, "+
					"restart_triggers); remove %s, or point the provider at a Supvisors instance.",
					c.Endpoint(), info.SupervisorVersion, a.why, a.attr))
		}
	}
	return diags
}

// modifyPlanPlain is the plain-Supervisor part of ModifyPlan: it refuses the attributes that need Supvisors
// and checks a new group or program against the supervisord. It reports whether the endpoint is plain (the
// Supvisors checks are then skipped). The endpoint is detected only when something is to be checked.
func (r *processGroupResource) modifyPlanPlain(ctx context.Context, req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse, plan, state *processGroupResourceModel) bool {
	c := r.data.client
	newScope := state == nil || !plan.Application.Equal(state.Application) || !plan.Program.Equal(state.Program)
	var cfg processGroupResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	supvisorsOnly := !cfg.Numprocs.IsNull() || !cfg.Enabled.IsNull() || !cfg.Strategy.IsNull() ||
		(!cfg.ExtraArgs.IsNull() && cfg.ExtraArgs.ValueString() != "")
	if resp.Diagnostics.HasError() || (!newScope && !supvisorsOnly) {
		return false
	}
	ctx = r.data.logContext(ctx)
	if !pgIsPlain(ctx, c) {
		return false
	}
	resp.Diagnostics.Append(pgPlainRefusals(ctx, c, req.Config)...)
	if resp.Diagnostics.HasError() || !newScope {
		return true
	}
	snap, err := c.PlainSnapshot(ctx)
	if err != nil {
		resp.Diagnostics.Append(clientErrorDiagnostic("Could not check "+plan.scope().ID()+" against supervisord", err))
		return true
	}
	resp.Diagnostics.Append(pgCheckAgainstSnapshot(snap, plan.scope(), false)...)
	return true
}

// applyPlain is apply on a plain supervisord: the running state and restarts only (the attributes that need
// Supvisors were refused at plan time, and are refused again here should the plan have been made without a
// configured provider).
func (r *processGroupResource) applyPlain(ctx context.Context, c *supvisors.Client, plan, state *processGroupResourceModel, diags *diag.Diagnostics) bool {
	s := plan.scope()
	if !plan.Numprocs.IsNull() || !plan.Enabled.IsNull() || plan.ExtraArgs.ValueString() != "" {
		info, _ := c.Detect(ctx)
		diags.AddError("Attributes that need Supvisors",
			fmt.Sprintf("%s is plain Supervisor %s: numprocs, enabled and extra_args need Supvisors. Remove them from "+
				"%s.", c.Endpoint(), info.SupervisorVersion, s.ID()))
		return false
	}
	if state == nil {
		v, err := c.PlainRead(ctx)
		if err != nil {
			diags.Append(clientErrorDiagnostic("Could not read supervisord before creating "+s.ID(), err))
			return false
		}
		diags.Append(pgCheckAgainstSnapshot(v.Snapshot, s, false)...)
		if diags.HasError() {
			return false
		}
	}
	running := plan.State.ValueString() == reconcile.StateRunning
	restartAll := running && state != nil && state.State.ValueString() == reconcile.StateRunning &&
		triggersRestart(state.RestartTriggers, plan.RestartTriggers)
	tflog.Info(ctx, "converging on plain supervisord", map[string]any{"id": s.ID(), "state": plan.State.ValueString(), "restart": restartAll})
	diags.Append(pgPlainConverge(ctx, c, s, running, restartAll)...)
	if diags.HasError() {
		return false
	}
	v, err := c.PlainRead(ctx)
	if err != nil {
		diags.Append(clientErrorDiagnostic("Could not read the processes of "+s.ID()+" after the change", err))
		return false
	}
	members, _ := reconcile.Members(v.ProcessesOf(s.App), s)
	plan.ID = types.StringValue(s.ID())
	var d diag.Diagnostics
	plan.Processes, d = processGroupProcessesValue(members)
	diags.Append(d...)
	return !diags.HasError()
}

// pgPlainConverge brings the processes of the scope to the desired state on a plain supervisord
// (reconcile.Reconciler.ConvergePlain).
func pgPlainConverge(ctx context.Context, c *supvisors.Client, s reconcile.Scope, running, restartAll bool) diag.Diagnostics {
	return reconcileDiagnostics(reconcile.Notes{}, reconcilerOf(c).ConvergePlain(ctx, s, running, restartAll))
}
