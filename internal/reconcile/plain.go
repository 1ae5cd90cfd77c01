package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// ConvergePlain brings the processes of the scope to the desired state on a plain supervisord (no Supvisors):
// stops with stopProcess(wait=false), starts with startProcess(wait=false) (one multicall each), each followed
// by PlainWait. A restart (restartAll) is a stop, then a start. As in Converge, a one-shot program that exited
// as expected is not started again while others of the group run.
func (r Reconciler) ConvergePlain(ctx context.Context, s Scope, running, restartAll bool) error {
	members, codes, err := r.plainMembers(ctx, s)
	if err != nil {
		return err
	}
	if stop := plainToStop(members, running, restartAll); len(stop) > 0 {
		if err := r.plainDo(ctx, s, stop, false, codes); err != nil || !running {
			return err
		}
		if members, codes, err = r.plainMembers(ctx, s); err != nil {
			return err
		}
	}
	if !running {
		return nil
	}
	if toStart := ToStart(members); len(toStart) > 0 {
		if err := r.plainDo(ctx, s, toStart, true, nil); err != nil {
			return err
		}
	}
	_, err = r.Client.PlainWait(ctx, Namespecs(members), true, codes)
	return plainWaitError(s, true, err)
}

// plainToStop lists the members to stop first: every one that is not stopped when they are to be stopped, the
// running ones of a restart, and any seen STOPPING (its stop is waited for before a start).
func plainToStop(members []supvisors.ProcessInfo, running, restartAll bool) []supvisors.ProcessInfo {
	var stop []supvisors.ProcessInfo
	for _, p := range members {
		if (!running && !p.Statename.IsStopped()) || p.Statename == supvisors.ProcessStopping ||
			(running && restartAll && p.Statename.IsRunning()) {
			stop = append(stop, p)
		}
	}
	return stop
}

// plainMembers reads the processes of the scope and their exit codes from the plain supervisord.
func (r Reconciler) plainMembers(ctx context.Context, s Scope) ([]supvisors.ProcessInfo, map[string][]int, error) {
	v, err := r.Client.PlainRead(ctx)
	if err != nil {
		return nil, nil, &StepError{Summary: "Could not read the processes of " + s.ID(), Err: err}
	}
	members, _ := Members(v.ProcessesOf(s.App), s)
	if len(members) == 0 {
		return nil, nil, &NoProcessError{Scope: s, Supervisord: r.Client.Endpoint()}
	}
	codes := map[string][]int{}
	for _, p := range members {
		codes[p.Namespec()] = v.Config[p.Namespec()].Exitcodes
	}
	return members, codes, nil
}

// plainDo starts (or stops) procs; a stop is waited for here, a start by the caller (for every member).
func (r Reconciler) plainDo(ctx context.Context, s Scope, procs []supvisors.ProcessInfo, start bool, codes map[string][]int) error {
	namespecs := Namespecs(procs)
	act, verb := r.Client.PlainStop, "stop"
	if start {
		act, verb = r.Client.PlainStart, "start"
	}
	r.Log.debug(ctx, "supervisor."+verb+"Process", map[string]any{"namespecs": namespecs})
	if err := act(ctx, namespecs); err != nil {
		what := "the processes of " + s.ID()
		var ce *supvisors.CallError
		if errors.As(err, &ce) {
			if _, rest, ok := strings.Cut(ce.Method, "("); ok {
				what = strings.TrimSuffix(rest, ")") // the process Supervisor refused
			}
		}
		return &StepError{Summary: fmt.Sprintf("Could not %s %s", verb, what), Err: err}
	}
	if start {
		return nil
	}
	_, err := r.Client.PlainWait(ctx, namespecs, false, codes)
	return plainWaitError(s, false, err)
}

// plainWaitError is the outcome of PlainWait with the summaries used on a Supvisors cluster.
func plainWaitError(s Scope, running bool, err error) error {
	if err == nil {
		return nil
	}
	var settle *supvisors.SettleError
	if errors.As(err, &settle) {
		settle.Subject = "process group " + s.ID()
		summary := fmt.Sprintf("Processes of %s did not start", s.ID())
		if !running {
			summary = fmt.Sprintf("Processes of %s did not stop", s.ID())
		}
		return &StepError{Summary: summary, Err: settle}
	}
	want := "stopped"
	if running {
		want = "running"
	}
	return &StepError{Summary: fmt.Sprintf("Could not wait for %s to be %s", s.ID(), want), Err: err}
}

// Namespecs lists the namespecs of procs.
func Namespecs(procs []supvisors.ProcessInfo) []string {
	out := make([]string, len(procs))
	for i, p := range procs {
		out[i] = p.Namespec()
	}
	return out
}
