package reconcile

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// poolCluster is a two-instance cluster whose application pool has the homogeneous program pool (2 processes)
// and the plain program single.
func poolCluster(t *testing.T) (Reconciler, *supvisorstest.Cluster, []*supvisorstest.Instance) {
	t.Helper()
	methods := supvisors.WrappedMethods()
	c := supvisorstest.NewCluster(t, methods, &supvisorstest.App{Name: "pool", Managed: true, State: "STOPPED"})
	ins := []*supvisorstest.Instance{c.AddInstance(t, "n1", methods), c.AddInstance(t, "n2", methods)}
	c.AddProgram("pool", "pool", 2, true)
	c.AddProgram("pool", "single", 1, false)
	client, err := supvisors.New(supvisors.Config{URL: c.URL(), ReadyTimeout: time.Second, RequestTimeout: 5 * time.Second,
		InstanceURLs: map[string]string{"n1": ins[0].URL(), "n2": ins[1].URL()}})
	if err != nil {
		t.Fatal(err)
	}
	return Reconciler{Client: client}, c, ins
}

func TestApplyNumprocsChecksEveryInstanceFirst(t *testing.T) {
	r, c, _ := poolCluster(t)
	ctx := testContext(t)
	// A plain program: refused before any update_numprocs reaches an instance.
	_, err := r.ApplyNumprocs(ctx, Scope{App: "pool", Program: "single"}, 3)
	var hom *NotHomogeneousError
	if !errors.As(err, &hom) || hom.Process != "single" || err.Error() == "" {
		t.Fatalf("not homogeneous: %v", err)
	}
	_, err = r.ApplyNumprocs(ctx, Scope{App: "pool", Program: "nope"}, 3)
	var unknown *UnknownProgramError
	if !errors.As(err, &unknown) || !unknown.Numprocs || err.Error() == "" {
		t.Fatalf("unknown program: %v", err)
	}
	if sent := c.Sent(); len(sent) != 0 {
		t.Fatalf("commands sent before the checks passed: %v", sent)
	}
	// Up to 3 on both instances, then down to 1: the excess processes are stopped first.
	if _, err := r.ApplyNumprocs(ctx, Scope{App: "pool", Program: "pool"}, 3); err != nil {
		t.Fatalf("numprocs 3: %v", err)
	}
	if err := r.Converge(ctx, Scope{App: "pool", Program: "pool"}, ConvergeOptions{Running: true, Strategy: "CONFIG"}); err != nil {
		t.Fatalf("start: %v", err)
	}
	before := len(c.Sent())
	if _, err := r.ApplyNumprocs(ctx, Scope{App: "pool", Program: "pool"}, 1); err != nil {
		t.Fatalf("numprocs 1: %v", err)
	}
	sent := c.Sent()[before:]
	want := []string{"stop_process pool:pool_1", "stop_process pool:pool_2", "update_numprocs pool 1 on n1", "update_numprocs pool 1 on n2"}
	if !slices.Equal(sent, want) {
		t.Fatalf("commands %v, want %v", sent, want)
	}
	members, _ := r.FreshMembers(ctx, Scope{App: "pool", Program: "pool"})
	if len(members) != 1 {
		t.Fatalf("members after numprocs 1: %v", members)
	}
}

func TestApplyNumprocsRefusedOnOneInstance(t *testing.T) {
	r, c, _ := poolCluster(t)
	c.Fail("n2 supvisors.update_numprocs", supvisorstest.FaultFailed, "FAILED: disk full")
	notes, err := r.ApplyNumprocs(testContext(t), Scope{App: "pool", Program: "pool"}, 4)
	var step *StepError
	if !errors.As(err, &step) || step.Attribute != "numprocs" || !strings.Contains(step.Summary, "n2") {
		t.Fatalf("refusal: %v", err)
	}
	if notes.Partial == nil || !slices.Equal(notes.Partial.Instances, []string{"n1"}) || notes.Partial.Numprocs != 4 {
		t.Fatalf("partial change not reported: %+v", notes)
	}
}

func TestApplyNumprocsInstanceDown(t *testing.T) {
	r, c, _ := poolCluster(t)
	c.SetDown("n2", "SILENT")
	notes, err := r.ApplyNumprocs(testContext(t), Scope{App: "pool", Program: "pool"}, 3)
	if err != nil || len(notes.Skipped) != 1 || notes.Skipped[0].Down[0].ID != "n2" || !strings.Contains(notes.Skipped[0].Down[0].Reason, "SILENT") {
		t.Fatalf("skipped instance: %+v %v", notes, err)
	}
	c.SetDown("n1", "SILENT")
	_, err = r.ApplyNumprocs(testContext(t), Scope{App: "pool", Program: "pool"}, 2)
	var none *NoInstanceError
	if !errors.As(err, &none) || err.Error() == "" {
		t.Fatalf("no instance: %v", err)
	}
}

