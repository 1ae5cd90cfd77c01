package supvisors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clusterScript is a fake cluster whose applications start when asked (start_application, wait=false) and
// become RUNNING a given number of get_supvisors_state readings (polls) later.
type clusterScript struct {
	*fakeServer
	mu      sync.Mutex
	polls   int            // get_supvisors_state readings so far
	started map[string]int // application -> poll count at its start
	after   int            // polls between a start and RUNNING
}

func newClusterScript(t *testing.T, apps []string, after int) *clusterScript {
	s := &clusterScript{fakeServer: newFakeServer(t), started: map[string]int{}, after: after}
	known := map[string]bool{}
	for _, a := range apps {
		known[a] = true
	}
	s.handle(supvisorsGetSupvisorsState, func([]any) (any, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.polls++
		st := capturedState(StateOperation)
		for app, at := range s.started {
			if s.polls-at < s.after {
				st["starting_jobs"] = []any{"127.0.0.1:61001"}
				_ = app
			}
		}
		return st, nil
	})
	appState := func(name string) (ApplicationState, ProcessState) {
		at, ok := s.started[name]
		switch {
		case !ok:
			return ApplicationStopped, ProcessStopped
		case s.polls-at < s.after:
			return ApplicationStarting, ProcessStarting
		}
		return ApplicationRunning, ProcessRunning
	}
	s.handle(supvisorsGetApplicationInfo, func(args []any) (any, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		name := args[0].(string)
		if !known[name] {
			return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + name}
		}
		a, _ := appState(name)
		return capturedApp(name, a, true), nil
	})
	s.handle(supvisorsGetProcessInfo, func(args []any) (any, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		name, _, _ := strings.Cut(args[0].(string), ":")
		if !known[name] {
			return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + name}
		}
		_, p := appState(name)
		return []any{capturedProcess(name, "main", p, "127.0.0.1:61001")}, nil
	})
	s.handle(supvisorsStartApplication, func(args []any) (any, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.started[args[1].(string)] = s.polls
		return true, nil
	})
	return s
}

func appNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("app_%02d", i)
	}
	return names
}

