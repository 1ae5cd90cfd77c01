package supvisors_test

// Tests of the plain-Supervisor functions against a REAL plain supervisord (testlab.StartPlain, the lab's
// pinned venv without the Supvisors plugin), started by each test that needs one (about 1 s). Skipped with
// -short only.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

// startPlain starts a plain supervisord of the lab's Supervisor version for one test and returns a client of it.
func startPlain(t *testing.T) (*testlab.Plain, *supvisors.Client) {
	return startPlainVersion(t, "")
}

// startPlainVersion is startPlain for a given Supervisor version ("" = the lab's).
func startPlainVersion(t *testing.T, version string) (*testlab.Plain, *supvisors.Client) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a real plain supervisord")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p, err := testlab.StartPlain(ctx, testlab.PlainOptions{Logf: t.Logf, SupervisorVersion: version})
	if err != nil {
		t.Fatalf("the plain supervisord did not start: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
		if left := p.ProcessesLeft(); len(left) > 0 {
			t.Errorf("processes left: %v", left)
		}
	})
	c, err := supvisors.New(supvisors.Config{URL: p.URL(), Username: p.Username(), Password: p.Password(),
		SnapshotMaxAge: -1})
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

func TestPlainDetectAndRefusals(t *testing.T) {
	_, c := startPlain(t)
	ctx := context.Background()
	info, err := c.Detect(ctx)
	if err != nil || !info.Plain || info.SupervisorVersion != testlab.SupervisorVersion || info.Version != "" {
		t.Fatalf("Detect: %+v %v", info, err)
	}
	_, err = c.GetAllApplicationsInfo(ctx)
	want := "is plain Supervisor " + testlab.SupervisorVersion + ": supvisors.get_all_applications_info needs Supvisors"
	if !errors.Is(err, supvisors.ErrNotSupvisors) || !strings.Contains(err.Error(), want) {
		t.Fatalf("supvisors call on a plain endpoint: %v", err)
	}
	if _, err := c.Snapshot(ctx); !errors.Is(err, supvisors.ErrNotSupvisors) {
		t.Fatalf("Snapshot on a plain endpoint: %v", err)
	}
	if err := c.RequireSupvisors(ctx, "the numprocs attribute"); err == nil ||
		!strings.Contains(err.Error(), "the numprocs attribute needs Supvisors") {
		t.Fatalf("RequireSupvisors: %v", err)
	}
}

// forEachSupervisor runs f as a subtest per tested Supervisor release.
func forEachSupervisor(t *testing.T, f func(t *testing.T, p *testlab.Plain, c *supvisors.Client)) {
	for _, v := range testlab.PlainSupervisorVersions {
		t.Run("supervisor-"+v, func(t *testing.T) {
			p, c := startPlainVersion(t, v)
			info, err := c.Detect(context.Background())
			if err != nil || !info.Plain || info.SupervisorVersion != v {
				t.Fatalf("Detect: %+v %v", info, err)
			}
			f(t, p, c)
		})
	}
}

func TestPlainSnapshotStartStopWait(t *testing.T) {
	forEachSupervisor(t, testPlainSnapshotStartStopWait)
}