func TestApplyEnabledOnEveryInstance(t *testing.T) {
	r, c, _ := poolCluster(t)
	ctx := testContext(t)
	s := Scope{App: "pool", Program: "pool"}
	if _, err := r.ApplyEnabled(ctx, s, false); err != nil {
		t.Fatalf("disable: %v", err)
	}
	if _, err := r.ApplyEnabled(ctx, s, true); err != nil {
		t.Fatalf("enable: %v", err)
	}
	// Already enabled: nothing is sent.
	if _, err := r.ApplyEnabled(ctx, s, true); err != nil {
		t.Fatalf("enable again: %v", err)
	}
	want := []string{"disable pool on n1", "disable pool on n2", "enable pool on n1", "enable pool on n2"}
	if got := c.Sent(); !slices.Equal(got, want) {
		t.Fatalf("commands %v, want %v", got, want)
	}
	obs := r.ReadSettings(ctx, mustSnapshot(t, r), s, true, true)
	if !slices.Equal(obs.Numprocs, []int64{2, 2}) || !slices.Equal(obs.Enabled, []bool{true, true}) || len(obs.Defined) != 3 {
		t.Fatalf("settings %+v", obs)
	}
	_, err := r.ApplyEnabled(ctx, Scope{App: "pool", Program: "nope"}, false)
	var unknown *UnknownProgramError
	if !errors.As(err, &unknown) || unknown.Numprocs {
		t.Fatalf("unknown program: %v", err)
	}
	c.Fail("n1 supvisors.disable", supvisorstest.FaultFailed, "FAILED")
	_, err = r.ApplyEnabled(ctx, s, false)
	var step *StepError
	if !errors.As(err, &step) || step.Attribute != "enabled" {
		t.Fatalf("refused disable: %v", err)
	}
}

