package supvisors

// Unit tests of Rollout's decisions against scripted supervisords (the fake server): which calls it makes in
// which order, and what a failure on one target does to the others. The real behaviour of Supervisor is
// tested against real supervisords in plain_integration_test.go and the provider's acceptance tests.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSupervisord scripts one supervisord: groups of one process each, their states, and what reloadConfig
// reports. Starts and stops settle at once.
type fakeSupervisord struct {
	*fakeServer
	mu      sync.Mutex
	state   map[string]string // group -> process state (process name = group name)
	auto    map[string]bool   // group -> autostart
	reload  ReloadResult
	reread  error    // fault of reloadConfig
	fail    string   // group whose start ends FATAL
	actions []string // mutating calls, in order
}

func newFakeSupervisord(t *testing.T, groups map[string]string) *fakeSupervisord {
	f := &fakeSupervisord{fakeServer: newFakeServer(t), state: groups, auto: map[string]bool{}}
	f.handle(supervisorReloadConfig, func([]any) (any, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.reread != nil {
			return nil, f.reread
		}
		r := f.reload
		return []any{[]any{strs(r.Added), strs(r.Changed), strs(r.Removed)}}, nil
	})
	info := func(g string) map[string]any {
		return map[string]any{"name": g, "group": g, "statename": f.state[g], "exitstatus": 0, "description": ""}
	}
	f.handle(supervisorGetAllProcessInfo, func([]any) (any, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		var out []any
		for _, g := range sortedKeys(f.state) {
			out = append(out, info(g))
		}
		return out, nil
	})
	f.handle(supervisorGetAllConfigInfo, func([]any) (any, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		var out []any
		for _, g := range sortedKeys(f.state) {
			out = append(out, map[string]any{"name": g, "group": g, "inuse": true, "autostart": f.auto[g],
				"exitcodes": []any{0}})
		}
		return out, nil
	})
	f.handle(supervisorGetProcessInfo, func(args []any) (any, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		g, _ := SplitNamespec(args[0].(string))
		return info(g), nil
	})
	act := func(method string, apply func(g string) error) {
		f.handle(method, func(args []any) (any, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			g, _ := SplitNamespec(args[0].(string))
			f.actions = append(f.actions, strings.TrimPrefix(method, "supervisor.")+" "+g)
			return true, apply(g)
		})
	}
	act(supervisorStopProcess, func(g string) error { f.state[g] = "STOPPED"; return nil })
	act(supervisorStartProcess, func(g string) error {
		f.state[g] = "RUNNING"
		if g == f.fail {
			f.state[g] = "FATAL"
		}
		return nil
	})
	act(supervisorRemoveProcessGroup, func(g string) error { delete(f.state, g); return nil })
	act(supervisorAddProcessGroup, func(g string) error { f.state[g] = "STOPPED"; return nil })
	return f
}

func strs(s []string) []any {
	out := []any{}
	for _, x := range s {
		out = append(out, x)
	}
	return out
}

func (f *fakeSupervisord) done() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.actions)
}

func TestRolloutOrderAndUntouchedGroups(t *testing.T) {
	f := newFakeSupervisord(t, map[string]string{"gone": "RUNNING", "edit": "RUNNING", "keep": "RUNNING", "idle": "STOPPED"})
	f.reload = ReloadResult{Added: []string{"new", "off"}, Changed: []string{"edit", "idle"}, Removed: []string{"gone"}}
	f.auto["new"] = true // "off" has autostart = false; "idle" did not run: neither is started
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
	if got := f.done(); !slices.Equal(got, want) {
		t.Fatalf("calls\n got %v\nwant %v", got, want)
	}
	r := res[0]
	if r.String() != "added new, off; changed edit, idle; removed gone" || r.Instance != "h1" {
		t.Fatalf("result %+v", r)
	}
	if f.state["keep"] != "RUNNING" || f.state["edit"] != "RUNNING" || f.state["idle"] != "STOPPED" {
		t.Fatalf("states %v", f.state)
	}
}

func TestRolloutRereadFailureChangesNothing(t *testing.T) {
	a := newFakeSupervisord(t, map[string]string{"x": "RUNNING"})
	b := newFakeSupervisord(t, map[string]string{"x": "RUNNING"})
	a.reload = ReloadResult{Removed: []string{"x"}}
	b.reread = &Fault{Code: FaultCantReread, String: "CANT_REREAD: File contains no section headers."}
	targets := []RolloutTarget{{Name: "a", Client: newTestClient(t, a.URL())}, {Name: "b", Client: newTestClient(t, b.URL())}}
	res, err := Rollout(context.Background(), targets, RolloutOptions{})
	var re *RolloutError
	if !errors.As(err, &re) || re.Instance != "b" || !IsFault(err, FaultCantReread) || len(res) != 0 ||
		!strings.Contains(err.Error(), "instance b: read the configuration") {
		t.Fatalf("%v %+v", err, res)
	}
	if len(a.done())+len(b.done()) != 0 {
		t.Fatalf("a re-read failure on b changed something: %v %v", a.done(), b.done())
	}
}

func TestRolloutStopsAfterTheFailedInstance(t *testing.T) {
	a := newFakeSupervisord(t, map[string]string{})
	b := newFakeSupervisord(t, map[string]string{})
	for _, f := range []*fakeSupervisord{a, b} {
		f.reload = ReloadResult{Added: []string{"bad", "good"}}
		f.auto["bad"], f.auto["good"] = true, true
	}
	a.fail = "bad"
	targets := []RolloutTarget{{Name: "a", Client: newTestClient(t, a.URL())}, {Name: "b", Client: newTestClient(t, b.URL())}}
	res, err := Rollout(context.Background(), targets, RolloutOptions{Match: func(g string) bool { return g != "zzz" }})
	var re *RolloutError
	var se *SettleError
	if !errors.As(err, &re) || re.Instance != "a" || re.Group != "bad" || re.Step != "start" || !errors.As(err, &se) {
		t.Fatalf("%v", err)
	}
	// The other group of the failed instance is still rolled out; the next instance is not.
	if len(res) != 1 || !slices.Equal(res[0].Added, []string{"bad", "good"}) || a.state["good"] != "RUNNING" {
		t.Fatalf("%+v %v", res, a.state)
	}
	if len(b.done()) != 0 {
		t.Fatalf("instance b was rolled out after a failure on a: %v", b.done())
	}
}

// TestPlainWaitDeadline: a process that stays in transition (BACKOFF) is waited for until the context ends, and
// the error says what was seen and wraps the context's error.
func TestPlainWaitDeadline(t *testing.T) {
	f := newFakeSupervisord(t, map[string]string{"flappy": "BACKOFF"})
	c := newTestClient(t, f.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	_, err := c.PlainWait(ctx, []string{"flappy"}, true, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "flappy BACKOFF") {
		t.Fatalf("%v", err)
	}
	if n := f.countCalls(systemMulticall); n < 2 || n > 10 {
		t.Fatalf("%d polls in 0.4s", n)
	}
}
