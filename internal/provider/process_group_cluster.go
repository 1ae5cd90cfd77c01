package provider

// Cluster operations of the supvisors_process_group resource: start/stop with waiting, numprocs and
// enable/disable on every instance, and the per-instance reads behind numprocs/enabled drift.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// pgReadInstances asks every RUNNING instance, in parallel, for its local processes. An instance that fails to
// answer joins the down list with the reason.
func pgReadInstances(ctx context.Context, c *supvisors.Client, snap *supvisors.Snapshot) ([]reconcile.InstanceView, []reconcile.DownInstance) {
	ids, down := reconcile.InstanceStates(snap)
	views := make([]reconcile.InstanceView, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst, err := c.Instance(ctx, id)
			if err != nil {
				errs[i] = err
				return
			}
			procs, err := inst.GetAllLocalProcessInfo(ctx)
			if err != nil {
				errs[i] = err
				return
			}
			views[i] = reconcile.InstanceView{ID: id, Client: inst, Procs: procs}
		}()
	}
	wg.Wait()
	var up []reconcile.InstanceView
	for i, id := range ids {
		if errs[i] != nil {
			down = append(down, reconcile.DownInstance{ID: id, Reason: "it did not answer: " + errs[i].Error()})
			continue
		}
		up = append(up, views[i])
	}
	sort.Slice(down, func(i, j int) bool { return down[i].ID < down[j].ID })
	return up, down
}

// pgDownWarning reports the instances that could not be read or changed, naming them.
func pgDownWarning(diags *diag.Diagnostics, s reconcile.Scope, what string, down []reconcile.DownInstance) {
	if len(down) == 0 {
		return
	}
	var lines []string
	for _, d := range down {
		lines = append(lines, fmt.Sprintf("  - %s: %s", d.ID, d.Reason))
	}
	diags.AddWarning(fmt.Sprintf("Some Supvisors instances were skipped for %s", s.ID()),
		fmt.Sprintf("%s could not be done on these instances:\n%s\n\n"+
			"numprocs and enabled are settings of each instance (update_numprocs, enable and disable act only on the "+
			"instance that receives them). Once the instances are back, run terraform plan: a difference shows as "+
			"drift and terraform apply sets it there too.", what, strings.Join(lines, "\n")))
}

// pgObservedSettings is what the instances say about numprocs and enabled for the scope.
type pgObservedSettings struct {
	Numprocs []int64 // one value per instance that was read
	Enabled  []bool  // one value per instance that was read
	Down     []reconcile.DownInstance
	// Defined holds the namespecs of the processes that the instances read define (nil when none was read).
	Defined map[string]bool
}

// pgDefinedNow reads which processes the RUNNING instances define, for reconcile.OnlyDefined.
func pgDefinedNow(ctx context.Context, c *supvisors.Client) (map[string]bool, error) {
	snap, err := c.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	views, _ := pgReadInstances(ctx, c, snap)
	return reconcile.Defined(views), nil
}

// pgReadSettings reads numprocs (count of the homogeneous program's processes) and enabled (no process of the
// scope disabled) from every instance. Instances where the scope has no process contribute nothing.
func pgReadSettings(ctx context.Context, c *supvisors.Client, snap *supvisors.Snapshot, s reconcile.Scope, numprocs, enabled bool) pgObservedSettings {
	views, down := pgReadInstances(ctx, c, snap)
	out := pgObservedSettings{Down: down, Defined: reconcile.Defined(views)}
	for _, v := range views {
		if numprocs && s.Program != "" {
			out.Numprocs = append(out.Numprocs, int64(len(reconcile.ProgramProcesses(v.Procs, s.App, s.Program))))
		}
		if enabled {
			members := reconcile.LocalMembers(v.Procs, s)
			if len(members) == 0 {
				continue
			}
			on := true
			for _, p := range members {
				if p.Disabled {
					on = false
				}
			}
			out.Enabled = append(out.Enabled, on)
		}
	}
	return out
}

