package reconcile

import (
	"errors"
	"slices"
	"testing"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func TestRestartCalls(t *testing.T) {
	procs := []supvisors.ProcessInfo{{ApplicationName: "a", ProcessName: "p0", ExtraArgs: "-a"}, {ApplicationName: "a", ProcessName: "p1", ExtraArgs: "-a"}}
	if got := RestartCalls("a:*", procs, "", false); !slices.Equal(got, []ProcessCall{{"a:*", "-a"}}) {
		t.Errorf("same arguments: %v", got)
	}
	procs[1].ExtraArgs = "-b"
	if got := RestartCalls("a:*", procs, "", false); !slices.Equal(got, []ProcessCall{{"a:p0", "-a"}, {"a:p1", "-b"}}) {
		t.Errorf("different arguments must give one call per process: %v", got)
	}
	if got := RestartCalls("a:*", procs, "", true); !slices.Equal(got, []ProcessCall{{"a:*", ""}}) {
		t.Errorf("configured arguments win: %v", got)
	}
}

func TestRestartProcesses(t *testing.T) {
	r, c, _ := poolCluster(t)
	ctx := testContext(t)
	c.Handle("supvisors.restart_process", supvisorstest.Value(true))
	if err := r.Converge(ctx, Scope{App: "pool"}, ConvergeOptions{Running: true, Strategy: "CONFIG"}); err != nil {
		t.Fatal(err)
	}
	procs, err := r.RestartProcesses(ctx, "pool:*", "CONFIG", []ProcessCall{{"pool:*", ""}})
	if err != nil || len(procs) != 3 {
		t.Fatalf("restart: %v %v", procs, err)
	}
	c.Handle("supvisors.restart_process", supvisorstest.FaultHandler(supvisorstest.FaultNotRunning, "NOT_RUNNING: pool:pool_0"))
	_, err = r.RestartProcesses(ctx, "pool:*", "CONFIG", []ProcessCall{{"pool:pool_0", ""}})
	var refused *CallError
	if !errors.As(err, &refused) || refused.Namespec != "pool:pool_0" || !supvisors.IsFault(err, supvisors.FaultNotRunning) || err.Error() == "" {
		t.Fatalf("refused: %v", err)
	}
}

// A restart seen between its stop and its start (every process plainly stopped) is finished with a start.
func TestRestartProcessesSeenStopped(t *testing.T) {
	r, c := newReconciler(t, &supvisorstest.App{Name: "app", Managed: true, State: "RUNNING",
		Processes: []*supvisorstest.Process{{Name: "p", State: "RUNNING"}}})
	ctx := testContext(t)
	c.Handle("supvisors.restart_process", func([]any) (any, error) {
		c.Update("app", func(a *supvisorstest.App) { a.Processes[0].State = "STOPPED" })
		return true, nil
	})
	procs, err := r.RestartProcesses(ctx, "app:p", "CONFIG", []ProcessCall{{"app:p", "-x"}})
	if err != nil || len(procs) != 1 || procs[0].Statename != supvisors.ProcessRunning || procs[0].ExtraArgs != "-x" {
		t.Fatalf("%+v %v", procs, err)
	}
	if !slices.Equal(c.Sent(), []string{"start_process app:p"}) {
		t.Fatalf("sent %v", c.Sent())
	}
	// The finishing start refused: the call's error.
	c.Update("app", func(a *supvisorstest.App) { a.Processes[0].State = "RUNNING" })
	c.Fail("supvisors.start_process", supvisorstest.FaultFailed, "FAILED: start")
	_, err = r.RestartProcesses(ctx, "app:p", "CONFIG", []ProcessCall{{"app:p", ""}})
	var refused *CallError
	if !errors.As(err, &refused) || refused.Namespec != "app:p" || !supvisors.IsFault(err, supvisors.FaultFailed) {
		t.Fatalf("refused start: %v", err)
	}
}

func TestRestartStrategy(t *testing.T) {
	r, c := newReconciler(t, webApp("RUNNING", "RUNNING"))
	ctx := testContext(t)
	if s, fromRules, err := r.RestartStrategy(ctx, "web", "CONFIG"); s != "CONFIG" || fromRules || err != nil {
		t.Errorf("configured: %s %v %v", s, fromRules, err)
	}
	if s, fromRules, err := r.RestartStrategy(ctx, "web", ""); s != "LESS_LOADED" || !fromRules || err != nil {
		t.Errorf("rules: %s %v %v", s, fromRules, err)
	}
	if len(c.Sent()) != 0 {
		t.Errorf("sent %v", c.Sent())
	}
}
