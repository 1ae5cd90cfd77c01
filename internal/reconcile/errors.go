package reconcile

import "fmt"

// StepError is a step of a reconciliation that failed on a call to the
// cluster: Summary says what could not be done, Err is the client's error
// (a *supvisors.Fault, *supvisors.SettleError, transport error...).
type StepError struct {
	Summary   string // e.g. "Could not stop web:*"
	Attribute string // the configuration attribute it concerns, "" for none
	Err       error
}

func (e *StepError) Error() string { return e.Summary + ": " + e.Err.Error() }

// Unwrap exposes the client's error.
func (e *StepError) Unwrap() error { return e.Err }

// NoInstanceError: no instance is RUNNING and reachable for an operation that
// acts on the instance receiving it. Nothing was changed.
type NoInstanceError struct {
	Scope Scope
	Verb  string // update_numprocs, enable or disable
	Down  []DownInstance
}

func (e *NoInstanceError) Error() string {
	return fmt.Sprintf("no Supvisors instance can %s %s", e.Verb, e.Scope.ID())
}

// UnknownProgramError: an instance has no program (or no process) for the
// scope. Nothing was changed.
type UnknownProgramError struct {
	Scope    Scope
	Instance string
	Numprocs bool // found while checking numprocs (a program is looked for), else enabled (any process)
}

func (e *UnknownProgramError) Error() string {
	return fmt.Sprintf("instance %s has no program for %s", e.Instance, e.Scope.ID())
}

// NotHomogeneousError: numprocs asked of a program that update_numprocs
// refuses (NOT_APPLICABLE, a refusal that would still change the instance).
// Nothing was changed.
type NotHomogeneousError struct {
	Scope        Scope
	Instance     string
	Process      string // the process found
	ProgramName  string // its Supervisor program, when Scope.Program named a process
	Processes    int    // how many processes that program has
	NamedProcess bool   // Scope.Program is the name of one process of ProgramName
}

func (e *NotHomogeneousError) Error() string {
	return fmt.Sprintf("numprocs is not applicable to %s", e.Scope.ID())
}

// NoProcessError: Supvisors (or the plain supervisord at Supervisord) lists no process for the scope any more.
type NoProcessError struct {
	Scope       Scope
	Supervisord string // the endpoint of a plain supervisord, "" on a Supvisors cluster
}

func (e *NoProcessError) Error() string { return "no process in " + e.Scope.ID() }

// Skipped names the instances an operation could not be done on (not
// RUNNING, or not answering): the rest went on.
type Skipped struct {
	Scope Scope
	What  string // e.g. `update_numprocs("worker", 3)`
	Down  []DownInstance
}

// PartialChange: numprocs was already changed on some instances when a later
// one refused it.
type PartialChange struct {
	Scope     Scope
	Numprocs  int
	Instances []string
}

// Notes are what a reconciliation reports besides its error.
type Notes struct {
	Skipped []Skipped
	Partial *PartialChange
}

// add appends the notes of a later step.
func (n *Notes) add(o Notes) {
	n.Skipped = append(n.Skipped, o.Skipped...)
	if o.Partial != nil {
		n.Partial = o.Partial
	}
}

func skipped(s Scope, what string, down []DownInstance) []Skipped {
	if len(down) == 0 {
		return nil
	}
	return []Skipped{{Scope: s, What: what, Down: down}}
}

// viewIDs lists the identifiers of instance views, for messages.
func viewIDs(views []InstanceView) []string {
	ids := make([]string, len(views))
	for i, v := range views {
		ids[i] = v.ID
	}
	return ids
}