func testPlainSnapshotStartStopWait(t *testing.T, _ *testlab.Plain, c *supvisors.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	before := c.Requests()
	snap, err := c.PlainSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Requests()-before != 1 {
		t.Fatalf("PlainSnapshot cost %d requests, want 1", c.Requests()-before)
	}
	if got := snap.ApplicationNames(); !slices.Equal(got, testlab.PlainGroups) {
		t.Fatalf("groups %v, want %v", got, testlab.PlainGroups)
	}
	if app, _ := snap.Application("pweb"); app.Managed || app.Statename != supvisors.ApplicationStopped {
		t.Fatalf("pweb: %+v", app)
	}
	if n := len(snap.ProcessesOf("pmulti")); n != 2 {
		t.Fatalf("pmulti has %d processes", n)
	}

	// A group starts and settles RUNNING (after startsecs), then stops.
	web := []string{"pweb:cache", "pweb:server"}
	if err := c.PlainStart(ctx, web); err != nil {
		t.Fatal(err)
	}
	infos, err := c.PlainWait(ctx, web, true, nil)
	if err != nil || len(infos) != 2 || infos[0].Statename != supvisors.ProcessRunning || infos[0].Now-infos[0].Start < 1 {
		t.Fatalf("start pweb: %+v %v", infos, err)
	}
	if err := c.PlainStart(ctx, web); err != nil {
		t.Fatalf("ALREADY_STARTED is not an error: %v", err)
	}
	snap, _ = c.PlainSnapshot(ctx)
	for _, p := range snap.ProcessesOf("pweb") {
		if p.Statename != supvisors.ProcessRunning || !slices.Equal(p.Identifiers, []string{c.PlainHost()}) {
			t.Fatalf("pweb process %+v", p)
		}
	}
	if err := c.PlainStop(ctx, web); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PlainWait(ctx, web, false, nil); err != nil {
		t.Fatal(err)
	}

	// A one-shot program ends EXITED with an expected exit status: that counts as running.
	if err := c.PlainStart(ctx, []string{"poneshot"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond)
	if _, err := c.PlainWait(ctx, []string{"poneshot"}, true, map[string][]int{"poneshot": {0}}); err != nil {
		t.Fatalf("one-shot: %v", err)
	}

	// crasher goes BACKOFF, is retried once, then FATAL: a SettleError with Supervisor's description.
	if err := c.PlainStart(ctx, []string{"pfaulty:crasher"}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PlainWait(ctx, []string{"pfaulty:crasher"}, true, nil)
	var se *supvisors.SettleError
	if !errors.As(err, &se) || se.Got != "FATAL" || len(se.Processes) != 1 ||
		!strings.Contains(se.Error(), "pfaulty:crasher is FATAL") {
		t.Fatalf("crasher: %v", err)
	}
	// missing: Supervisor refuses before spawning (NO_FILE), named in the error.
	err = c.PlainStart(ctx, []string{"pfaulty:missing"})
	if !supvisors.IsFault(err, supvisors.FaultNoFile) || !strings.Contains(err.Error(), "pfaulty:missing") {
		t.Fatalf("missing: %v", err)
	}
}

// writeProgram writes (or removes, when body is "") an included program file.
func writeProgram(t *testing.T, dir, name, body string) {
	t.Helper()
	path := filepath.Join(dir, name+".conf")
	if body == "" {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPlainRollout(t *testing.T) { forEachSupervisor(t, testPlainRollout) }

func testPlainRollout(t *testing.T, p *testlab.Plain, c *supvisors.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	targets := []supvisors.RolloutTarget{{Name: p.URL(), Client: c}}
	prog := func(name, extra string) string {
		return "[program:" + name + "]\ncommand = sleep 100000\nstartsecs = 1\nstopwaitsecs = 2\n" + extra
	}
	pids := func() map[string]int {
		infos, err := c.Supervisor().GetAllProcessInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]int{}
		for _, i := range infos {
			m[i.Namespec()] = i.Pid
		}
		return m
	}
	// psolo runs before the rollouts and must not be touched by them.
	if err := c.PlainStart(ctx, []string{"psolo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PlainWait(ctx, []string{"psolo"}, true, nil); err != nil {
		t.Fatal(err)
	}
	solo := pids()["psolo"]

	writeProgram(t, p.IncludeDir(), "ra", prog("ra", ""))
	writeProgram(t, p.IncludeDir(), "rb", prog("rb", "autostart = false\n"))
	res, err := supvisors.Rollout(ctx, targets, supvisors.RolloutOptions{})
	if err != nil || len(res) != 1 || !slices.Equal(res[0].Added, []string{"ra", "rb"}) || res[0].String() != "added ra, rb" {
		t.Fatalf("add: %+v %v", res, err)
	}
	after := pids()
	if after["ra"] == 0 || after["rb"] != 0 || after["psolo"] != solo {
		t.Fatalf("after add: %v (psolo was %d)", after, solo)
	}

	// Edit ra: only ra restarts.
	writeProgram(t, p.IncludeDir(), "ra", prog("ra", "environment = V=\"2\"\n"))
	res, err = supvisors.Rollout(ctx, targets, supvisors.RolloutOptions{})
	if err != nil || !slices.Equal(res[0].Changed, []string{"ra"}) || len(res[0].Added)+len(res[0].Removed) != 0 {
		t.Fatalf("change: %+v %v", res, err)
	}
	changed := pids()
	if changed["ra"] == 0 || changed["ra"] == after["ra"] || changed["psolo"] != solo {
		t.Fatalf("after change: %v, before %v", changed, after)
	}

	// A broken file: supervisord's message, nothing changed.
	writeProgram(t, p.IncludeDir(), "rc", "[program:rc\ncommand = sleep 1\n")
	_, err = supvisors.Rollout(ctx, targets, supvisors.RolloutOptions{})
	var re *supvisors.RolloutError
	if !errors.As(err, &re) || !supvisors.IsFault(err, supvisors.FaultCantReread) ||
		!strings.Contains(err.Error(), "File contains no section headers") || !strings.Contains(err.Error(), p.URL()) {
		t.Fatalf("broken file: %v", err)
	}
	if now := pids(); now["ra"] != changed["ra"] || now["psolo"] != solo || len(now) != len(changed) {
		t.Fatalf("a broken file changed something: %v, before %v", now, changed)
	}
	writeProgram(t, p.IncludeDir(), "rc", "")

	// Delete rb and a group outside the filter is left alone.
	writeProgram(t, p.IncludeDir(), "rb", "")
	writeProgram(t, p.IncludeDir(), "ra", "")
	res, err = supvisors.Rollout(ctx, targets, supvisors.RolloutOptions{Match: func(g string) bool { return g == "rb" }})
	if err != nil || !slices.Equal(res[0].Removed, []string{"rb"}) || !slices.Equal(res[0].Skipped, []string{"ra"}) {
		t.Fatalf("remove: %+v %v", res, err)
	}
	if now := pids(); now["ra"] != changed["ra"] || now["psolo"] != solo {
		t.Fatalf("after remove: %v", now)
	}
	res, err = supvisors.Rollout(ctx, targets, supvisors.RolloutOptions{})
	if err != nil || !slices.Equal(res[0].Removed, []string{"ra"}) {
		t.Fatalf("remove ra: %+v %v", res, err)
	}
	if now := pids(); len(now) != len(changed)-2 || now["psolo"] != solo {
		t.Fatalf("after removing everything: %v", now)
	}
	// Nothing to do: nothing done, one request (reloadConfig).
	before := c.Requests()
	res, err = supvisors.Rollout(ctx, targets, supvisors.RolloutOptions{})
	if err != nil || res[0].String() != "no change" || c.Requests()-before != 1 {
		t.Fatalf("no-op: %+v %v (%d requests)", res, err, c.Requests()-before)
	}
}