// pgApplyNumprocs sets numprocs of the scope's homogeneous program on every RUNNING instance. The program is
// first checked on ALL instances (a refused update_numprocs still changes the instance it reached, API.md
// §6.15); only then is any instance changed. Decreases stop the processes in excess (lazy=false).
func pgApplyNumprocs(ctx context.Context, c *supvisors.Client, s reconcile.Scope, n int) diag.Diagnostics {
	var diags diag.Diagnostics
	snap, err := c.Snapshot(ctx)
	if err != nil {
		diags.Append(clientErrorDiagnostic("Could not read the cluster state before changing numprocs of "+s.ID(), err))
		return diags
	}
	views, down := pgReadInstances(ctx, c, snap)
	if len(views) == 0 {
		diags.AddError("No Supvisors instance can take numprocs of "+s.ID(),
			"update_numprocs acts on the instance that receives it, and no instance is RUNNING and reachable.")
		pgDownWarning(&diags, s, "update_numprocs", down)
		return diags
	}
	// Check everything before changing anything.
	current := make([]int, len(views))
	for i, v := range views {
		procs := reconcile.ProgramProcesses(v.Procs, s.App, s.Program)
		if len(procs) == 0 {
			if named := reconcile.LocalMembers(v.Procs, s); len(named) > 0 {
				procs = reconcile.ProgramProcesses(v.Procs, s.App, named[0].ProgramName)
				diags.AddAttributeError(path.Root("numprocs"), "numprocs is not applicable to "+s.ID(),
					fmt.Sprintf("%q is the process %s of the Supervisor program %q, which is not homogeneous (it has %d "+
						"process(es) and no %%(process_num) in its process_name). Supvisors would refuse update_numprocs with "+
						"NOT_APPLICABLE (fault 104), and that refused call would still change the instance. Remove numprocs, "+
						"or target a program defined with numprocs and process_name = %%(program_name)s_%%(process_num)d.",
						s.Program, named[0].Name, named[0].ProgramName, len(procs)))
				return diags
			}
			diags.AddAttributeError(path.Root("program"), "Unknown program "+s.ID(),
				fmt.Sprintf("Instance %s has no program %q in group %q.", v.ID, s.Program, s.App))
			return diags
		}
		if !reconcile.IsHomogeneous(procs) {
			diags.AddAttributeError(path.Root("numprocs"), "numprocs is not applicable to "+s.ID(),
				fmt.Sprintf("The Supervisor program %q (on %s: process %s) is not homogeneous: it has a single process whose "+
					"process_name has no %%(process_num). Supvisors refuses update_numprocs for it with NOT_APPLICABLE "+
					"(fault 104), and that refused call would still change the instance. Remove numprocs, or define the "+
					"program with numprocs and process_name = %%(program_name)s_%%(process_num)d.",
					s.Program, v.ID, procs[0].Name))
			return diags
		}
		current[i] = len(procs)
	}
	// A decrease removes the processes of index >= n. Stop them first, cluster-wide, with the usual wait and
	// report: update_numprocs only stops what runs on the instance that receives it, and with wait=false
	// Supvisors 0.19 reports FAILED for a process it is still stopping.
	excess := map[string]bool{}
	for _, v := range views {
		for _, p := range reconcile.ProgramProcesses(v.Procs, s.App, s.Program) {
			if p.ProcessIndex >= n {
				excess[supvisors.MakeNamespec(p.Group, p.Name)] = true
			}
		}
	}
	if len(excess) > 0 {
		members, err := pgFreshMembers(ctx, c, s)
		if err != nil {
			diags.Append(clientErrorDiagnostic("Could not read the processes of "+s.ID(), err))
			return diags
		}
		var running []supvisors.ProcessInfo
		for _, p := range members {
			if excess[p.Namespec()] && !p.Statename.IsStopped() {
				running = append(running, p)
			}
		}
		diags.Append(pgStop(ctx, c, s, running, false)...)
		if diags.HasError() {
			return diags
		}
	}
	var changed []reconcile.InstanceView
	for i, v := range views {
		if current[i] == n {
			continue
		}
		tflog.Debug(ctx, "update_numprocs", map[string]any{"instance": v.ID, "program": s.Program, "from": current[i], "to": n})
		err := v.Client.UpdateNumprocs(ctx, s.Program, n, true, false)
		switch {
		case err == nil:
		case n < current[i] && supvisors.IsFault(err, supvisors.FaultFailed):
			// The removal check ran before the instance had dropped the stopped processes; the poll below
			// waits for it.
			tflog.Debug(ctx, "update_numprocs: removal not confirmed yet", map[string]any{"instance": v.ID, "error": err.Error()})
		default:
			if supvisors.IsFault(err, supvisors.FaultNotApplicable) {
				// Undo what the refused call did to this instance (API.md §6.15).
				if uerr := v.Client.UpdateNumprocs(ctx, s.Program, current[i], true, false); uerr != nil {
					tflog.Warn(ctx, "could not undo a refused update_numprocs", map[string]any{"instance": v.ID, "error": uerr.Error()})
				}
			}
			diags.Append(clientAttributeErrorDiagnostic(path.Root("numprocs"),
				fmt.Sprintf("Could not set numprocs of %s to %d on instance %s", s.ID(), n, v.ID), err))
			if len(changed) > 0 {
				diags.AddWarning("numprocs was changed on some instances only",
					fmt.Sprintf("numprocs of %s is already %d on %s. Run terraform apply again once the cause is fixed.",
						s.ID(), n, pgViewIDs(changed)))
			}
			return diags
		}
		changed = append(changed, v)
	}
	// Each instance removes or adds the processes asynchronously: wait until each one shows n of them.
	for _, v := range changed {
		if err := pgPollInstance(ctx, v.Client, func(procs []supvisors.LocalProcessInfo) bool {
			return len(reconcile.ProgramProcesses(procs, s.App, s.Program)) == n
		}); err != nil {
			diags.Append(clientErrorDiagnostic(fmt.Sprintf("Instance %s did not reach numprocs=%d for %s", v.ID, n, s.ID()), err))
			return diags
		}
	}
	// The cluster view (the instance the provider talks to) must know the new set before processes are started.
	if len(changed) > 0 && len(down) == 0 {
		if err := pgPoll(ctx, func() (bool, error) {
			m, err := pgFreshMembers(ctx, c, s)
			return len(m) == n, err
		}); err != nil {
			diags.Append(clientErrorDiagnostic(fmt.Sprintf("The cluster did not show %d processes for %s", n, s.ID()), err))
			return diags
		}
	}
	pgDownWarning(&diags, s, fmt.Sprintf("update_numprocs(%q, %d)", s.Program, n), down)
	return diags
}

