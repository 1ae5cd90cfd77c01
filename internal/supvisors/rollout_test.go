package supvisors

// Unit tests of Rollout's decisions against scripted supervisords (supvisorstest.RolloutHost): which calls it makes in
// which order, and what a failure on one target does to the others. The real behaviour of Supervisor is
// tested against real supervisords in plain_integration_test.go and the provider's acceptance tests.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func TestRolloutOrderAndUntouchedGroups(t *testing.T) {
	f := supvisorstest.NewRolloutHost(t, map[string]string{"gone": "RUNNING", "edit": "RUNNING", "keep": "RUNNING", "idle": "STOPPED"})
	f.Added, f.Changed, f.Removed = []string{"new", "off"}, []string{"edit", "idle"}, []string{"gone"}
	f.Autostart["new"] = true // "off" has autostart = false; "idle" did not run: neither is started
	c := newTestClient(t, f.URL())
	res, err := Rollout(context.Background(), []RolloutTarget{{Name: "h1", Client: c}}, RolloutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"stopProcess gone", "removeProcessGroup gone", // removed: stop, remove
		"stopProcess edit", "removeProcessGroup edit", "removeProcessGroup idle", // changed: stop what runs, remove
		"addProcessGroup edit", "startProcess edit", "addProcessGroup idle", // ... add, start what ran
		"addProcessGroup new", "startProcess new", "addProcessGroup off", // added: add, start autostart
	}
	if got := f.Actions(); !slices.Equal(got, want) {
		t.Fatalf("calls\n got %v\nwant %v", got, want)
	}
	r := res[0]
	if r.String() != "added new, off; changed edit, idle; removed gone" || r.Instance != "h1" {
		t.Fatalf("result %+v", r)
	}
	if f.State("keep") != "RUNNING" || f.State("edit") != "RUNNING" || f.State("idle") != "STOPPED" {
		t.Fatalf("states %v", f.States)
	}
}

func TestRolloutRereadFailureChangesNothing(t *testing.T) {
	a := supvisorstest.NewRolloutHost(t, map[string]string{"x": "RUNNING"})
	b := supvisorstest.NewRolloutHost(t, map[string]string{"x": "RUNNING"})
	a.Removed = []string{"x"}
	b.Reread = &supvisorstest.Fault{Code: supvisorstest.FaultCantReread, String: "CANT_REREAD: File contains no section headers."}
	targets := []RolloutTarget{{Name: "a", Client: newTestClient(t, a.URL())}, {Name: "b", Client: newTestClient(t, b.URL())}}
	res, err := Rollout(context.Background(), targets, RolloutOptions{})
	var re *RolloutError
	if !errors.As(err, &re) || re.Instance != "b" || !IsFault(err, FaultCantReread) || len(res) != 0 ||
		!strings.Contains(err.Error(), "instance b: read the configuration") {
		t.Fatalf("%v %+v", err, res)
	}
	if len(a.Actions())+len(b.Actions()) != 0 {
		t.Fatalf("a re-read failure on b changed something: %v %v", a.Actions(), b.Actions())
	}
}

func TestRolloutStopsAfterTheFailedInstance(t *testing.T) {
	a := supvisorstest.NewRolloutHost(t, nil)
	b := supvisorstest.NewRolloutHost(t, nil)
	for _, f := range []*supvisorstest.RolloutHost{a, b} {
		f.Added = []string{"bad", "good"}
		f.Autostart["bad"], f.Autostart["good"] = true, true
	}
	a.FailStart = "bad"
	targets := []RolloutTarget{{Name: "a", Client: newTestClient(t, a.URL())}, {Name: "b", Client: newTestClient(t, b.URL())}}
	res, err := Rollout(context.Background(), targets, RolloutOptions{Match: func(g string) bool { return g != "zzz" }})
	var re *RolloutError
	var se *SettleError
	if !errors.As(err, &re) || re.Instance != "a" || re.Group != "bad" || re.Step != "start" || !errors.As(err, &se) {
		t.Fatalf("%v", err)
	}
	// The other group of the failed instance is still rolled out; the next instance is not.
	if len(res) != 1 || !slices.Equal(res[0].Added, []string{"bad", "good"}) || a.State("good") != "RUNNING" {
		t.Fatalf("%+v %v", res, a.States)
	}
	if len(b.Actions()) != 0 {
		t.Fatalf("instance b was rolled out after a failure on a: %v", b.Actions())
	}
}

// TestPlainWaitDeadline: a process that stays in transition (BACKOFF) is waited for until the context ends, and
// the error says what was seen and wraps the context's error.
func TestPlainWaitDeadline(t *testing.T) {
	f := supvisorstest.NewRolloutHost(t, map[string]string{"flappy": "BACKOFF"})
	c := newTestClient(t, f.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	_, err := c.PlainWait(ctx, []string{"flappy"}, true, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "flappy BACKOFF") {
		t.Fatalf("%v", err)
	}
	if n := f.Count(systemMulticall); n < 2 || n > 10 {
		t.Fatalf("%d polls in 0.4s", n)
	}
}
