package supvisors

import (
	"context"
	"sync"
	"testing"
)

// TestResolveStrategy: an unset strategy resolves to the rules' starting_strategy (CONFIG for an unmanaged
// group), each application's rules are read once for the life of the client (concurrent lookups share the
// shared poll's requests), and a configured strategy is used as it is without any read.
func TestResolveStrategy(t *testing.T) {
	f := snapshotServer(t, 0)
	f.handle(supvisorsGetApplicationRules, func(args []any) (any, error) {
		switch args[0] {
		case "web":
			return map[string]any{"application_name": "web", "managed": true, "starting_strategy": "LESS_LOADED"}, nil
		case "batch":
			return map[string]any{"application_name": "batch", "managed": true, "starting_strategy": "CONFIG"}, nil
		case "tools":
			return map[string]any{"application_name": "tools", "managed": false}, nil
		case "late":
			return map[string]any{"application_name": "late", "managed": true, "starting_strategy": "MOST_LOADED"}, nil
		}
		return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: application=nope unknown to Supvisors"}
	})
	c := newTestClient(t, f.URL())
	ctx := context.Background()

	if s, err := c.ResolveStrategy(ctx, "web", StrategyLocal); err != nil || s != StrategyLocal || c.Requests() != 0 {
		t.Fatalf("configured strategy: %s %v, %d requests", s, err, c.Requests())
	}
	var wg sync.WaitGroup
	for app, want := range map[string]StartingStrategy{"web": StrategyLessLoaded, "batch": StrategyConfig, "tools": StrategyConfig} {
		wg.Add(1)
		go func() { // concurrent, like the starts of a parallel apply
			defer wg.Done()
			if s, err := c.ResolveStrategy(ctx, app, ""); err != nil || s != want {
				t.Errorf("%s: %s %v, want %s", app, s, err, want)
			}
		}()
	}
	wg.Wait()
	// only the three applications' rules, at most one request each (the first carries the detection)
	if c.Requests() > 3 || f.countCalls(supvisorsGetApplicationRules) != 3 || f.countCalls(supvisorsGetAllApplicationsInfo) != 0 {
		t.Fatalf("%d requests, %d get_application_rules, %d get_all_applications_info", c.Requests(),
			f.countCalls(supvisorsGetApplicationRules), f.countCalls(supvisorsGetAllApplicationsInfo))
	}
	// an application met later is read alone; an unknown one is an error (BAD_NAME)
	before := c.Requests()
	if s, err := c.ResolveStrategy(ctx, "late", ""); err != nil || s != StrategyMostLoaded || c.Requests() != before+1 {
		t.Errorf("late: %s %v, %d requests", s, err, c.Requests()-before)
	}
	if _, err := c.ResolveStrategy(ctx, "nope", ""); !IsFault(err, FaultBadName) {
		t.Errorf("nope: %v", err)
	}
	// later calls are served from the cache
	n := c.Requests()
	if s, err := c.ApplicationStrategy(ctx, "web"); err != nil || s != StrategyLessLoaded || c.Requests() != n {
		t.Errorf("cached: %s %v, %d requests", s, err, c.Requests()-n)
	}
}
