package supvisors

import (
	"context"
	"sync"
	"testing"
	"time"
)

// The commands that the handlers of one parallel Terraform walk send within a few milliseconds of each other,
// on an idle hub, go in one request: the hub holds the first one for gatherDelay.
func TestSharedPollGathersConcurrentCommands(t *testing.T) {
	f := newFakeServer(t)
	f.handle(supvisorsGetSupvisorsState, value(capturedState(StateOperation)))
	f.handle(supvisorsStartApplication, value(true))
	c := newTestClient(t, f.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.StartApplication(ctx, StrategyConfig, "warm_up", false); err != nil { // the detection rides here
		t.Fatal(err)
	}
	waitHubIdle(t, c)
	before := f.countCalls(systemMulticall)
	var wg sync.WaitGroup
	for _, name := range appNames(10) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.StartApplication(ctx, StrategyConfig, name, false); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}()
	}
	wg.Wait()
	if got := f.countCalls(systemMulticall) - before; got != 1 {
		t.Fatalf("10 concurrent starts went in %d requests, want 1", got)
	}
	waitHubIdle(t, c)
}
