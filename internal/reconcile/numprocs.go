package reconcile

import (
	"context"
	"fmt"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// ApplyNumprocs sets numprocs of the scope's homogeneous program on every RUNNING instance. The program is
// first checked on ALL instances (a refused update_numprocs still changes the instance it reached, API.md
// §6.15); only then is any instance changed. Decreases stop the processes in excess (lazy=false) first.
func (r Reconciler) ApplyNumprocs(ctx context.Context, s Scope, n int) (Notes, error) {
	snap, err := r.Client.Snapshot(ctx)
	if err != nil {
		return Notes{}, &StepError{Summary: "Could not read the cluster state before changing numprocs of " + s.ID(), Err: err}
	}
	views, down := r.ReadInstances(ctx, snap)
	if len(views) == 0 {
		return Notes{Skipped: skipped(s, "update_numprocs", down)}, &NoInstanceError{Scope: s, Verb: "update_numprocs", Down: down}
	}
	current, err := checkNumprocs(s, views)
	if err != nil {
		return Notes{}, err
	}
	if err := r.stopExcess(ctx, s, views, n); err != nil {
		return Notes{}, err
	}
	changed, notes, err := r.updateNumprocs(ctx, s, views, current, n)
	if err != nil {
		return notes, err
	}
	// Each instance removes or adds the processes asynchronously: wait until each one shows n of them.
	for _, v := range changed {
		if err := pollInstance(ctx, v.Client, func(procs []supvisors.LocalProcessInfo) bool {
			return len(ProgramProcesses(procs, s.App, s.Program)) == n
		}); err != nil {
			return Notes{}, &StepError{Summary: fmt.Sprintf("Instance %s did not reach numprocs=%d for %s", v.ID, n, s.ID()), Err: err}
		}
	}
	// The cluster view (the instance the provider talks to) must know the new set before processes are started.
	if len(changed) > 0 && len(down) == 0 {
		if err := poll(ctx, func() (bool, error) {
			m, err := r.FreshMembers(ctx, s)
			return len(m) == n, err
		}); err != nil {
			return Notes{}, &StepError{Summary: fmt.Sprintf("The cluster did not show %d processes for %s", n, s.ID()), Err: err}
		}
	}
	return Notes{Skipped: skipped(s, fmt.Sprintf("update_numprocs(%q, %d)", s.Program, n), down)}, nil
}

// checkNumprocs checks, before anything changes, that the scope's program is homogeneous on every instance,
// and returns its current numprocs on each.
func checkNumprocs(s Scope, views []InstanceView) ([]int, error) {
	current := make([]int, len(views))
	for i, v := range views {
		procs := ProgramProcesses(v.Procs, s.App, s.Program)
		if len(procs) == 0 {
			if named := LocalMembers(v.Procs, s); len(named) > 0 {
				procs = ProgramProcesses(v.Procs, s.App, named[0].ProgramName)
				return nil, &NotHomogeneousError{Scope: s, Instance: v.ID, Process: named[0].Name,
					ProgramName: named[0].ProgramName, Processes: len(procs), NamedProcess: true}
			}
			return nil, &UnknownProgramError{Scope: s, Instance: v.ID, Numprocs: true}
		}
		if !IsHomogeneous(procs) {
			return nil, &NotHomogeneousError{Scope: s, Instance: v.ID, Process: procs[0].Name,
				ProgramName: s.Program, Processes: len(procs)}
		}
		current[i] = len(procs)
	}
	return current, nil
}

// stopExcess stops, cluster-wide and with the usual wait and report, the processes a decrease to n removes
// (index >= n): update_numprocs only stops what runs on the instance that receives it, and with wait=false
// Supvisors 0.19 reports FAILED for a process it is still stopping.
func (r Reconciler) stopExcess(ctx context.Context, s Scope, views []InstanceView, n int) error {
	excess := map[string]bool{}
	for _, v := range views {
		for _, p := range ProgramProcesses(v.Procs, s.App, s.Program) {
			if p.ProcessIndex >= n {
				excess[supvisors.MakeNamespec(p.Group, p.Name)] = true
			}
		}
	}
	if len(excess) == 0 {
		return nil
	}
	members, err := r.FreshMembers(ctx, s)
	if err != nil {
		return &StepError{Summary: "Could not read the processes of " + s.ID(), Err: err}
	}
	var running []supvisors.ProcessInfo
	for _, p := range members {
		if excess[p.Namespec()] && !p.Statename.IsStopped() {
			running = append(running, p)
		}
	}
	return r.stop(ctx, s, running, false)
}

// updateNumprocs sends update_numprocs to each instance whose numprocs differs from n, and returns those it
// changed. A NOT_APPLICABLE refusal is undone on the instance it reached (API.md §6.15).
func (r Reconciler) updateNumprocs(ctx context.Context, s Scope, views []InstanceView, current []int, n int) ([]InstanceView, Notes, error) {
	var changed []InstanceView
	for i, v := range views {
		if current[i] == n {
			continue
		}
		r.Log.debug(ctx, "update_numprocs", map[string]any{"instance": v.ID, "program": s.Program, "from": current[i], "to": n})
		err := v.Client.UpdateNumprocs(ctx, s.Program, n, true, false)
		switch {
		case err == nil:
		case n < current[i] && supvisors.IsFault(err, supvisors.FaultFailed):
			// The removal check ran before the instance had dropped the stopped processes; the caller's poll
			// waits for it.
			r.Log.debug(ctx, "update_numprocs: removal not confirmed yet", map[string]any{"instance": v.ID, "error": err.Error()})
		default:
			if supvisors.IsFault(err, supvisors.FaultNotApplicable) {
				if uerr := v.Client.UpdateNumprocs(ctx, s.Program, current[i], true, false); uerr != nil {
					r.Log.debug(ctx, "could not undo a refused update_numprocs", map[string]any{"instance": v.ID, "error": uerr.Error()})
				}
			}
			var notes Notes
			if len(changed) > 0 {
				notes.Partial = &PartialChange{Scope: s, Numprocs: n, Instances: viewIDs(changed)}
			}
			return nil, notes, &StepError{Attribute: "numprocs", Err: err,
				Summary: fmt.Sprintf("Could not set numprocs of %s to %d on instance %s", s.ID(), n, v.ID)}
		}
		changed = append(changed, v)
	}
	return changed, Notes{}, nil
}
