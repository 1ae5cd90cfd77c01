package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// The conciliation of a cluster in CONCILIATION (the supvisors_conciliate
// action): PlanConciliation decides the strategy and reads the conflicts,
// Conciliate applies it and waits until the cluster is back in OPERATION
// without conflicts.

// conflictsPollMax caps the interval between two readings of the conflicts
// once the cluster is back in OPERATION.
const conflictsPollMax = 200 * time.Millisecond

// Conciliation is what a conciliation is about to do.
type Conciliation struct {
	Strategy supvisors.ConciliationStrategy
	// FromCluster: no strategy was configured, Strategy is the cluster's own
	// conciliation strategy (get_strategies).
	FromCluster bool
	Conflicts   []supvisors.ProcessInfo // the processes running on more than one instance
}

// NotInConciliationError: the cluster is not in CONCILIATION, so there is
// nothing to conciliate. Nothing was changed.
type NotInConciliationError struct {
	State supvisors.SupvisorsStateName
}

func (e *NotInConciliationError) Error() string {
	return fmt.Sprintf("the Supvisors cluster is in %s, not CONCILIATION", e.State)
}

// NoConciliationStrategyError: no strategy was configured and the cluster's
// own (USER, or one this client does not know) resolves nothing. Nothing was
// changed.
type NoConciliationStrategyError struct {
	Strategy supvisors.ConciliationStrategy
}

func (e *NoConciliationStrategyError) Error() string {
	return fmt.Sprintf("the cluster's conciliation strategy %q resolves no conflict", e.Strategy)
}

// NotConciliatedError: Supvisors answered that conciliate was not applied.
type NotConciliatedError struct {
	Strategy supvisors.ConciliationStrategy
}

func (e *NotConciliatedError) Error() string {
	return fmt.Sprintf("conciliate(%s) was not applied", e.Strategy)
}

// NotBackError: after conciliate the cluster did not return to OPERATION
// (Err is WaitReady's error).
type NotBackError struct {
	Err error
}

func (e *NotBackError) Error() string {
	return "the cluster did not return to OPERATION: " + e.Err.Error()
}

// Unwrap exposes the client's error.
func (e *NotBackError) Unwrap() error { return e.Err }

// ConflictsRemainError: the cluster is back in OPERATION but conflicts were
// still listed when the context ended.
type ConflictsRemainError struct {
	Left []supvisors.ProcessInfo
	Err  error
}

func (e *ConflictsRemainError) Error() string {
	return fmt.Sprintf("%d conflicts remain: %v", len(e.Left), e.Err)
}

// Unwrap exposes the context's error.
func (e *ConflictsRemainError) Unwrap() error { return e.Err }

// PlanConciliation checks that the cluster is in CONCILIATION, chooses the
// strategy (configured, else the cluster's own unless it is USER) and reads
// the conflicts. It changes nothing.
func (r Reconciler) PlanConciliation(ctx context.Context, configured supvisors.ConciliationStrategy) (Conciliation, error) {
	state, err := r.Client.GetSupvisorsState(ctx)
	if err != nil {
		return Conciliation{}, err
	}
	if state.FSMStatename != supvisors.StateConciliation {
		return Conciliation{}, &NotInConciliationError{State: state.FSMStatename}
	}
	plan := Conciliation{Strategy: configured}
	if configured == "" {
		st, err := r.Client.GetStrategies(ctx)
		if err != nil {
			return Conciliation{}, err
		}
		plan.Strategy, plan.FromCluster = supvisors.ConciliationStrategy(st.Conciliation), true
		if plan.Strategy == supvisors.ConciliationUser || !plan.Strategy.Valid() {
			return Conciliation{}, &NoConciliationStrategyError{Strategy: plan.Strategy}
		}
	}
	if plan.Conflicts, err = r.Client.GetConflicts(ctx); err != nil {
		return Conciliation{}, err
	}
	return plan, nil
}

// Conciliate sends conciliate with the plan's strategy, waits until the
// cluster is back in OPERATION and lists no conflict (they may take a moment
// to clear), then reads where the processes of the conflicts run (best
// effort: a process that cannot be read is left out).
func (r Reconciler) Conciliate(ctx context.Context, plan Conciliation) ([]supvisors.ProcessInfo, error) {
	applied, err := r.Client.Conciliate(ctx, plan.Strategy)
	if err != nil {
		return nil, err
	}
	if !applied {
		return nil, &NotConciliatedError{Strategy: plan.Strategy}
	}
	if _, err := r.Client.WaitReady(ctx, supvisors.StateOperation); err != nil {
		return nil, &NotBackError{Err: err}
	}
	if err := r.waitNoConflicts(ctx); err != nil {
		return nil, err
	}
	var after []supvisors.ProcessInfo
	for _, q := range plan.Conflicts {
		if procs, err := r.Client.GetProcessInfo(ctx, q.Namespec()); err == nil {
			after = append(after, procs...)
		}
	}
	return after, nil
}

// waitNoConflicts reads the conflicts until there is none; a
// *ConflictsRemainError when ctx ends first.
func (r Reconciler) waitNoConflicts(ctx context.Context) error {
	var left []supvisors.ProcessInfo
	err := supvisors.PollUntil(ctx, conflictsPollMax, func() (bool, error) {
		var err error
		left, err = r.Client.GetConflicts(ctx)
		return err == nil && len(left) == 0, err
	})
	if err != nil && len(left) > 0 && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return &ConflictsRemainError{Left: left, Err: err}
	}
	return err
}
