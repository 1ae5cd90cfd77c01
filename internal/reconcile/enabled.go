package reconcile

import (
	"context"
	"fmt"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// enableJob is the programs to enable or disable on one instance.
type enableJob struct {
	view     InstanceView
	programs []string
}

// ApplyEnabled enables or disables every Supervisor program of the scope on every RUNNING instance (checked on
// all of them first). A disable also stops the local processes of the program. After an enable, it waits until
// the instance the provider talks to sees every instance enabled: Supvisors learns about the change through
// events, and a start issued before that is refused (API.md §6.11).
func (r Reconciler) ApplyEnabled(ctx context.Context, s Scope, enabled bool) (Notes, error) {
	verb := "disable"
	if enabled {
		verb = "enable"
	}
	snap, err := r.Client.Snapshot(ctx)
	if err != nil {
		return Notes{}, &StepError{Summary: fmt.Sprintf("Could not read the cluster state before %s of %s", verb, s.ID()), Err: err}
	}
	views, down := r.ReadInstances(ctx, snap)
	if len(views) == 0 {
		return Notes{Skipped: skipped(s, verb, down)}, &NoInstanceError{Scope: s, Verb: verb, Down: down}
	}
	jobs, err := enableJobs(s, views, enabled)
	if err != nil {
		return Notes{}, err
	}
	if err := r.sendEnabled(ctx, jobs, verb, enabled); err != nil {
		return Notes{}, err
	}
	if err := r.waitEnabled(ctx, s, jobs, verb, enabled); err != nil {
		return Notes{}, err
	}
	if enabled && len(jobs) > 0 {
		if err := r.waitClusterEnabled(ctx, s, views); err != nil {
			return Notes{}, &StepError{Summary: fmt.Sprintf("The cluster did not see %s enabled", s.ID()), Err: err}
		}
	}
	return Notes{Skipped: skipped(s, verb, down)}, nil
}

// sendEnabled sends enable or disable for each program of each job, stopping at the first refusal.
func (r Reconciler) sendEnabled(ctx context.Context, jobs []enableJob, verb string, enabled bool) error {
	for _, j := range jobs {
		for _, prog := range j.programs {
			r.Log.debug(ctx, verb, map[string]any{"instance": j.view.ID, "program": prog})
			var err error
			if enabled {
				err = j.view.Client.Enable(ctx, prog, false)
			} else {
				err = j.view.Client.Disable(ctx, prog, false)
			}
			if err != nil {
				return &StepError{Attribute: "enabled", Err: err,
					Summary: fmt.Sprintf("Could not %s program %q on instance %s", verb, prog, j.view.ID)}
			}
		}
	}
	return nil
}

// waitEnabled waits until each instance of jobs shows the scope's processes enabled (or disabled and stopped).
func (r Reconciler) waitEnabled(ctx context.Context, s Scope, jobs []enableJob, verb string, enabled bool) error {
	for _, j := range jobs {
		if err := pollInstance(ctx, j.view.Client, func(procs []supvisors.LocalProcessInfo) bool {
			for _, p := range LocalMembers(procs, s) {
				if p.Disabled == enabled || (!enabled && p.Statename.IsRunning()) {
					return false
				}
			}
			return true
		}); err != nil {
			return &StepError{Summary: fmt.Sprintf("Instance %s did not %s %s", j.view.ID, verb, s.ID()), Err: err}
		}
	}
	return nil
}

// enableJobs lists, per instance, the programs of the scope whose enabled flag must change.
func enableJobs(s Scope, views []InstanceView, enabled bool) ([]enableJob, error) {
	var jobs []enableJob
	for _, v := range views {
		members := LocalMembers(v.Procs, s)
		if len(members) == 0 {
			return nil, &UnknownProgramError{Scope: s, Instance: v.ID}
		}
		var todo []string
		for _, prog := range ProgramNames(members) {
			for _, p := range members {
				if (p.ProgramName == prog || (p.ProgramName == "" && p.Name == prog)) && p.Disabled == enabled {
					todo = append(todo, prog)
					break
				}
			}
		}
		if len(todo) > 0 {
			jobs = append(jobs, enableJob{view: v, programs: todo})
		}
	}
	return jobs, nil
}

// waitClusterEnabled polls get_all_inner_process_info until no process of the scope is disabled in the view of
// the instance the provider talks to, for every instance in views.
func (r Reconciler) waitClusterEnabled(ctx context.Context, s Scope, views []InstanceView) error {
	return poll(ctx, func() (bool, error) {
		for _, v := range views {
			inner, err := r.Client.GetAllInnerProcessInfo(ctx, v.ID)
			if err != nil {
				return false, err
			}
			local := make([]supvisors.LocalProcessInfo, 0, len(inner))
			for _, p := range inner {
				local = append(local, p.LocalProcessInfo)
			}
			for _, p := range LocalMembers(local, s) {
				if p.Disabled {
					return false, nil
				}
			}
		}
		return true, nil
	})
}
