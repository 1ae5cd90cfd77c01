package reconcile

import (
	"context"
	"errors"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// Action is what an update does to an application on the cluster.
type Action int

// The actions, in the order of PlanApplication's decisions.
const (
	None    Action = iota // nothing changes on the cluster
	Unknown               // the desired values are not known yet
	Start
	Stop
	Restart
)

// String is the verb of an action, for messages ("update" for None and
// Unknown).
func (a Action) String() string {
	switch a {
	case Start:
		return "start"
	case Stop:
		return "stop"
	case Restart:
		return "restart"
	}
	return "update"
}

// ApplicationChange is what an update of an application compares.
type ApplicationChange struct {
	Have, Want      string // desired state before and after: StateRunning or StateStopped
	WantUnknown     bool   // the new desired state is not known yet
	TriggersUnknown bool   // the new restart triggers are not known yet while the old ones were set
	TriggersChanged bool   // the restart triggers changed in a way that asks for a restart
}

// PlanApplication decides the action of an update: a change of desired state
// wins over the restart triggers, and a stopped application is never
// restarted.
func PlanApplication(c ApplicationChange) Action {
	if c.WantUnknown {
		return Unknown
	}
	switch {
	case c.Want == StateStopped && c.Have != StateStopped:
		return Stop
	case c.Want == StateRunning && c.Have != StateRunning:
		return Start
	case c.Want == StateStopped:
		return None
	case c.TriggersUnknown:
		return Unknown
	case c.TriggersChanged:
		return Restart
	}
	return None
}

// CreateAction is the action a creation with desired state want performs.
func CreateAction(want string) Action {
	if want == StateStopped {
		return Stop
	}
	return Start
}

// Application is an application as last seen on the cluster.
type Application struct {
	Info      supvisors.ApplicationInfo // ApplicationName is empty when it was not seen
	Processes []supvisors.ProcessInfo
}

// Reconciler carries out decisions through a client.
type Reconciler struct {
	Client *supvisors.Client
	Log    Logf
}

// SettledApplication returns the application from the shared snapshot when it
// is already settled where action would bring it: RUNNING (STOPPED) with every
// process running (stopped), no job in progress in the cluster. Any doubt (no
// snapshot, unknown name, transition, failed process) returns false, and the
// caller sends the command, which reports errors and waits as usual.
func (r Reconciler) SettledApplication(ctx context.Context, name string, action Action) (Application, bool) {
	if action != Start && action != Stop {
		return Application{}, false
	}
	snap, err := r.Client.Snapshot(ctx)
	if err != nil || snap.State.HasJobs() {
		return Application{}, false
	}
	info, ok := snap.Application(name)
	if !ok || !info.Managed || info.Statename != wantedState(action) {
		return Application{}, false
	}
	procs := snap.ProcessesOf(name)
	for _, p := range procs {
		inPlace := p.Statename.IsStopped()
		if action == Start {
			inPlace = p.Statename == supvisors.ProcessRunning || (p.Statename == supvisors.ProcessExited && p.ExpectedExit)
		}
		if !inPlace {
			return Application{}, false
		}
	}
	return Application{Info: info, Processes: procs}, true
}

func wantedState(action Action) supvisors.ApplicationState {
	if action == Stop {
		return supvisors.ApplicationStopped
	}
	return supvisors.ApplicationRunning
}

// commandAttempts bounds how often a command is sent again when the
// application settled on the other side.
const commandAttempts = 3

// ApplyApplication runs action on the application and waits until it
// settles. It returns the application as last seen.
//
// Starts and stops are sent with wait=false and followed by
// supvisors.Client.WaitApplication within ctx's deadline. An unset strategy is
// the application's rules' own (ResolveStrategy). ALREADY_STARTED on a start
// and NOT_RUNNING on a stop mean the application is already where it should
// be (or on its way): it is only waited for. If it settles on the other side
// (it was stopping when asked to start, say), the command is sent once more; a
// restart seen stopped between its stop and its start finishes with a start.
// A start refused with ABNORMAL_TERMINATION gives a *CommandError with the
// state the processes settled in.
func (r Reconciler) ApplyApplication(ctx context.Context, name string, action Action, strategy string) (Application, error) {
	strat := supvisors.StartingStrategy(strategy)
	if action != Stop {
		var err error
		if strat, err = r.Client.ResolveStrategy(ctx, name, strat); err != nil {
			return Application{}, err
		}
	}
	var (
		seen Application
		err  error
	)
	for attempt := 1; attempt <= commandAttempts; attempt++ {
		var already bool
		already, err = r.sendApplication(ctx, name, action, strat, attempt)
		if err != nil && !already {
			return r.refused(ctx, name, action, seen, err)
		}
		seen.Info, seen.Processes, err = r.Client.WaitApplication(ctx, name, wantedState(action))
		var settle *supvisors.SettleError
		if err == nil || !errors.As(err, &settle) || attempt == commandAttempts {
			return seen, err
		}
		switch {
		case already:
			// It was leaving the state it was asked for (stopping when asked to start, say).
		case action == Restart && settle.Got == string(supvisors.ApplicationStopped) && OnlyStopped(settle.Processes):
			// Seen between the stop and the start of the restart: finish with a plain start.
			action = Start
		default:
			return seen, err
		}
		r.Log.debug(ctx, "application settled on the other side; sending the command again",
			map[string]any{"got": settle.Got, "action": action.String()})
	}
	return seen, err
}

// sendApplication sends the command of action; already tells that the
// application is already where the command would bring it.
func (r Reconciler) sendApplication(ctx context.Context, name string, action Action, strat supvisors.StartingStrategy, attempt int) (already bool, err error) {
	start := time.Now()
	switch action {
	case Start:
		err = r.Client.StartApplication(ctx, strat, name, false)
		already = supvisors.IsFault(err, supvisors.FaultAlreadyStarted)
	case Stop:
		err = r.Client.StopApplication(ctx, name, false)
		already = supvisors.IsFault(err, supvisors.FaultNotRunning)
	case Restart:
		err = r.Client.RestartApplication(ctx, strat, name, false)
	}
	r.Log.debug(ctx, "application command sent", map[string]any{
		"action": action.String(), "strategy": string(strat), "attempt": attempt,
		"already": already, "error": errString(err), "duration": time.Since(start).String(),
	})
	return already, err
}

// refused handles a command the cluster refused. When nothing could be queued
// for a start (no eligible instance, a required process forced to FATAL...),
// what the processes say is gathered, briefly.
func (r Reconciler) refused(ctx context.Context, name string, action Action, seen Application, err error) (Application, error) {
	if !supvisors.IsFault(err, supvisors.FaultAbnormalTermination) || action == Stop {
		return seen, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	info, procs, werr := r.Client.WaitApplication(wctx, name, wantedState(action))
	var settle *supvisors.SettleError
	if errors.As(werr, &settle) {
		return Application{Info: info, Processes: procs}, &CommandError{Cause: err, Settle: settle}
	}
	return seen, err
}

// OnlyStopped reports whether every process is plainly STOPPED (none failed
// to start).
func OnlyStopped(procs []supvisors.ProcessFailure) bool {
	for _, p := range procs {
		if p.Statename != supvisors.ProcessStopped {
			return false
		}
	}
	return true
}

// CommandError is a refused command together with the state the processes
// settled in.
type CommandError struct {
	Cause  error                  // the server's answer to the command (a *supvisors.Fault)
	Settle *supvisors.SettleError // where the processes settled
}

func (e *CommandError) Error() string { return e.Cause.Error() + "; " + e.Settle.Error() }

// Unwrap exposes the cause and the *supvisors.SettleError.
func (e *CommandError) Unwrap() []error { return []error{e.Settle, e.Cause} }

// errString is err.Error(), or "" for nil (for log fields).
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
