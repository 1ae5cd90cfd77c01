package supvisors

// Unit tests of the plain-Supervisor functions on the scripted plain supervisord of supvisorstest (the real one
// is in plain_integration_test.go).

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func plainFakeClient(t *testing.T, maxAge time.Duration, procs ...*supvisorstest.PlainProcess) (*supvisorstest.Plain, *Client) {
	t.Helper()
	p := supvisorstest.NewPlain(t, "4.2.5", procs...)
	c, err := New(Config{URL: p.URL(), ReadyTimeout: time.Second, RequestTimeout: 5 * time.Second, SnapshotMaxAge: maxAge})
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

func TestPlainSnapshotSharedAndDropped(t *testing.T) {
	p, c := plainFakeClient(t, time.Hour,
		&supvisorstest.PlainProcess{Group: "web", Name: "server", State: "RUNNING"},
		&supvisorstest.PlainProcess{Group: "web", Name: "cache", State: "STARTING", Steps: 5},
		&supvisorstest.PlainProcess{Group: "init", Name: "init", State: "EXITED", Exitstatus: 1},
	)
	ctx := context.Background()
	if plain, err := c.IsPlain(ctx); err != nil || !plain {
		t.Fatalf("IsPlain: %v %v", plain, err)
	}
	var wg sync.WaitGroup
	snaps := make([]*Snapshot, 8)
	for i := range snaps {
		wg.Go(func() {
			s, err := c.PlainSnapshot(ctx)
			if err != nil {
				t.Error(err)
			}
			snaps[i] = s
		})
	}
	wg.Wait()
	for _, s := range snaps[1:] {
		if s != snaps[0] {
			t.Fatal("concurrent readers got different snapshots")
		}
	}
	if n := p.Count("supervisor.getAllProcessInfo"); n != 1 {
		t.Fatalf("%d fetches for concurrent readers", n)
	}
	s := snaps[0]
	// Groups as unmanaged applications, with a derived state; the host while a process runs.
	if app, ok := s.Application("web"); !ok || app.Statename != ApplicationStarting || app.Managed {
		t.Fatalf("web: %+v", app)
	}
	if app, _ := s.Application("init"); app.Statename != ApplicationStopped {
		t.Fatalf("init: %+v", app)
	}
	if got := s.Match("web:server"); len(got) != 1 || len(got[0].Identifiers) != 1 || got[0].Identifiers[0] != c.PlainHost() {
		t.Fatalf("web:server: %+v", got)
	}
	if got := s.Match("init"); len(got) != 1 || got[0].ExpectedExit {
		t.Fatalf("init exited with 1, not an expected code: %+v", got)
	}
	// A mutating call drops it; so does InvalidateSnapshot.
	if err := c.PlainStop(ctx, []string{"web:server"}); err != nil {
		t.Fatal(err)
	}
	if s2, err := c.PlainSnapshot(ctx); err != nil || s2 == s || p.Count("supervisor.getAllProcessInfo") != 2 {
		t.Fatalf("after a stop: %v, %d fetches", err, p.Count("supervisor.getAllProcessInfo"))
	}
	c.InvalidateSnapshot()
	if _, err := c.PlainSnapshot(ctx); err != nil || p.Count("supervisor.getAllProcessInfo") != 3 {
		t.Fatalf("after InvalidateSnapshot: %v", err)
	}
	// A failed fetch is not kept; the caller giving up gets a transport error.
	p.Fail("supervisor.getAllConfigInfo", supvisorstest.FaultFailed, "FAILED: boom")
	c.InvalidateSnapshot()
	if _, err := c.PlainSnapshot(ctx); err == nil || !strings.Contains(err.Error(), "supervisor.getAllConfigInfo") {
		t.Fatalf("failed fetch: %v", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	var te *TransportError
	if _, err := c.PlainSnapshot(done); !errors.As(err, &te) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestPlainSnapshotMaxAge(t *testing.T) {
	p, c := plainFakeClient(t, 50*time.Millisecond, &supvisorstest.PlainProcess{Group: "web", Name: "server"})
	ctx := context.Background()
	for range 2 {
		if _, err := c.PlainSnapshot(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := p.Count("supervisor.getAllProcessInfo"); n != 1 {
		t.Fatalf("%d fetches within the max age", n)
	}
	time.Sleep(60 * time.Millisecond)
	if _, err := c.PlainSnapshot(ctx); err != nil || p.Count("supervisor.getAllProcessInfo") != 2 {
		t.Fatalf("after the max age: %v, %d fetches", err, p.Count("supervisor.getAllProcessInfo"))
	}
	// No sharing at all with a negative max age.
	_, c = plainFakeClient(t, -1, &supvisorstest.PlainProcess{Group: "web", Name: "server"})
	a, _ := c.PlainSnapshot(ctx)
	b, _ := c.PlainSnapshot(ctx)
	if a == nil || a == b {
		t.Fatal("a snapshot was shared with SnapshotMaxAge < 0")
	}
}

func TestPlainWaitOnFake(t *testing.T) {
	p, c := plainFakeClient(t, time.Hour,
		&supvisorstest.PlainProcess{Group: "web", Name: "server", Steps: 3},
		&supvisorstest.PlainProcess{Group: "web", Name: "crasher", Final: "FATAL", Steps: 2, Spawnerr: "spawn failed"},
		&supvisorstest.PlainProcess{Group: "job", Name: "once", Final: "EXITED", Exitstatus: 2},
	)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if infos, err := c.PlainWait(ctx, nil, true, nil); infos != nil || err != nil {
		t.Fatalf("no process: %v %v", infos, err)
	}
	// Starting a running process is no error; the wait follows STARTING until RUNNING.
	if err := c.PlainStart(ctx, []string{"web:server"}); err != nil {
		t.Fatal(err)
	}
	if err := c.PlainStart(ctx, []string{"web:server"}); err != nil {
		t.Fatalf("ALREADY_STARTED is no error: %v", err)
	}
	infos, err := c.PlainWait(ctx, []string{"web:server"}, true, nil)
	if err != nil || len(infos) != 1 || infos[0].Statename != ProcessRunning || p.Count("supervisor.getProcessInfo") != 3 {
		t.Fatalf("wait: %+v %v, %d polls", infos, err, p.Count("supervisor.getProcessInfo"))
	}
	// FATAL after BACKOFF and an exit outside exitcodes: a SettleError with Supervisor's words.
	if err := c.PlainStart(ctx, []string{"web:crasher", "job:once"}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PlainWait(ctx, []string{"web:crasher", "job:once"}, true, map[string][]int{"job:once": {0, 1}})
	var se *SettleError
	if !errors.As(err, &se) || se.Want != "RUNNING" || se.Got != "FATAL, EXITED" || len(se.Processes) != 2 ||
		se.Processes[0].Spawnerr != "spawn failed" || !strings.HasPrefix(se.Processes[0].Description, "Exited too quickly") ||
		se.Processes[1].Description != "exit status 2, Dec 02 05:00 AM" {
		t.Fatalf("settle: %#v", err)
	}
	// The same exit is expected with its code in exitcodes; stopped processes settle a stop.
	if _, err := c.PlainWait(ctx, []string{"job:once"}, true, map[string][]int{"job:once": {2}}); err != nil {
		t.Fatalf("expected exit: %v", err)
	}
	if err := c.PlainStop(ctx, []string{"web:crasher", "web:server"}); err != nil {
		t.Fatalf("NOT_RUNNING is no error: %v", err)
	}
	if _, err := c.PlainWait(ctx, []string{"web:crasher", "web:server", "job:once"}, false, nil); err != nil {
		t.Fatalf("stop: %v", err)
	}
	// A stop wait that finds one running: it names it (not started processes have no "Not started").
	p.Update("web:server", func(pr *supvisorstest.PlainProcess) { pr.State = "RUNNING" })
	if _, err := c.PlainWait(ctx, []string{"web:server"}, false, nil); !errors.As(err, &se) || se.Got != "RUNNING" {
		t.Fatalf("running when stopped wanted: %v", err)
	}
	p.Update("web:server", func(pr *supvisorstest.PlainProcess) { pr.State = "STOPPED" })

	// Faults: of one process (named), of the whole request, and a wait that outlives ctx.
	if _, err := c.PlainWait(ctx, []string{"web:nope"}, true, nil); err == nil ||
		!strings.Contains(err.Error(), "supervisor.getProcessInfo(web:nope)") || !IsFault(err, FaultBadName) {
		t.Fatalf("unknown process: %v", err)
	}
	if err := c.PlainStart(ctx, []string{"web:nope"}); err == nil || !strings.Contains(err.Error(), "supervisor.startProcess(web:nope)") {
		t.Fatalf("start of an unknown process: %v", err)
	}
	p.Update("web:server", func(pr *supvisorstest.PlainProcess) { pr.State, pr.Steps = "STARTING", 1000 })
	short, cancelShort := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancelShort()
	infos, err = c.PlainWait(short, []string{"web:server"}, true, nil)
	if !errors.Is(err, context.DeadlineExceeded) || len(infos) != 1 ||
		!strings.Contains(err.Error(), "processes web:server did not settle in RUNNING in time (processes: web:server STARTING)") {
		t.Fatalf("timeout: %+v %v", infos, err)
	}
	p.SetBefore(func(w http.ResponseWriter, _ *http.Request) bool {
		http.Error(w, "down", http.StatusBadGateway)
		return true
	})
	if _, err := c.PlainWait(ctx, []string{"web:server"}, true, nil); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("request failure: %v", err)
	}
}

// TestPlainFakeGroupCommands: the fake's startProcessGroup/stopProcessGroup answer per-process statuses as
// Supervisor does, read by the typed SupervisorClient.
func TestPlainFakeGroupCommands(t *testing.T) {
	p, c := plainFakeClient(t, time.Hour,
		&supvisorstest.PlainProcess{Group: "web", Name: "server", State: "RUNNING"},
		&supvisorstest.PlainProcess{Group: "web", Name: "cache"},
		&supvisorstest.PlainProcess{Group: "web", Name: "missing", StartFault: &supvisorstest.Fault{
			Code: supvisorstest.FaultNoFile, String: "NO_FILE: /nope"}},
	)
	ctx := context.Background()
	st, err := c.Supervisor().StartProcessGroup(ctx, "web", false)
	if err != nil || len(st) != 3 {
		t.Fatalf("start group: %+v %v", st, err)
	}
	codes := map[string]FaultCode{}
	for _, s := range st {
		codes[s.Name] = s.Status
	}
	if codes["server"] != FaultAlreadyStarted || codes["cache"] != FaultSuccess || codes["missing"] != FaultNoFile {
		t.Fatalf("statuses: %+v", st)
	}
	if _, err := c.Supervisor().StopProcessGroup(ctx, "web", false); err != nil || p.Get("web:cache").State != "STOPPED" {
		t.Fatalf("stop group: %v %+v", err, p.Get("web:cache"))
	}
	if _, err := c.Supervisor().StartProcessGroup(ctx, "nope", false); !IsFault(err, FaultBadName) {
		t.Fatalf("unknown group: %v", err)
	}
	state, err := c.Supervisor().GetState(ctx)
	if err != nil || state.Statename != "RUNNING" || state.Statecode != 1 {
		t.Fatalf("getState: %+v %v", state, err)
	}
	if got := p.Sent(); len(got) != 3 || got[0] != "startProcessGroup web" || got[1] != "stopProcessGroup web" {
		t.Fatalf("sent %v", got)
	}
}
