package supvisors

import (
	"context"
	"testing"
	"time"
)

// Concurrent waits must not hold each other up: once the application went through another state and reached the
// wanted one, the jobs that other applications still run in the cluster are not waited for.
func TestWaitApplicationIgnoresOtherJobsOnceMoved(t *testing.T) {
	run := []map[string]any{capturedProcess("app_a", "main", ProcessRunning, "127.0.0.1:61001")}
	start := []map[string]any{capturedProcess("app_a", "main", ProcessStarting, "127.0.0.1:61001")}
	stop := []map[string]any{capturedProcess("app_a", "main", ProcessStopped)}

	t.Run("start", func(t *testing.T) {
		w := newWaitServer(t)
		// wait=false: still STOPPED, then STARTING, then RUNNING while another application's job goes on.
		w.states = []ApplicationState{ApplicationStopped, ApplicationStarting, ApplicationRunning, ApplicationRunning}
		w.procs = [][]map[string]any{stop, start, run, run}
		w.jobs = []bool{true, true, true, true}
		c := newTestClient(t, w.URL())
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		info, _, err := c.WaitApplication(ctx, "app_a", ApplicationRunning)
		if err != nil || info.Statename != ApplicationRunning || w.polls != 3 {
			t.Fatalf("%+v %v after %d polls", info, err, w.polls)
		}
	})
	t.Run("stop", func(t *testing.T) {
		w := newWaitServer(t)
		w.states = []ApplicationState{ApplicationRunning, ApplicationStopping, ApplicationStopped, ApplicationStopped}
		w.procs = [][]map[string]any{run, run, stop, stop}
		w.jobs = []bool{true, true, true, true}
		c := newTestClient(t, w.URL())
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		info, _, err := c.WaitApplication(ctx, "app_a", ApplicationStopped)
		if err != nil || info.Statename != ApplicationStopped || w.polls != 3 {
			t.Fatalf("%+v %v after %d polls", info, err, w.polls)
		}
	})
	t.Run("restart not finished at first sight", func(t *testing.T) {
		// restart_application(wait=false): the application is still RUNNING at the first poll while its own
		// job is queued; that must not count as done.
		w := newWaitServer(t)
		w.states = []ApplicationState{ApplicationRunning, ApplicationStopping, ApplicationStarting, ApplicationRunning}
		w.procs = [][]map[string]any{run, run, start, run}
		w.jobs = []bool{true, true, true, true}
		c := newTestClient(t, w.URL())
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		info, _, err := c.WaitApplication(ctx, "app_a", ApplicationRunning)
		if err != nil || info.Statename != ApplicationRunning || w.polls != 4 {
			t.Fatalf("%+v %v after %d polls", info, err, w.polls)
		}
	})
	t.Run("a failed process still waits for the jobs", func(t *testing.T) {
		w := newWaitServer(t)
		half := []map[string]any{
			capturedProcess("app_a", "main", ProcessRunning, "127.0.0.1:61001"),
			capturedProcess("app_a", "side", ProcessStopped),
		}
		w.states = []ApplicationState{ApplicationStopped, ApplicationRunning, ApplicationRunning}
		w.procs = [][]map[string]any{stop, half, half}
		w.jobs = []bool{true, true, false}
		c := newTestClient(t, w.URL())
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if _, _, err := c.WaitApplication(ctx, "app_a", ApplicationRunning); err != nil || w.polls != 3 {
			t.Fatalf("%v after %d polls", err, w.polls)
		}
	})
}

func TestWaitProcessesIgnoresOtherJobsOnceMoved(t *testing.T) {
	w := newWaitServer(t)
	w.states = []ApplicationState{ApplicationRunning}
	w.procs = [][]map[string]any{
		{capturedProcess("app_a", "main", ProcessStopped)},
		{capturedProcess("app_a", "main", ProcessStarting, "127.0.0.1:61001")},
		{capturedProcess("app_a", "main", ProcessRunning, "127.0.0.1:61001")},
		{capturedProcess("app_a", "main", ProcessRunning, "127.0.0.1:61001")},
	}
	w.jobs = []bool{true, true, true, true}
	c := newTestClient(t, w.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	procs, err := c.WaitProcesses(ctx, "app_a:*", true)
	if err != nil || len(procs) != 1 || procs[0].Statename != ProcessRunning || w.polls != 3 {
		t.Fatalf("%+v %v after %d polls", procs, err, w.polls)
	}
}

func TestPollIntervalsStayShort(t *testing.T) {
	// A settled application must be noticed within ~0.1s plus a round trip (Supvisors' own wait=true checks
	// every 0.5s).
	if pollFirst > 100*time.Millisecond || pollMax > 200*time.Millisecond {
		t.Fatalf("poll intervals too long: first %s, cap %s", pollFirst, pollMax)
	}
	// WaitReady, which waits for cluster states that take tens of seconds, keeps a longer cap.
	if readyPollMax < 500*time.Millisecond {
		t.Fatalf("WaitReady cap %s", readyPollMax)
	}
}