// pgApplyEnabled enables or disables every Supervisor program of the scope on every RUNNING instance. A disable
// also stops the local processes of the program.
func pgApplyEnabled(ctx context.Context, c *supvisors.Client, s reconcile.Scope, enabled bool) diag.Diagnostics {
	var diags diag.Diagnostics
	verb := "disable"
	if enabled {
		verb = "enable"
	}
	snap, err := c.Snapshot(ctx)
	if err != nil {
		diags.Append(clientErrorDiagnostic(fmt.Sprintf("Could not read the cluster state before %s of %s", verb, s.ID()), err))
		return diags
	}
	views, down := pgReadInstances(ctx, c, snap)
	if len(views) == 0 {
		diags.AddError(fmt.Sprintf("No Supvisors instance can %s %s", verb, s.ID()),
			verb+" acts on the instance that receives it, and no instance is RUNNING and reachable.")
		pgDownWarning(&diags, s, verb, down)
		return diags
	}
	type job struct {
		view     reconcile.InstanceView
		programs []string
	}
	var jobs []job
	for _, v := range views {
		members := reconcile.LocalMembers(v.Procs, s)
		if len(members) == 0 {
			diags.AddAttributeError(path.Root("program"), "Unknown program "+s.ID(),
				fmt.Sprintf("Instance %s has no process for %s.", v.ID, s.ID()))
			return diags
		}
		var todo []string
		for _, prog := range reconcile.ProgramNames(members) {
			for _, p := range members {
				if (p.ProgramName == prog || (p.ProgramName == "" && p.Name == prog)) && p.Disabled == enabled {
					todo = append(todo, prog)
					break
				}
			}
		}
		if len(todo) > 0 {
			jobs = append(jobs, job{view: v, programs: todo})
		}
	}
	for _, j := range jobs {
		for _, prog := range j.programs {
			tflog.Debug(ctx, verb, map[string]any{"instance": j.view.ID, "program": prog})
			if enabled {
				err = j.view.Client.Enable(ctx, prog, false)
			} else {
				err = j.view.Client.Disable(ctx, prog, false)
			}
			if err != nil {
				diags.Append(clientAttributeErrorDiagnostic(path.Root("enabled"),
					fmt.Sprintf("Could not %s program %q on instance %s", verb, prog, j.view.ID), err))
				return diags
			}
		}
	}
	for _, j := range jobs {
		if err := pgPollInstance(ctx, j.view.Client, func(procs []supvisors.LocalProcessInfo) bool {
			for _, p := range reconcile.LocalMembers(procs, s) {
				if p.Disabled == enabled || (!enabled && p.Statename.IsRunning()) {
					return false
				}
			}
			return true
		}); err != nil {
			diags.Append(clientErrorDiagnostic(fmt.Sprintf("Instance %s did not %s %s", j.view.ID, verb, s.ID()), err))
			return diags
		}
	}
	if enabled && len(jobs) > 0 {
		// Supvisors learns about the change through events; a start issued before that is refused (API.md
		// §6.11). Wait until the instance the provider talks to sees every instance enabled.
		if err := pgWaitClusterEnabled(ctx, c, s, views); err != nil {
			diags.Append(clientErrorDiagnostic(fmt.Sprintf("The cluster did not see %s enabled", s.ID()), err))
			return diags
		}
	}
	pgDownWarning(&diags, s, verb, down)
	return diags
}

