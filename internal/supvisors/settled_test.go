package supvisors

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestStateStability(t *testing.T) {
	for s, want := range map[SupvisorsStateName][3]bool{ // stable, settling, leaving
		StateOperation: {true, false, false}, StateConciliation: {true, false, false},
		StateOff: {false, true, false}, StateSynchronization: {false, true, false}, StateElection: {false, true, false},
		StateDistribution: {false, true, false}, StateRestarting: {false, true, false},
		"INITIALIZATION": {false, true, false}, "DEPLOYMENT": {false, true, false},
		StateShuttingDown: {false, false, true}, StateFinal: {false, false, true}, "SHUTDOWN": {false, false, true},
		"SOMETHING_NEW": {true, false, false},
	} {
		if got := [3]bool{s.IsStable(), s.IsSettling(), s.IsLeaving()}; got != want {
			t.Errorf("%s: stable/settling/leaving = %v, want %v", s, got, want)
		}
	}
}

// settlingServer answers DISTRIBUTION (web STOPPED: Supvisors is about to start it) for the first n snapshots,
// then OPERATION (web RUNNING).
func settlingServer(t *testing.T, n int64) (*fakeServer, *atomic.Int64) {
	f := newFakeServer(t)
	var reads atomic.Int64
	f.handle(supvisorsGetSupvisorsState, func([]any) (any, error) {
		if reads.Add(1) <= n {
			return capturedState(StateDistribution), nil
		}
		return capturedState(StateOperation), nil
	})
	f.handle(supvisorsGetAllApplicationsInfo, func([]any) (any, error) {
		state := ApplicationRunning
		if reads.Load() <= n {
			state = ApplicationStopped
		}
		return []any{capturedApp("web", state, true)}, nil
	})
	f.handle(supvisorsGetAllProcessInfo, value([]any{}))
	return f, &reads
}

// TestSettledSnapshot: a read during DISTRIBUTION is postponed until OPERATION, so that the application
// Supvisors is starting is not reported stopped; the readers share the fetches.
func TestSettledSnapshot(t *testing.T) {
	f, _ := settlingServer(t, 3)
	c := newTestClient(t, f.URL(), func(c *Config) { c.ReadyTimeout = time.Minute })
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	snaps := make([]*Snapshot, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); snaps[i], errs[i] = c.SettledSnapshot(context.Background()) }()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("reader %d: %v", i, errs[i])
		}
		if app, _ := snaps[i].Application("web"); snaps[i].State.FSMStatename != StateOperation || app.Statename != ApplicationRunning {
			t.Fatalf("reader %d got a transient answer: %s, web %s", i, snaps[i].State.FSMStatename, app.Statename)
		}
	}
	// 1 DISTRIBUTION snapshot, the shared poll's state reads until OPERATION, 1 OPERATION snapshot, shared by the
	// 20 readers (a few more when a reader drops a snapshot just fetched by another: never one per reader); the
	// whole snapshot is not fetched again while the cluster settles
	if r := f.Requests(); r < 4 || r > 8 {
		t.Errorf("%d readers cost %d requests", n, r)
	}
	if got := f.countCalls(supvisorsGetAllApplicationsInfo); got > 3 {
		t.Errorf("the snapshot was fetched %d times while the cluster settled, want 2", got)
	}
	// Snapshot itself still reads at once (data sources)
	f2, _ := settlingServer(t, 100)
	c2 := newTestClient(t, f2.URL())
	if s, err := c2.Snapshot(context.Background()); err != nil || s.State.FSMStatename != StateDistribution {
		t.Errorf("Snapshot: %v %v", s, err)
	}
}

// TestSettledSnapshotGivesUp: a cluster that stays transient fails after ReadyTimeout naming the state; one that
// shuts down fails at once; a cancelled read returns at once.
func TestSettledSnapshotGivesUp(t *testing.T) {
	f, _ := settlingServer(t, 1<<30)
	c := newTestClient(t, f.URL(), func(c *Config) { c.ReadyTimeout = 600 * time.Millisecond })
	_, err := c.SettledSnapshot(context.Background())
	var nr *NotReadyError
	if !errors.As(err, &nr) || nr.State != StateDistribution || nr.Waited < 600*time.Millisecond {
		t.Fatalf("want a NotReadyError naming DISTRIBUTION after the ready timeout, got %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	c = newTestClient(t, f.URL(), func(c *Config) { c.ReadyTimeout = time.Hour })
	go func() { time.Sleep(300 * time.Millisecond); cancel() }()
	if _, err := c.SettledSnapshot(ctx); !errors.Is(err, context.Canceled) || !errors.As(err, &nr) {
		t.Fatalf("cancelled: %v", err)
	}

	g := newFakeServer(t)
	g.handle(supvisorsGetSupvisorsState, value(capturedState(StateShuttingDown)))
	g.handle(supvisorsGetAllApplicationsInfo, value([]any{}))
	g.handle(supvisorsGetAllProcessInfo, value([]any{}))
	c = newTestClient(t, g.URL(), func(c *Config) { c.ReadyTimeout = time.Hour })
	if _, err := c.SettledSnapshot(context.Background()); !errors.As(err, &nr) || nr.State != StateShuttingDown || g.Requests() != 1 {
		t.Fatalf("shutting down: %v after %d requests", err, g.Requests())
	}
}
