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
