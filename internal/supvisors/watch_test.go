package supvisors

import (
	"context"
	"testing"
	"time"
)

// A watch reads through the shared poll: alone it sends nothing (the hub does not even start); beside a wait it
// adds no request (its get_process_info is the wait's, sent once per tick) and sees the processes move.
func TestProcessWatchRidesTheSharedPoll(t *testing.T) {
	s := newClusterScript(t, []string{"web"}, 5)
	c := newTestClient(t, s.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Detect(ctx); err != nil {
		t.Fatal(err)
	}
	detect := s.Requests()

	pw := c.WatchProcesses("web:*")
	short, scancel := context.WithTimeout(ctx, 300*time.Millisecond)
	if procs, err := pw.Next(short); err == nil || procs != nil {
		t.Fatalf("a watch alone must read nothing: %v %v", procs, err)
	}
	scancel()
	if n := s.Requests() - detect; n != 0 {
		t.Fatalf("a watch alone sent %d requests", n)
	}
	waitHubIdle(t, c)

	seen := make(chan ProcessState, 100)
	wctx, wcancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			procs, err := pw.Next(wctx)
			if err != nil {
				return
			}
			if len(procs) == 1 {
				seen <- procs[0].Statename
			}
		}
	}()
	if err := c.StartApplication(ctx, StrategyConfig, "web", false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.WaitApplication(ctx, "web", ApplicationRunning); err != nil {
		t.Fatal(err)
	}
	wcancel()
	<-done
	pw.Stop()
	close(seen)
	states := map[ProcessState]bool{}
	for st := range seen {
		states[st] = true
	}
	if !states[ProcessStarting] {
		t.Errorf("the watch did not see the process starting: %v", states)
	}
	ticks := c.polls.ticks.Load()
	if got := s.Requests() - detect; got != ticks {
		t.Fatalf("%d HTTP requests for %d ticks of the shared poll: the watch sent requests of its own", got, ticks)
	}
	if n, m := s.countCalls(supvisorsGetProcessInfo), s.countCalls(supvisorsGetSupvisorsState); n > m {
		t.Fatalf("%d get_process_info for %d ticks: the watch's call was not merged with the wait's", n, m)
	}
	c.polls.mu.Lock()
	left := len(c.polls.watchers)
	c.polls.mu.Unlock()
	if left != 0 {
		t.Fatalf("Stop left %d watchers", left)
	}
	waitHubIdle(t, c)
}
