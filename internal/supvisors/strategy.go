package supvisors

import (
	"context"
	"sync"
)

// rulesStrategies caches the starting strategy of each application's rules.
// The rules files are read when Supvisors starts, so the cache lives as long
// as the client (one plan or apply of a Terraform provider).
type rulesStrategies struct {
	mu    sync.Mutex
	byApp map[string]StartingStrategy
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
// Each application's rules are read once and kept for the life of the client
// (and of the clients derived from it). The read rides in the next request of
// the shared poll (poll.go), so the starts of a parallel apply share their
// reads with each other and with the waits, and nothing else is read: on a
// cluster of 1000 applications, reading every application's rules at the
// first start cost a snapshot and a 1000-call multicall (about 2 s) before
// anything started. It costs nothing at plan time: only starts call it.
func (c *Client) ApplicationStrategy(ctx context.Context, app string) (StartingStrategy, error) {
	rc := &c.sh.rules
	rc.mu.Lock()
	s, ok := rc.byApp[app]
	rc.mu.Unlock()
	if ok {
		return s, nil
	}
	v, err := c.polls.read(ctx, MulticallCall{Method: supvisorsGetApplicationRules, Params: []any{app}})
	if err != nil {
		return "", err
	}
	rules, err := decodeOne(v, supvisorsGetApplicationRules, applicationRulesFrom)
	if err != nil {
		return "", c.decodeError(supvisorsGetApplicationRules, err)
	}
	s = rulesStrategy(rules)
	rc.mu.Lock()
	if rc.byApp == nil {
		rc.byApp = map[string]StartingStrategy{}
	}
	rc.byApp[app] = s
	rc.mu.Unlock()
	return s, nil
}

// rulesStrategy is the strategy of rules, StrategyConfig when they name none.
func rulesStrategy(r ApplicationRules) StartingStrategy {
	if !r.Managed || r.StartingStrategy == "" {
		return StrategyConfig
	}
	return StartingStrategy(r.StartingStrategy)
}
