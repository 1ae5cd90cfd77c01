package provider

// supvisors_process_group on a plain supervisord (an endpoint without the Supvisors plugin): the group or
// program is started and stopped with supervisor.startProcess / stopProcess and followed with Supervisor's own
// process states (startsecs, BACKOFF retries, FATAL). The attributes that need Supvisors (numprocs, enabled,
// extra_args, strategy) are refused at plan time: ModifyPlan detects the endpoint kind lazily (one request per
// provider process, only when the configuration sets one of them or a new group is planned).

import (
	"context"
	"errors"
	"fmt"
	"strings"

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

// pgPlainConverge brings the processes of the scope to the desired state on a plain supervisord: stops with
// stopProcess(wait=false), starts with startProcess(wait=false) (one multicall each), each followed by
// PlainWait. A restart (restart_triggers) is a stop, then a start. Like reconcile.Reconciler.Converge, a one-shot program that
// exited as expected is not started again while others of the group run.
func pgPlainConverge(ctx context.Context, c *supvisors.Client, s reconcile.Scope, running, restartAll bool) diag.Diagnostics {
	var diags diag.Diagnostics
	read := func() ([]supvisors.ProcessInfo, map[string][]int, bool) {
		v, err := c.PlainRead(ctx)
		if err != nil {
			diags.Append(clientErrorDiagnostic("Could not read the processes of "+s.ID(), err))
			return nil, nil, false
		}
		members, _ := reconcile.Members(v.ProcessesOf(s.App), s)
		if len(members) == 0 {
			diags.AddError("No process in "+s.ID(), fmt.Sprintf("supervisord at %s lists no process for %s any more.",
				c.Endpoint(), s.ID()))
			return nil, nil, false
		}
		codes := map[string][]int{}
		for _, p := range members {
			codes[p.Namespec()] = v.Config[p.Namespec()].Exitcodes
		}
		return members, codes, true
	}
	members, codes, ok := read()
	if !ok {
		return diags
	}
	var stop []supvisors.ProcessInfo
	for _, p := range members {
		if (!running && !p.Statename.IsStopped()) || p.Statename == supvisors.ProcessStopping ||
			(running && restartAll && p.Statename.IsRunning()) {
			stop = append(stop, p)
		}
	}
	if len(stop) > 0 {
		diags.Append(pgPlainDo(ctx, c, s, stop, false, codes)...)
		if diags.HasError() || !running {
			return diags
		}
		if members, codes, ok = read(); !ok {
			return diags
		}
	}
	if !running {
		return diags
	}
	if toStart := reconcile.ToStart(members); len(toStart) > 0 {
		diags.Append(pgPlainDo(ctx, c, s, toStart, true, nil)...)
		if diags.HasError() {
			return diags
		}
	}
	_, err := c.PlainWait(ctx, pgNamespecs(members), true, codes)
	diags.Append(pgPlainWaitDiag(s, true, err)...)
	return diags
}

// pgPlainDo starts (or stops) procs and waits until they settled.
func pgPlainDo(ctx context.Context, c *supvisors.Client, s reconcile.Scope, procs []supvisors.ProcessInfo, start bool, codes map[string][]int) diag.Diagnostics {
	var diags diag.Diagnostics
	namespecs := pgNamespecs(procs)
	act, verb := c.PlainStop, "stop"
	if start {
		act, verb = c.PlainStart, "start"
	}
	tflog.Debug(ctx, "supervisor."+verb+"Process", map[string]any{"namespecs": namespecs})
	if err := act(ctx, namespecs); err != nil {
		what := "the processes of " + s.ID()
		var ce *supvisors.CallError
		if _, rest, ok := strings.Cut(callMethod(err, &ce), "("); ok {
			what = strings.TrimSuffix(rest, ")") // the process Supervisor refused
		}
		diags.Append(clientErrorDiagnostic(fmt.Sprintf("Could not %s %s", verb, what), err))
		return diags
	}
	if start {
		return diags // the caller waits for every member
	}
	_, err := c.PlainWait(ctx, namespecs, false, codes)
	diags.Append(pgPlainWaitDiag(s, false, err)...)
	return diags
}

// pgPlainWaitDiag turns the outcome of PlainWait into the resource's diagnostics (the same summaries as on a
// Supvisors cluster).
func pgPlainWaitDiag(s reconcile.Scope, running bool, err error) diag.Diagnostics {
	var diags diag.Diagnostics
	if err == nil {
		return diags
	}
	var settle *supvisors.SettleError
	if errors.As(err, &settle) {
		settle.Subject = "process group " + s.ID()
		summary := fmt.Sprintf("Processes of %s did not start", s.ID())
		if !running {
			summary = fmt.Sprintf("Processes of %s did not stop", s.ID())
		}
		diags.Append(clientErrorDiagnostic(summary, settle))
		return diags
	}
	want := "stopped"
	if running {
		want = "running"
	}
	diags.Append(clientErrorDiagnostic(fmt.Sprintf("Could not wait for %s to be %s", s.ID(), want), err))
	return diags
}

// callMethod returns the method of the *CallError in err ("" when there is none).
func callMethod(err error, ce **supvisors.CallError) string {
	if errors.As(err, ce) {
		return (*ce).Method
	}
	return ""
}

func pgNamespecs(procs []supvisors.ProcessInfo) []string {
	out := make([]string, len(procs))
	for i, p := range procs {
		out[i] = p.Namespec()
	}
	return out
}
