package supvisors

// Configuration rollout: what `supervisorctl update` does, over one or several
// supervisords (plain ones, or every instance of a Supvisors cluster, each of
// which is a supervisord with its own configuration files).

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// RolloutTarget is one supervisord a rollout covers.
type RolloutTarget struct {
	Name   string  // how messages and results name it (an instance identifier, or the URL)
	Client *Client // reaches that supervisord
}

// RolloutOptions tunes Rollout.
type RolloutOptions struct {
	// Match limits the groups the rollout may add, change or remove. Nil means
	// every group, as supervisorctl update. Groups that reloadConfig reports
	// but Match refuses are left as they are and listed in
	// InstanceRollout.Skipped.
	Match func(group string) bool
}

// InstanceRollout is what a rollout did on one supervisord. Added, Changed and
// Removed are sorted group names.
type InstanceRollout struct {
	Instance string
	Added    []string
	Changed  []string
	Removed  []string
	Skipped  []string // reported by reloadConfig, excluded by RolloutOptions.Match
}

// RolloutError names the supervisord and, when one is concerned, the group
// of a failed rollout step ("read the configuration", "stop", "remove",
// "add", "start").
type RolloutError struct {
	Instance string
	Group    string // "" when the step concerns the whole supervisord
	Step     string
	Err      error
}

// Error names the instance, the group and the step, then the cause.
func (e *RolloutError) Error() string {
	if e.Group == "" {
		return fmt.Sprintf("instance %s: %s: %v", e.Instance, e.Step, e.Err)
	}
	return fmt.Sprintf("instance %s, group %s: %s: %v", e.Instance, e.Group, e.Step, e.Err)
}

// Unwrap returns the cause.
func (e *RolloutError) Unwrap() error { return e.Err }

// Rollout applies the configuration files of every target like
// `supervisorctl update`, in two phases:
//
//  1. supervisor.reloadConfig on every target. It re-reads the files and only
//     reports the differences (added, changed, removed groups); no process is
//     touched. When one target cannot parse its configuration (fault
//     CANT_REREAD, with supervisord's own message), Rollout stops there and
//     nothing is changed on any target.
//  2. Target after target (a rolling update): each removed group is stopped,
//     then removed (removeProcessGroup); each changed group is stopped,
//     removed, added again, and its processes that ran before or whose
//     program says autostart are started; each added group is added
//     (addProcessGroup) and its autostart processes are started. Every stop
//     and start is awaited with Supervisor's states (PlainWait). Groups that
//     reloadConfig does not report are not touched.
//
// Rollout stops at the first target where a step failed (the remaining
// targets keep their running configuration; a later Rollout picks them up,
// since reloadConfig reports the same differences again), after finishing the
// other groups of that target. The results list every target that was rolled
// out, the failed one included; the error joins *RolloutError values.
func Rollout(ctx context.Context, targets []RolloutTarget, o RolloutOptions) ([]InstanceRollout, error) {
	match := o.Match
	if match == nil {
		match = func(string) bool { return true }
	}
	diffs := make([]ReloadResult, len(targets))
	for i, t := range targets {
		d, err := t.Client.Supervisor().ReloadConfig(ctx)
		if err != nil {
			return nil, &RolloutError{Instance: t.Name, Step: "read the configuration (supervisor.reloadConfig)",
				Err: err}
		}
		diffs[i] = d
	}
	var out []InstanceRollout
	for i, t := range targets {
		r, errs := rolloutOne(ctx, t, diffs[i], match)
		out = append(out, r)
		if len(errs) > 0 {
			return out, errors.Join(errs...)
		}
	}
	return out, nil
}

// rolloutOne applies one target's differences: the removed and changed groups are taken down first, then the
// changed groups that came down and the added ones are brought up.
func rolloutOne(ctx context.Context, t RolloutTarget, d ReloadResult, match func(string) bool) (InstanceRollout, []error) {
	ro := &targetRollout{t: t, r: InstanceRollout{Instance: t.Name}}
	added, changed, removed := ro.split(d.Added, match), ro.split(d.Changed, match), ro.split(d.Removed, match)
	slices.Sort(ro.r.Skipped)
	if len(added)+len(changed)+len(removed) == 0 {
		return ro.r, nil
	}
	before, err := t.Client.PlainRead(ctx)
	if err != nil {
		ro.fail("", "read the processes", err)
		return ro.r, ro.errs
	}
	wasRunning := map[string][]string{} // changed group -> processes that ran
	for _, g := range append(slices.Clone(removed), changed...) {
		running := groupProcesses(before, g, func(p ProcessInfo) bool { return !p.Statename.IsStopped() })
		if slices.Contains(changed, g) {
			wasRunning[g] = running
		}
		if ro.takeDown(ctx, g, running) && slices.Contains(removed, g) {
			ro.r.Removed = append(ro.r.Removed, g)
		}
	}
	var toAdd []string
	for _, g := range changed {
		if !ro.failed(g) {
			toAdd = append(toAdd, g)
		}
	}
	for _, g := range append(toAdd, added...) {
		ro.bringUp(ctx, g, wasRunning[g])
		if slices.Contains(changed, g) {
			ro.r.Changed = append(ro.r.Changed, g)
		} else {
			ro.r.Added = append(ro.r.Added, g)
		}
	}
	return ro.r, ro.errs
}

