package supvisors

import (
	"context"
	"errors"
	"time"
)

// settleMaxPoll bounds the interval of SettledSnapshot's state polls.
const settleMaxPoll = 2 * time.Second

// IsStable reports whether answers read in state s are final: OPERATION and
// CONCILIATION. In both, Supvisors starts nothing by itself (in CONCILIATION
// the conflicts wait for a decision), so what a read shows stays true until
// someone acts. Degraded mode (an instance missing, the cluster still in
// OPERATION) is stable too: it lasts until the instance comes back. A state
// name this package does not know is taken as stable, so that an unexpected
// name never blocks a read.
func (s SupvisorsStateName) IsStable() bool {
	return !s.IsSettling() && !s.IsLeaving()
}

// IsSettling reports whether the cluster is in a transient state that ends by
// itself: it is starting, synchronising, electing a master, distributing
// (starting the applications of its start sequence) or restarting. The states
// of older releases with the same meaning (INITIALIZATION, DEPLOYMENT,
// RESTART) count too. Reads answered then may show as stopped what Supvisors
// is about to start.
func (s SupvisorsStateName) IsSettling() bool {
	switch s {
	case StateOff, StateSynchronization, StateElection, StateDistribution, StateRestarting,
		"INITIALIZATION", "DEPLOYMENT", "RESTART":
		return true
	}
	return false
}

// IsLeaving reports whether the cluster is shutting down (SHUTTING_DOWN,
// FINAL, or SHUTDOWN of older releases): it will not come back by itself, so
// there is nothing to wait for.
func (s SupvisorsStateName) IsLeaving() bool {
	return s == StateShuttingDown || s == StateFinal || s == "SHUTDOWN"
}

// SettledSnapshot returns the shared snapshot (see Snapshot) once the cluster
// is in a state whose answer is final (see IsStable). While the cluster
// settles it waits on the shared poll, reading only get_supvisors_state (from
// 100 ms x1.5 up to 2 s, shared with the concurrent readers and waits), and
// fetches the snapshot again once the state is final, for at most
// Config.ReadyTimeout and ctx's deadline; cancelling ctx ends the wait at
// once. When the wait runs out, or the cluster is shutting down, it returns a
// *NotReadyError naming the last state seen.
//
// Readers whose answer becomes the desired state of something (a refresh that
// a plan compares with the configuration) use it, so that a plan never reports
// as drift what Supvisors is about to start.
func (c *Client) SettledSnapshot(ctx context.Context) (*Snapshot, error) {
	start := time.Now()
	deadline := start.Add(c.cfg.ReadyTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	for {
		s, err := c.Snapshot(ctx)
		if err != nil {
			return nil, err
		}
		state := s.State.FSMStatename
		if state.IsStable() {
			return s, nil
		}
		if state.IsLeaving() || time.Until(deadline) <= 0 {
			return nil, &NotReadyError{
				State:    state,
				Accepted: []string{string(StateOperation), string(StateConciliation)},
				Method:   "a read whose answer is final",
				Waited:   time.Since(start),
			}
		}
		c.debug(ctx, "supvisors cluster settling; read postponed", map[string]any{"state": string(state)})
		c.dropSnapshot(s)
		wctx, cancel := context.WithDeadline(ctx, deadline)
		_, err = c.waitState(wctx, settleMaxPoll, func(s SupvisorsStateName) bool { return !s.IsSettling() })
		cancel()
		var ended *stateWaitEnded
		switch {
		case ctx.Err() != nil:
			return nil, &stoppedError{err: &NotReadyError{State: state, Method: "a read whose answer is final",
				Waited: time.Since(start)}, ctxErr: ctx.Err()}
		case err != nil && !errors.As(err, &ended):
			return nil, err
		}
		// The state is final now, or the time is up: the next snapshot tells which.
	}
}

// dropSnapshot forgets s if it is still the cached snapshot, so that the next
// Snapshot fetches a fresh one (one fetch for all the readers that drop the
// same snapshot).
func (c *Client) dropSnapshot(s *Snapshot) {
	c.snapMu.Lock()
	c.snap.drop(s)
	c.snapMu.Unlock()
}