func mustSnapshot(t *testing.T, r Reconciler) *supvisors.Snapshot {
	t.Helper()
	snap, err := r.Client.Snapshot(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestConvergeStopThenStartOnExtraArgs(t *testing.T) {
	r, c, _ := poolCluster(t)
	ctx := testContext(t)
	s := Scope{App: "pool", Program: "pool"}
	if err := r.Converge(ctx, s, ConvergeOptions{Running: true, Strategy: "CONFIG", ExtraArgs: "-a"}); err != nil {
		t.Fatalf("start: %v", err)
	}
	before := len(c.Sent())
	if err := r.Converge(ctx, s, ConvergeOptions{Running: true, Strategy: "CONFIG", ExtraArgs: "-b"}); err != nil {
		t.Fatalf("new extra_args: %v", err)
	}
	want := []string{"stop_process pool:pool_0", "stop_process pool:pool_1", "start_process pool:pool_0", "start_process pool:pool_1"}
	if got := c.Sent()[before:]; !slices.Equal(got, want) {
		t.Fatalf("commands %v, want %v (stop, then start)", got, want)
	}
	members, _ := r.FreshMembers(ctx, s)
	for _, m := range members {
		if m.ExtraArgs != "-b" || m.Statename != supvisors.ProcessRunning {
			t.Fatalf("%s: %s %q", m.Namespec(), m.Statename, m.ExtraArgs)
		}
	}
	// The whole application stops with one call.
	before = len(c.Sent())
	if err := r.Converge(ctx, Scope{App: "pool"}, ConvergeOptions{Running: false}); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if got := c.Sent()[before:]; !slices.Equal(got, []string{"stop_process pool:*"}) {
		t.Fatalf("commands %v", got)
	}
	if err := r.Converge(ctx, Scope{App: "pool", Program: "gone"}, ConvergeOptions{}); !errors.As(err, new(*NoProcessError)) {
		t.Fatalf("no process: %v", err)
	}
	c.Fail("supvisors.start_process", supvisorstest.FaultFailed, "FAILED")
	var step *StepError
	if err := r.Converge(ctx, s, ConvergeOptions{Running: true, Strategy: "CONFIG"}); !errors.As(err, &step) || !strings.Contains(step.Summary, "start") {
		t.Fatalf("refused start: %v", err)
	}
}

func TestApplyProcessGroupOrder(t *testing.T) {
	r, c, _ := poolCluster(t)
	ctx := testContext(t)
	members, notes, err := r.ApplyProcessGroup(ctx, ProcessGroup{Scope: Scope{App: "pool", Program: "pool"}, Running: true,
		Numprocs: 3, SetNumprocs: true, Enable: true})
	if err != nil || len(members) != 3 || len(notes.Skipped) != 0 {
		t.Fatalf("apply: %v %+v %v", members, notes, err)
	}
	sent := c.Sent()
	if !strings.HasPrefix(sent[0], "update_numprocs") || !strings.HasPrefix(sent[len(sent)-1], "start_process") {
		t.Fatalf("order: %v", sent)
	}
	if c.Count("supvisors.get_application_rules") == 0 {
		t.Error("the unset strategy is not the rules'")
	}
	before := len(c.Sent())
	if _, _, err := r.ApplyProcessGroup(ctx, ProcessGroup{Scope: Scope{App: "pool", Program: "pool"}, Disable: true}); err != nil {
		t.Fatal(err)
	}
	got := c.Sent()[before:]
	if !strings.HasPrefix(got[0], "stop_process") || !strings.HasPrefix(got[len(got)-1], "disable") {
		t.Fatalf("stop before disable: %v", got)
	}
}

// TestConvergeErrors: each failed step of Converge says which one, with the client's error.
func TestConvergeErrors(t *testing.T) {
	r, c, _ := poolCluster(t)
	ctx := testContext(t)
	pool := Scope{App: "pool", Program: "pool"}
	var none *NoProcessError
	if err := r.Converge(ctx, Scope{App: "pool", Program: "nope"}, ConvergeOptions{Running: true, Strategy: "CONFIG"}); !errors.As(err, &none) ||
		err.Error() != "no process in pool:nope" {
		t.Fatalf("no process: %v", err)
	}
	c.Fail("supvisors.start_process", supvisorstest.FaultFailed, "FAILED: no way")
	var step *StepError
	if err := r.Converge(ctx, pool, ConvergeOptions{Running: true, Strategy: "CONFIG"}); !errors.As(err, &step) ||
		!strings.HasPrefix(err.Error(), "Could not start pool:pool_0: ") || !supvisors.IsFault(err, supvisors.FaultFailed) {
		t.Fatalf("start: %v", err)
	}
	c.Fail("supvisors.start_process", 0, "")
	if err := r.Converge(ctx, pool, ConvergeOptions{Running: true, Strategy: "CONFIG"}); err != nil {
		t.Fatal(err)
	}
	c.Fail("supvisors.stop_process", supvisorstest.FaultFailed, "FAILED: stuck")
	if err := r.Converge(ctx, pool, ConvergeOptions{}); !errors.As(err, &step) || step.Summary != "Could not stop pool:*" && !strings.HasPrefix(step.Summary, "Could not stop pool:pool") {
		t.Fatalf("stop: %v", err)
	}
	c.Fail("supvisors.stop_process", 0, "")
	c.Fail("supvisors.get_process_info", supvisorstest.FaultFailed, "FAILED: boom")
	c.Fail("supvisors.get_all_process_info", supvisorstest.FaultFailed, "FAILED: boom")
	r.Client.InvalidateSnapshot()
	if err := r.Converge(ctx, pool, ConvergeOptions{}); !errors.As(err, &step) || step.Summary != "Could not read the processes of pool:pool" {
		t.Fatalf("read: %v", err)
	}
	// ApplyProcessGroup says which step failed too.
	_, _, err := r.ApplyProcessGroup(ctx, ProcessGroup{Scope: pool, Numprocs: 2})
	if !errors.As(err, &step) || !strings.HasPrefix(step.Summary, "Could not read the processes of pool:pool") {
		t.Fatalf("apply: %v", err)
	}
	c.Fail("supvisors.get_all_process_info", 0, "")
	c.Fail("supvisors.get_process_info", 0, "")
	c.Fail("supvisors.get_application_rules", supvisorstest.FaultFailed, "FAILED: rules")
	_, _, err = r.ApplyProcessGroup(ctx, ProcessGroup{Scope: pool, Running: true})
	if !errors.As(err, &step) || step.Summary != "Could not read the rules of application pool" {
		t.Fatalf("rules: %v", err)
	}
}

func TestWorstState(t *testing.T) {
	for _, tc := range []struct {
		fs   []supvisors.ProcessFailure
		want string
	}{
		{nil, "another state"},
		{[]supvisors.ProcessFailure{{Statename: "FATAL"}, {Statename: "BACKOFF"}, {Statename: "FATAL"}}, "FATAL/BACKOFF"},
		{[]supvisors.ProcessFailure{{Statename: ""}}, "another state"},
	} {
		if got := WorstState(tc.fs); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.fs, got, tc.want)
		}
	}
	e := &StepError{Summary: "Could not stop x", Err: errors.New("boom")}
	if e.Error() != "Could not stop x: boom" {
		t.Fatal(e.Error())
	}
}