// pgWaitClusterEnabled polls get_all_inner_process_info until no process of the scope is disabled in the view of
// the instance the provider talks to, for every instance in views.
func pgWaitClusterEnabled(ctx context.Context, c *supvisors.Client, s reconcile.Scope, views []reconcile.InstanceView) error {
	return pgPoll(ctx, func() (bool, error) {
		for _, v := range views {
			inner, err := c.GetAllInnerProcessInfo(ctx, v.ID)
			if err != nil {
				return false, err
			}
			local := make([]supvisors.LocalProcessInfo, 0, len(inner))
			for _, p := range inner {
				local = append(local, p.LocalProcessInfo)
			}
			for _, p := range reconcile.LocalMembers(local, s) {
				if p.Disabled {
					return false, nil
				}
			}
		}
		return true, nil
	})
}

// pgPoll calls check until it reports done, an error, or ctx ends; first interval 100 ms, x1.5, capped at 1 s.
func pgPoll(ctx context.Context, check func() (bool, error)) error {
	delay := 100 * time.Millisecond
	for {
		done, err := check()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("still waiting when the time ran out: %w", ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*3/2, time.Second)
	}
}

// pgPollInstance polls get_all_local_process_info of one instance until ok holds.
func pgPollInstance(ctx context.Context, inst *supvisors.Client, ok func([]supvisors.LocalProcessInfo) bool) error {
	return pgPoll(ctx, func() (bool, error) {
		procs, err := inst.GetAllLocalProcessInfo(ctx)
		if err != nil {
			return false, err
		}
		return ok(procs), nil
	})
}

// pgFreshMembers reads the processes of the scope from the cluster (not from the snapshot: decisions to start
// or stop need the present state).
func pgFreshMembers(ctx context.Context, c *supvisors.Client, s reconcile.Scope) ([]supvisors.ProcessInfo, error) {
	procs, err := c.GetProcessInfo(ctx, s.App+":*")
	if err != nil {
		return nil, err
	}
	members, _ := reconcile.Members(procs, s)
	return members, nil
}

// pgConvergeOptions says what pgConverge must reach.
type pgConvergeOptions struct {
	Running    bool                       // desired state
	Strategy   supvisors.StartingStrategy // for starts
	ExtraArgs  string                     // for starts; running processes with other arguments are restarted
	RestartAll bool                       // restart every running process (restart_triggers changed)
	Defined    map[string]bool            // when set, only these processes count (see reconcile.OnlyDefined)
}

// pgConverge brings the processes of the scope to the desired state.
//
// Stops: stop_process(wait=false) then WaitProcesses; NOT_RUNNING means already stopped. Starts:
// start_process(wait=false) with the extra arguments, then WaitProcesses; ALREADY_STARTED means already running.
// A process that must get other extra arguments, or be restarted, is stopped then started: restart_process with
// wait=false cannot be followed from outside (the process shows RUNNING before the restart begins as after it
// ends) and Supvisors defers its start behind the stop of the whole application's stop jobs; two explicit phases
// can each be awaited and reported. The starts also name each process rather than "app:*" whenever some are
// already running, because start_process refuses "app:*" as a whole (ALREADY_STARTED) in that case.
func pgConverge(ctx context.Context, c *supvisors.Client, s reconcile.Scope, o pgConvergeOptions) diag.Diagnostics {
	var diags diag.Diagnostics
	members, err := pgFreshMembers(ctx, c, s)
	if err != nil {
		diags.Append(clientErrorDiagnostic("Could not read the processes of "+s.ID(), err))
		return diags
	}
	members = reconcile.OnlyDefined(members, o.Defined)
	if len(members) == 0 {
		diags.AddError("No process in "+s.ID(), fmt.Sprintf("Supvisors lists no process for %s any more.", s.ID()))
		return diags
	}
	if !o.Running {
		var running []supvisors.ProcessInfo
		for _, p := range members {
			if !p.Statename.IsStopped() {
				running = append(running, p)
			}
		}
		diags.Append(pgStop(ctx, c, s, running, len(running) == len(members) || s.WholeApp())...)
		return diags
	}

	// A process on its way down cannot be started yet.
	var stopping []supvisors.ProcessInfo
	for _, p := range members {
		if p.Statename == supvisors.ProcessStopping {
			stopping = append(stopping, p)
		}
	}
	restart := append(stopping, reconcile.NeedsRestart(members, o.ExtraArgs, o.RestartAll)...)
	if len(restart) > 0 {
		diags.Append(pgStop(ctx, c, s, restart, false)...)
		if diags.HasError() {
			return diags
		}
		if members, err = pgFreshMembers(ctx, c, s); err != nil {
			diags.Append(clientErrorDiagnostic("Could not read the processes of "+s.ID(), err))
			return diags
		}
		members = reconcile.OnlyDefined(members, o.Defined)
	}

	toStart := reconcile.ToStart(members)
	var namespecs []string
	if s.WholeApp() && len(toStart) == len(members) {
		namespecs = []string{s.App + ":*"}
	} else {
		for _, p := range toStart {
			namespecs = append(namespecs, p.Namespec())
		}
	}
	for _, ns := range namespecs {
		tflog.Debug(ctx, "start_process", map[string]any{"namespec": ns, "strategy": string(o.Strategy), "extra_args": o.ExtraArgs})
		err := c.StartProcess(ctx, o.Strategy, ns, o.ExtraArgs, false)
		if err != nil && !supvisors.IsFault(err, supvisors.FaultAlreadyStarted) {
			diags.Append(clientErrorDiagnostic(fmt.Sprintf("Could not start %s", ns), err))
			return diags
		}
	}
	diags.Append(pgWait(ctx, c, s, members, true)...)
	return diags
}