// targetRollout is the rollout of one target in progress: what it did, and the errors of its steps.
type targetRollout struct {
	t    RolloutTarget
	r    InstanceRollout
	errs []error
}

// split returns the groups that match accepts, sorted, and adds the others to Skipped.
func (ro *targetRollout) split(groups []string, match func(string) bool) []string {
	var in []string
	for _, g := range groups {
		if match(g) {
			in = append(in, g)
		} else {
			ro.r.Skipped = append(ro.r.Skipped, g)
		}
	}
	slices.Sort(in)
	return in
}

// fail records the failure of step on group ("" for the whole target).
func (ro *targetRollout) fail(group, step string, err error) {
	ro.errs = append(ro.errs, &RolloutError{Instance: ro.t.Name, Group: group, Step: step, Err: err})
}

// failed reports whether a step on group failed.
func (ro *targetRollout) failed(group string) bool {
	return slices.ContainsFunc(ro.errs, func(e error) bool {
		var re *RolloutError
		return errors.As(e, &re) && re.Group == group
	})
}

// takeDown stops the running processes of group g, waits until they are stopped, and removes the group
// (removeProcessGroup; a group already gone is not an error). It reports false after recording a failure.
func (ro *targetRollout) takeDown(ctx context.Context, g string, running []string) bool {
	c := ro.t.Client
	if err := c.PlainStop(ctx, running); err != nil {
		ro.fail(g, "stop", err)
		return false
	}
	if _, err := c.PlainWait(ctx, running, false, nil); err != nil {
		ro.fail(g, "stop", err)
		return false
	}
	if err := c.Supervisor().RemoveProcessGroup(ctx, g); err != nil && !IsFault(err, FaultBadName) {
		ro.fail(g, "remove", err)
		return false
	}
	return true
}

// bringUp adds group g (addProcessGroup; a group already there is not an error) and starts its processes that
// ran before (wasRunning) or whose program says autostart, waiting until they run.
func (ro *targetRollout) bringUp(ctx context.Context, g string, wasRunning []string) {
	c := ro.t.Client
	if err := c.Supervisor().AddProcessGroup(ctx, g); err != nil && !IsFault(err, FaultAlreadyAdded) {
		ro.fail(g, "add", err)
		return
	}
	after, err := c.PlainRead(ctx)
	if err != nil {
		ro.fail(g, "read the processes", err)
		return
	}
	start := groupProcesses(after, g, func(p ProcessInfo) bool {
		return after.Config[p.Namespec()].Autostart || slices.Contains(wasRunning, p.Namespec())
	})
	codes := map[string][]int{}
	for _, ns := range start {
		codes[ns] = after.Config[ns].Exitcodes
	}
	if err := c.PlainStart(ctx, start); err != nil {
		ro.fail(g, "start", err)
	} else if _, err := c.PlainWait(ctx, start, true, codes); err != nil {
		ro.fail(g, "start", err)
	}
}

// groupProcesses lists the namespecs of the processes of group
// g that keep satisfies, sorted.
func groupProcesses(v *PlainView, g string, keep func(ProcessInfo) bool) []string {
	var out []string
	for _, p := range v.ProcessesOf(g) {
		if keep(p) {
			out = append(out, MakeNamespec(g, p.ProcessName))
		}
	}
	slices.Sort(out)
	return out
}

// String summarises an instance rollout, e.g. "added roll_a; changed roll_b".
func (r InstanceRollout) String() string {
	var parts []string
	for _, x := range []struct {
		what   string
		groups []string
	}{{"added", r.Added}, {"changed", r.Changed}, {"removed", r.Removed}} {
		if len(x.groups) > 0 {
			parts = append(parts, x.what+" "+strings.Join(x.groups, ", "))
		}
	}
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, "; ")
}
