package reconcile

// What a process group does on the cluster: start/stop with waiting, numprocs and enable/disable on every
// instance, and the per-instance reads behind numprocs/enabled drift.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// ReadInstances asks every RUNNING instance, in parallel, for its local processes. An instance that fails to
// answer joins the down list with the reason.
func (r Reconciler) ReadInstances(ctx context.Context, snap *supvisors.Snapshot) ([]InstanceView, []DownInstance) {
	ids, down := InstanceStates(snap)
	views := make([]InstanceView, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst, err := r.Client.Instance(ctx, id)
			if err != nil {
				errs[i] = err
				return
			}
			procs, err := inst.GetAllLocalProcessInfo(ctx)
			if err != nil {
				errs[i] = err
				return
			}
			views[i] = InstanceView{ID: id, Client: inst, Procs: procs}
		}()
	}
	wg.Wait()
	var up []InstanceView
	for i, id := range ids {
		if errs[i] != nil {
			down = append(down, DownInstance{ID: id, Reason: "it did not answer: " + errs[i].Error()})
			continue
		}
		up = append(up, views[i])
	}
	sort.Slice(down, func(i, j int) bool { return down[i].ID < down[j].ID })
	return up, down
}

// ObservedSettings is what the instances say about numprocs and enabled for a scope.
type ObservedSettings struct {
	Numprocs []int64 // one value per instance that was read
	Enabled  []bool  // one value per instance that was read
	Down     []DownInstance
	// Defined holds the namespecs of the processes that the instances read define (nil when none was read).
	Defined map[string]bool
}

// DefinedNow reads which processes the RUNNING instances define, for OnlyDefined.
func (r Reconciler) DefinedNow(ctx context.Context) (map[string]bool, error) {
	snap, err := r.Client.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	views, _ := r.ReadInstances(ctx, snap)
	return Defined(views), nil
}