// pgStop stops the given processes of the scope ("app:*" when whole is set) and waits until they are stopped.
func pgStop(ctx context.Context, c *supvisors.Client, s reconcile.Scope, procs []supvisors.ProcessInfo, whole bool) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(procs) == 0 {
		return diags
	}
	var namespecs []string
	if whole && s.WholeApp() {
		namespecs = []string{s.App + ":*"}
	} else {
		for _, p := range procs {
			if p.Statename == supvisors.ProcessStopping {
				continue // already on its way: just wait
			}
			namespecs = append(namespecs, p.Namespec())
		}
	}
	for _, ns := range namespecs {
		tflog.Debug(ctx, "stop_process", map[string]any{"namespec": ns})
		err := c.StopProcess(ctx, ns, false)
		if err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
			diags.Append(clientErrorDiagnostic(fmt.Sprintf("Could not stop %s", ns), err))
			return diags
		}
	}
	diags.Append(pgWait(ctx, c, s, procs, false)...)
	return diags
}

// pgWait waits until the given processes of the scope are settled in the wanted state: "app:*" at once when
// the scope is the whole application, else one process after the other (each wait ends as soon as that
// process has settled, so the total is the longest of them). Every process that settled elsewhere is reported.
func pgWait(ctx context.Context, c *supvisors.Client, s reconcile.Scope, procs []supvisors.ProcessInfo, running bool) diag.Diagnostics {
	var diags diag.Diagnostics
	var namespecs []string
	if s.WholeApp() {
		namespecs = []string{s.App + ":*"}
	} else {
		for _, p := range procs {
			namespecs = append(namespecs, p.Namespec())
		}
	}
	want := "stopped"
	if running {
		want = "running"
	}
	var failures []supvisors.ProcessFailure
	var settle *supvisors.SettleError
	for _, ns := range namespecs {
		_, err := c.WaitProcesses(ctx, ns, running)
		switch {
		case err == nil:
		case errors.As(err, &settle):
			failures = append(failures, settle.Processes...)
			if len(settle.Processes) == 0 {
				failures = append(failures, supvisors.ProcessFailure{Namespec: ns, Statename: supvisors.ProcessState(settle.Got)})
			}
		default:
			diags.Append(clientErrorDiagnostic(fmt.Sprintf("Could not wait for %s to be %s", ns, want), err))
			return diags
		}
	}
	if len(failures) > 0 {
		e := &supvisors.SettleError{Subject: "process group " + s.ID(), Want: strings.ToUpper(want), Got: reconcile.WorstState(failures), Processes: failures}
		summary := fmt.Sprintf("Processes of %s did not start", s.ID())
		if !running {
			summary = fmt.Sprintf("Processes of %s did not stop", s.ID())
		}
		diags.Append(clientErrorDiagnostic(summary, e))
	}
	return diags
}

// pgViewIDs lists the identifiers of instance views, for messages.
func pgViewIDs(views []reconcile.InstanceView) string {
	ids := make([]string, len(views))
	for i, v := range views {
		ids[i] = v.ID
	}
	return strings.Join(ids, ", ")
}