// Concurrent waits share one multicall per tick: 10 applications started and awaited together cost about as many
// requests as one of them alone, not 10 times as many, and their starts ride in the same requests.
func TestSharedPollConcurrentWaits(t *testing.T) {
	names := appNames(10)
	s := newClusterScript(t, names, 5)
	c := newTestClient(t, s.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Detect(ctx); err != nil { // the release is known before the first command (one request)
		t.Fatal(err)
	}
	detect := s.Requests()
	var wg sync.WaitGroup
	errs := make([]error, len(names))
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.StartApplication(ctx, StrategyConfig, n, false); err != nil {
				errs[i] = err
				return
			}
			info, procs, err := c.WaitApplication(ctx, n, ApplicationRunning)
			if err == nil && (info.Statename != ApplicationRunning || len(procs) != 1) {
				err = fmt.Errorf("%s: %+v %+v", n, info, procs)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	ticks := c.polls.ticks.Load()
	// One wait alone needs `after` polls; the starts arrive a few ms apart, so the later ones may need one or two
	// ticks more.
	if ticks < 5 || ticks > 8 {
		t.Fatalf("%d shared polls for 10 concurrent waits (one wait alone: 5)", ticks)
	}
	// The starts (wait=false) travel in the same requests.
	if got := s.Requests() - detect; got != ticks {
		t.Fatalf("%d HTTP requests for %d ticks", got, ticks)
	}
	if n := s.countCalls(supvisorsStartApplication); n != len(names) {
		t.Fatalf("%d start_application calls", n)
	}
	waitHubIdle(t, c)
}

// Two waits on the same application send its calls once per tick.
func TestSharedPollDeduplicatesCalls(t *testing.T) {
	s := newClusterScript(t, []string{"web"}, 3)
	c := newTestClient(t, s.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.StartApplication(ctx, StrategyConfig, "web", false); err != nil {
		t.Fatal(err)
	}
	startTicks, startCalls := c.polls.ticks.Load(), s.countCalls(supvisorsGetProcessInfo)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.WaitProcesses(ctx, "web:*", true); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if calls, ticks := s.countCalls(supvisorsGetProcessInfo)-startCalls, c.polls.ticks.Load()-startTicks; int64(calls) != ticks {
		t.Fatalf("%d get_process_info calls in %d ticks", calls, ticks)
	}
}

// A wait ends with its own context, at once, while the others go on; a fault on one waiter's calls concerns only
// that waiter; the hub stops when the last waiter leaves.
func TestSharedPollDeadlinesAndFaultsPerWaiter(t *testing.T) {
	s := newClusterScript(t, []string{"slow", "fast"}, 8)
	c := newTestClient(t, s.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, n := range []string{"slow", "fast"} {
		if err := c.StartApplication(ctx, StrategyConfig, n, false); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	var slowErr, fastErr, badErr error
	var slowTook time.Duration
	wg.Add(3)
	go func() {
		defer wg.Done()
		sctx, scancel := context.WithTimeout(ctx, 250*time.Millisecond)
		defer scancel()
		began := time.Now()
		_, _, slowErr = c.WaitApplication(sctx, "slow", ApplicationRunning)
		slowTook = time.Since(began)
	}()
	go func() {
		defer wg.Done()
		_, _, fastErr = c.WaitApplication(ctx, "fast", ApplicationRunning)
	}()
	go func() {
		defer wg.Done()
		_, _, badErr = c.WaitApplication(ctx, "nope", ApplicationRunning)
	}()
	wg.Wait()
	if !errors.Is(slowErr, context.DeadlineExceeded) || !strings.Contains(slowErr.Error(), "application slow did not settle in RUNNING in time: it is STARTING") {
		t.Fatalf("slow: %v", slowErr)
	}
	if slowTook > 2*time.Second {
		t.Fatalf("the deadline of 250ms was honoured after %s", slowTook)
	}
	if fastErr != nil {
		t.Fatalf("fast: %v", fastErr)
	}
	if !IsFault(badErr, FaultBadName) {
		t.Fatalf("nope: %v", badErr)
	}
	waitHubIdle(t, c)
	before := s.Requests()
	time.Sleep(300 * time.Millisecond)
	if after := s.Requests(); after != before {
		t.Fatalf("%d requests after the last waiter left", after-before)
	}
}

// Cancelling the only waiter stops a request in flight.
func TestSharedPollCancelStopsRequestInFlight(t *testing.T) {
	f := newFakeServer(t)
	var inFlight atomic.Int64
	release := make(chan struct{})
	defer close(release)
	f.handle(supvisorsGetSupvisorsState, func([]any) (any, error) {
		inFlight.Add(1)
		<-release
		return capturedState(StateOperation), nil
	})
	c := newTestClient(t, f.URL())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.WaitReady(ctx); done <- err }()
	for inFlight.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		var nr *NotReadyError
		if !errors.As(err, &nr) || !errors.Is(err, context.Canceled) {
			t.Fatalf("%v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("WaitReady did not return after its context was cancelled")
	}
	waitHubIdle(t, c)
}

// waitHubIdle fails unless the hub has no waiter and no loop shortly after the waits returned.
func waitHubIdle(t *testing.T, c *Client) {
	t.Helper()
	c.polls.mu.Lock()
	defer c.polls.mu.Unlock()
	if len(c.polls.waiters) != 0 || c.polls.cancel != nil {
		t.Fatalf("hub still has %d waiters (loop running: %v)", len(c.polls.waiters), c.polls.cancel != nil)
	}
}

// A command sent through the shared poll keeps the rules of a mutating call: a fault is its own (ALREADY_STARTED
// stays recognisable), BAD_SUPVISORS_STATE is retried for that command alone, and nothing else is re-sent.
func TestSharedPollCommands(t *testing.T) {
	f := newFakeServer(t)
	var mu sync.Mutex
	sent := map[string]int{}
	f.handle(supvisorsGetSupvisorsState, value(capturedState(StateOperation)))
	f.handle(supvisorsStartApplication, func(args []any) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		name := args[1].(string)
		sent[name]++
		switch {
		case name == "busy" && sent[name] == 1:
			return nil, &Fault{Code: FaultBadSupvisorsState, String: "BAD_SUPVISORS_STATE: invalid Supvisors state=CONCILIATION"}
		case name == "up":
			return nil, &Fault{Code: FaultAlreadyStarted, String: "ALREADY_STARTED: up"}
		}
		return true, nil
	})
	c := newTestClient(t, f.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := map[string]error{}
	for _, n := range []string{"busy", "up", "plain"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := c.StartApplication(ctx, StrategyConfig, n, false)
			mu.Lock()
			errs[n] = err
			mu.Unlock()
		}()
	}
	wg.Wait()
	if errs["busy"] != nil || errs["plain"] != nil || !IsFault(errs["up"], FaultAlreadyStarted) {
		t.Fatalf("%v", errs)
	}
	if sent["busy"] != 2 || sent["up"] != 1 || sent["plain"] != 1 {
		t.Fatalf("commands sent %v: only busy is sent again", sent)
	}
	var ce *CallError
	if !errors.As(errs["up"], &ce) || ce.Method != supvisorsStartApplication {
		t.Fatalf("the fault names the command: %v", errs["up"])
	}
	// wait=true is never batched: the server holds such a call until the job ends.
	before := f.countCalls(systemMulticall)
	if err := c.StartApplication(ctx, StrategyConfig, "plain", true); err != nil || f.countCalls(systemMulticall) != before {
		t.Fatalf("wait=true: %v (multicalls %d -> %d)", err, before, f.countCalls(systemMulticall))
	}
	waitHubIdle(t, c)
}

// The wait that follows a command starts from the reading taken in the same request, right after the command: a
// stop that is over before the next tick is still seen moving, so the wait does not hold on for the jobs that
// other applications run.
func TestSharedPollWaitStartsFromTheReadingAfterItsCommand(t *testing.T) {
	f := newFakeServer(t)
	var mu sync.Mutex
	stopped := false
	readsSinceStop := 0
	f.handle(supvisorsGetSupvisorsState, func([]any) (any, error) {
		st := capturedState(StateOperation)
		st["starting_jobs"] = []any{"127.0.0.1:61002"} // another application starts all along
		return st, nil
	})
	f.handle(supvisorsStopApplication, func([]any) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		return true, nil
	})
	state := func() (ApplicationState, ProcessState) {
		switch {
		case !stopped:
			return ApplicationRunning, ProcessRunning
		case readsSinceStop == 0:
			return ApplicationStopping, ProcessStopping
		}
		return ApplicationStopped, ProcessStopped
	}
	f.handle(supvisorsGetApplicationInfo, func(args []any) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		a, _ := state()
		return capturedApp("web", a, true), nil
	})
	f.handle(supvisorsGetProcessInfo, func(args []any) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		_, p := state()
		if stopped {
			readsSinceStop++
		}
		return []any{capturedProcess("web", "main", p)}, nil
	})
	c := newTestClient(t, f.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := c.Detect(ctx); err != nil {
		t.Fatal(err)
	}
	detect := f.Requests()
	if err := c.StopApplication(ctx, "web", false); err != nil {
		t.Fatal(err)
	}
	info, _, err := c.WaitApplication(ctx, "web", ApplicationStopped)
	if err != nil || info.Statename != ApplicationStopped {
		t.Fatalf("%+v %v", info, err)
	}
	if n := f.Requests() - detect; n != 2 {
		t.Fatalf("%d requests: want the stop with its reading, then one poll", n)
	}
}