// ReadSettings reads numprocs (count of the homogeneous program's processes) and enabled (no process of the
// scope disabled) from every instance. Instances where the scope has no process contribute nothing.
func (r Reconciler) ReadSettings(ctx context.Context, snap *supvisors.Snapshot, s Scope, numprocs, enabled bool) ObservedSettings {
	views, down := r.ReadInstances(ctx, snap)
	out := ObservedSettings{Down: down, Defined: Defined(views)}
	for _, v := range views {
		if numprocs && s.Program != "" {
			out.Numprocs = append(out.Numprocs, int64(len(ProgramProcesses(v.Procs, s.App, s.Program))))
		}
		if enabled {
			members := LocalMembers(v.Procs, s)
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

// FreshMembers reads the processes of the scope from the cluster (not from the snapshot: decisions to start
// or stop need the present state).
func (r Reconciler) FreshMembers(ctx context.Context, s Scope) ([]supvisors.ProcessInfo, error) {
	procs, err := r.Client.GetProcessInfo(ctx, s.App+":*")
	if err != nil {
		return nil, err
	}
	members, _ := Members(procs, s)
	return members, nil
}

// pollMax caps the interval of the waits on the instances' settings.
const pollMax = time.Second

// poll calls check until it reports done, an error, or ctx ends (supvisors.PollUntil, up to 1 s apart).
func poll(ctx context.Context, check func() (bool, error)) error {
	return supvisors.PollUntil(ctx, pollMax, check)
}

// pollInstance polls get_all_local_process_info of one instance until ok holds.
func pollInstance(ctx context.Context, inst *supvisors.Client, ok func([]supvisors.LocalProcessInfo) bool) error {
	return poll(ctx, func() (bool, error) {
		procs, err := inst.GetAllLocalProcessInfo(ctx)
		if err != nil {
			return false, err
		}
		return ok(procs), nil
	})
}

// ConvergeOptions says what Converge must reach.
type ConvergeOptions struct {
	Running    bool                       // desired state
	Strategy   supvisors.StartingStrategy // for starts
	ExtraArgs  string                     // for starts; running processes with other arguments are restarted
	RestartAll bool                       // restart every running process (restart_triggers changed)
	Defined    map[string]bool            // when set, only these processes count (see OnlyDefined)
}

// Converge brings the processes of the scope to the desired state.
//
// Stops: stop_process(wait=false) then WaitProcesses; NOT_RUNNING means already stopped. Starts:
// start_process(wait=false) with the extra arguments, then WaitProcesses; ALREADY_STARTED means already running.
// A process that must get other extra arguments, or be restarted, is stopped then started: restart_process with
// wait=false cannot be followed from outside (the process shows RUNNING before the restart begins as after it
// ends) and Supvisors defers its start behind the stop of the whole application's stop jobs; two explicit phases
// can each be awaited and reported. The starts also name each process rather than "app:*" whenever some are
// already running, because start_process refuses "app:*" as a whole (ALREADY_STARTED) in that case.
func (r Reconciler) Converge(ctx context.Context, s Scope, o ConvergeOptions) error {
	members, err := r.definedMembers(ctx, s, o.Defined)
	if err != nil {
		return err
	}
	if len(members) == 0 {
		return &NoProcessError{Scope: s}
	}
	if !o.Running {
		running := processesWhere(members, func(p supvisors.ProcessInfo) bool { return !p.Statename.IsStopped() })
		return r.stop(ctx, s, running, len(running) == len(members) || s.WholeApp())
	}
	// A process on its way down cannot be started yet.
	stopping := processesWhere(members, func(p supvisors.ProcessInfo) bool { return p.Statename == supvisors.ProcessStopping })
	if restart := append(stopping, NeedsRestart(members, o.ExtraArgs, o.RestartAll)...); len(restart) > 0 {
		if err := r.stop(ctx, s, restart, false); err != nil {
			return err
		}
		if members, err = r.definedMembers(ctx, s, o.Defined); err != nil {
			return err
		}
	}
	return r.start(ctx, s, o, members)
}

// processesWhere lists the processes that keep accepts, in their order.
func processesWhere(procs []supvisors.ProcessInfo, keep func(supvisors.ProcessInfo) bool) []supvisors.ProcessInfo {
	var out []supvisors.ProcessInfo
	for _, p := range procs {
		if keep(p) {
			out = append(out, p)
		}
	}
	return out
}

// start starts what is not running among the members of the scope (see startNamespecs) with the strategy and
// extra arguments of o, and waits until they all run.
func (r Reconciler) start(ctx context.Context, s Scope, o ConvergeOptions, members []supvisors.ProcessInfo) error {
	for _, ns := range startNamespecs(s, members) {
		r.Log.debug(ctx, "start_process", map[string]any{"namespec": ns, "strategy": string(o.Strategy), "extra_args": o.ExtraArgs})
		err := r.Client.StartProcess(ctx, o.Strategy, ns, o.ExtraArgs, false)
		if err != nil && !supvisors.IsFault(err, supvisors.FaultAlreadyStarted) {
			return &StepError{Summary: fmt.Sprintf("Could not start %s", ns), Err: err}
		}
	}
	return r.wait(ctx, s, members, true)
}

// definedMembers is FreshMembers kept to the defined processes.
func (r Reconciler) definedMembers(ctx context.Context, s Scope, defined map[string]bool) ([]supvisors.ProcessInfo, error) {
	members, err := r.FreshMembers(ctx, s)
	if err != nil {
		return nil, &StepError{Summary: "Could not read the processes of " + s.ID(), Err: err}
	}
	return OnlyDefined(members, defined), nil
}

// startNamespecs names what to start: "app:*" when the whole application starts, else each process of ToStart.
func startNamespecs(s Scope, members []supvisors.ProcessInfo) []string {
	toStart := ToStart(members)
	if s.WholeApp() && len(toStart) == len(members) {
		return []string{s.App + ":*"}
	}
	var namespecs []string
	for _, p := range toStart {
		namespecs = append(namespecs, p.Namespec())
	}
	return namespecs
}

// stop stops the given processes of the scope ("app:*" when whole is set) and waits until they are stopped.
func (r Reconciler) stop(ctx context.Context, s Scope, procs []supvisors.ProcessInfo, whole bool) error {
	if len(procs) == 0 {
		return nil
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
		r.Log.debug(ctx, "stop_process", map[string]any{"namespec": ns})
		err := r.Client.StopProcess(ctx, ns, false)
		if err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
			return &StepError{Summary: fmt.Sprintf("Could not stop %s", ns), Err: err}
		}
	}
	return r.wait(ctx, s, procs, false)
}

// wait waits until the given processes of the scope are settled in the wanted state: "app:*" at once when
// the scope is the whole application, else one process after the other (each wait ends as soon as that
// process has settled, so the total is the longest of them). Every process that settled elsewhere is reported
// in one *supvisors.SettleError.
func (r Reconciler) wait(ctx context.Context, s Scope, procs []supvisors.ProcessInfo, running bool) error {
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
		_, err := r.Client.WaitProcesses(ctx, ns, running)
		switch {
		case err == nil:
		case errors.As(err, &settle):
			failures = append(failures, settle.Processes...)
			if len(settle.Processes) == 0 {
				failures = append(failures, supvisors.ProcessFailure{Namespec: ns, Statename: supvisors.ProcessState(settle.Got)})
			}
		default:
			return &StepError{Summary: fmt.Sprintf("Could not wait for %s to be %s", ns, want), Err: err}
		}
	}
	if len(failures) == 0 {
		return nil
	}
	e := &supvisors.SettleError{Subject: "process group " + s.ID(), Want: strings.ToUpper(want), Got: WorstState(failures), Processes: failures}
	summary := fmt.Sprintf("Processes of %s did not start", s.ID())
	if !running {
		summary = fmt.Sprintf("Processes of %s did not stop", s.ID())
	}
	return &StepError{Summary: summary, Err: e}
}

// ProcessGroup is the desired state of a process group, with what changed since the last apply.
type ProcessGroup struct {
	Scope     Scope
	Running   bool   // state = running
	Strategy  string // for starts; unset: the starting strategy of the application's rules
	ExtraArgs string
	// Numprocs is the desired numprocs (0: not managed); SetNumprocs asks to apply it.
	Numprocs    int
	SetNumprocs bool
	// Enable and Disable ask to change the enabled flag of the scope's programs on every instance.
	Enable, Disable bool
	RestartAll      bool // restart every running process (restart_triggers changed)
}

// ApplyProcessGroup brings the cluster to d and returns the processes of the scope afterwards.
//
// Order: enable first (a disabled program cannot start), then numprocs (new processes must exist before they
// are started), then the running state with its extra arguments and restarts, and disable last (after the stop
// that state = "stopped" requires with enabled = false).
func (r Reconciler) ApplyProcessGroup(ctx context.Context, d ProcessGroup) ([]supvisors.ProcessInfo, Notes, error) {
	s := d.Scope
	var notes Notes
	step := func(n Notes, err error) error {
		notes.add(n)
		return err
	}
	if d.Enable {
		r.Log.debug(ctx, "enabling", map[string]any{"id": s.ID()})
		if err := step(r.ApplyEnabled(ctx, s, true)); err != nil {
			return nil, notes, err
		}
	}
	if d.SetNumprocs {
		r.Log.debug(ctx, "setting numprocs", map[string]any{"id": s.ID(), "numprocs": d.Numprocs})
		if err := step(r.ApplyNumprocs(ctx, s, d.Numprocs)); err != nil {
			return nil, notes, err
		}
	}
	var defined map[string]bool
	if d.Numprocs > 0 {
		var err error
		if defined, err = r.DefinedNow(ctx); err != nil {
			return nil, notes, &StepError{Summary: "Could not read the processes of " + s.ID() + " on the instances", Err: err}
		}
	}
	strategy := supvisors.StartingStrategy(d.Strategy)
	if d.Running {
		// Unset: the starting strategy of the application's rules (one read per apply, not per resource).
		var err error
		if strategy, err = r.Client.ResolveStrategy(ctx, s.App, strategy); err != nil {
			return nil, notes, &StepError{Summary: "Could not read the rules of application " + s.App, Err: err}
		}
	}
	r.Log.debug(ctx, "converging", map[string]any{"id": s.ID(), "running": d.Running, "restart": d.RestartAll})
	if err := r.Converge(ctx, s, ConvergeOptions{Running: d.Running, Strategy: strategy, ExtraArgs: d.ExtraArgs,
		RestartAll: d.RestartAll, Defined: defined}); err != nil {
		return nil, notes, err
	}
	if d.Disable {
		r.Log.debug(ctx, "disabling", map[string]any{"id": s.ID()})
		if err := step(r.ApplyEnabled(ctx, s, false)); err != nil {
			return nil, notes, err
		}
	}
	members, err := r.FreshMembers(ctx, s)
	if err != nil {
		return nil, notes, &StepError{Summary: "Could not read the processes of " + s.ID() + " after the change", Err: err}
	}
	return OnlyDefined(members, defined), notes, nil
}
