package supvisors

import (
	"context"
	"sync"
)

// rulesStrategies caches the starting strategy of each application's rules.
// The rules files are read when Supvisors starts, so the cache lives as long
// as the client (one plan or apply of a Terraform provider).
type rulesStrategies struct {
	mu     sync.Mutex
	loaded bool
	byApp  map[string]StartingStrategy
}

// ResolveStrategy returns the strategy a start of application app uses:
// configured when it is set, else what the application's own rules say (see
// ApplicationStrategy). Every caller that starts something on behalf of a
// configuration that may leave the strategy unset goes through here, so that
// "unset" means the same everywhere.
func (c *Client) ResolveStrategy(ctx context.Context, app string, configured StartingStrategy) (StartingStrategy, error) {
	if configured != "" {
		return configured, nil
	}
	return c.ApplicationStrategy(ctx, app)
}

// ApplicationStrategy returns the starting_strategy of the rules of
// application app (get_application_rules), which Supvisors' own start
// sequence, its Web UI and its automatic restarts use. A group without rules
// (unmanaged) or rules without a strategy give StrategyConfig, the placement
// by the first eligible identifier.
//
// The first call reads the rules of every application of the snapshot in one
// system.multicall and keeps them for the life of the client (and of the
// clients derived from it); an application that appeared since is read on
// its own. It costs nothing at plan time: only starts call it.
func (c *Client) ApplicationStrategy(ctx context.Context, app string) (StartingStrategy, error) {
	rc := &c.sh.rules
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !rc.loaded {
		if err := c.loadRulesStrategies(ctx, rc); err != nil {
			return "", err
		}
	}
	if s, ok := rc.byApp[app]; ok {
		return s, nil
	}
	rules, err := c.GetApplicationRules(ctx, app)
	if err != nil {
		return "", err
	}
	s := rulesStrategy(rules)
	rc.byApp[app] = s
	return s, nil
}

// loadRulesStrategies fills rc with the rules strategy of every application
// of the snapshot, in one multicall. Applications whose call failed are left
// out (ApplicationStrategy then reads them alone and reports the error).
func (c *Client) loadRulesStrategies(ctx context.Context, rc *rulesStrategies) error {
	snap, err := c.Snapshot(ctx)
	if err != nil {
		return err
	}
	names := snap.ApplicationNames()
	rc.byApp = make(map[string]StartingStrategy, len(names))
	if len(names) > 0 {
		calls := make([]MulticallCall, len(names))
		for i, n := range names {
			calls[i] = MulticallCall{Method: mGetApplicationRules, Params: []any{n}}
		}
		results, err := c.multicall(ctx, calls, true)
		if err != nil {
			return err
		}
		for i, r := range results {
			if r.Err != nil {
				continue
			}
			if rules, err := decodeOne(r.Value, mGetApplicationRules, applicationRulesFrom); err == nil {
				rc.byApp[names[i]] = rulesStrategy(rules)
			}
		}
	}
	rc.loaded = true
	return nil
}

// rulesStrategy is the strategy of rules, StrategyConfig when they name none.
func rulesStrategy(r ApplicationRules) StartingStrategy {
	if !r.Managed || r.StartingStrategy == "" {
		return StrategyConfig
	}
	return StartingStrategy(r.StartingStrategy)
}
