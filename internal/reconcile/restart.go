package reconcile

import (
	"context"
	"errors"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// ProcessCall is one restart_process (or start_process) call: a namespec and its extra arguments.
type ProcessCall struct {
	Namespec  string
	ExtraArgs string
}

// RestartCalls decides the calls of a restart of namespec, whose processes are procs (at least one): one call
// for the namespec with extraArgs when they are given (configured), or with the arguments every process runs
// with now; else one call per process with its own arguments.
func RestartCalls(namespec string, procs []supvisors.ProcessInfo, extraArgs string, configured bool) []ProcessCall {
	if configured {
		return []ProcessCall{{namespec, extraArgs}}
	}
	for _, q := range procs[1:] {
		if q.ExtraArgs != procs[0].ExtraArgs {
			calls := make([]ProcessCall, 0, len(procs))
			for _, p := range procs {
				calls = append(calls, ProcessCall{p.Namespec(), p.ExtraArgs})
			}
			return calls
		}
	}
	return []ProcessCall{{namespec, procs[0].ExtraArgs}}
}

// CallError is a restart_process or start_process call the cluster refused.
type CallError struct {
	Namespec string
	Err      error
}

func (e *CallError) Error() string { return e.Namespec + ": " + e.Err.Error() }

// Unwrap exposes the client's error.
func (e *CallError) Unwrap() error { return e.Err }

// RestartProcesses sends the restart calls (wait=false) and waits until the processes of namespec run again. If
// they are seen plainly stopped (between the stop and the start of the restart), it finishes with a start.
func (r Reconciler) RestartProcesses(ctx context.Context, namespec string, strategy supvisors.StartingStrategy, calls []ProcessCall) ([]supvisors.ProcessInfo, error) {
	for _, cl := range calls {
		if err := r.Client.RestartProcess(ctx, strategy, cl.Namespec, cl.ExtraArgs, false); err != nil {
			return nil, &CallError{Namespec: cl.Namespec, Err: err}
		}
	}
	procs, err := r.Client.WaitProcesses(ctx, namespec, true)
	var settle *supvisors.SettleError
	if errors.As(err, &settle) && OnlyStopped(settle.Processes) {
		r.Log.debug(ctx, "processes seen stopped after the restart; starting them", nil)
		for _, cl := range calls {
			if err := r.Client.StartProcess(ctx, strategy, cl.Namespec, cl.ExtraArgs, false); err != nil && !supvisors.IsFault(err, supvisors.FaultAlreadyStarted) {
				return nil, &CallError{Namespec: cl.Namespec, Err: err}
			}
		}
		procs, err = r.Client.WaitProcesses(ctx, namespec, true)
	}
	return procs, err
}

// RestartStrategy returns the strategy of a restart of processes of app (Client.ResolveStrategy: configured when
// it is set, else the rules' one, CONFIG for an unmanaged group), reporting fromRules.
func (r Reconciler) RestartStrategy(ctx context.Context, app string, configured supvisors.StartingStrategy) (strategy supvisors.StartingStrategy, fromRules bool, err error) {
	s, err := r.Client.ResolveStrategy(ctx, app, configured)
	return s, configured == "", err
}
