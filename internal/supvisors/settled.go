package supvisors

import (
	"context"
	"time"
)

// Polling bounds of SettledSnapshot.
const (
	settleMinPoll = 200 * time.Millisecond
	settleMaxPoll = 2 * time.Second
)

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
// settles it polls, with backoff from 200 ms to 2 s, sharing each fetch with
// the concurrent readers, for at most Config.ReadyTimeout and ctx's deadline;
// cancelling ctx ends the wait at once. When the wait runs out, or the cluster
// is shutting down, it returns a *NotReadyError naming the last state seen.
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
	poll := settleMinPoll
	for {
		s, err := c.Snapshot(ctx)
		if err != nil {
			return nil, err
		}
		state := s.State.FSMStatename
		if state.IsStable() {
			return s, nil
		}
		remaining := time.Until(deadline)
		if state.IsLeaving() || remaining <= 0 {
			return nil, &NotReadyError{
				State:    state,
				Accepted: []string{string(StateOperation), string(StateConciliation)},
				Method:   "a read whose answer is final",
				Waited:   time.Since(start),
			}
		}
		c.debug(ctx, "supvisors cluster settling; read postponed", map[string]any{
			"state": string(state), "retry_in_ms": min(poll, remaining).Milliseconds(),
		})
		c.dropSnapshot(s)
		t := time.NewTimer(min(poll, remaining))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, &stoppedError{err: &NotReadyError{State: state, Method: "a read whose answer is final",
				Waited: time.Since(start)}, ctxErr: ctx.Err()}
		case <-t.C:
		}
		poll = min(poll*2, settleMaxPoll)
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
