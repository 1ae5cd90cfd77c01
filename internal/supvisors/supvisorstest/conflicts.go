package supvisorstest

import "strings"

// What the actions need of a Cluster: the cluster state, the conflicts
// (processes running on more than one instance), conciliate, the strategies
// and restart_process.

// FaultBadSupvisorsState is Supvisors' fault for a command refused in the
// current cluster state.
const FaultBadSupvisorsState = 101

// handleConflicts registers get_conflicts, conciliate, get_strategies and
// restart_process (called by NewCluster).
func (c *Cluster) handleConflicts() {
	c.handle("supvisors.get_conflicts", func([]any) (any, error) { return c.conflicts(), nil })
	c.handle("supvisors.conciliate", func(args []any) (any, error) {
		strategy, _ := arg(args, 0).(string)
		return c.conciliate(strategy)
	})
	c.SetConciliation("USER")
	c.handle("supvisors.restart_process", func(args []any) (any, error) {
		spec, _ := arg(args, 1).(string)
		extra, _ := arg(args, 2).(string)
		return c.restartProcess(spec, extra)
	})
}

// SetState sets the fsm_statename of the cluster state (OPERATION,
// CONCILIATION...).
func (c *Cluster) SetState(state string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state = state
}

// SetConciliation sets the cluster's own conciliation strategy, as
// get_strategies reports it (USER at first).
func (c *Cluster) SetConciliation(strategy string) {
	c.handle("supvisors.get_strategies", Value(map[string]any{"auto-fencing": false, "starting": "CONFIG",
		"conciliation": strategy, "supvisors_failure": "CONTINUE"}))
}

// conflicts lists the processes that run on more than one instance.
func (c *Cluster) conflicts() []any {
	out := []any{}
	for _, n := range c.names() {
		for _, p := range c.apps[n].Processes {
			if len(p.Identifiers) > 1 {
				out = append(out, processValue(n, p))
			}
		}
	}
	return out
}

// conciliate keeps each conflicting process on its first instance only (the
// cluster then returns to OPERATION), as SENICIDE and INFANTICIDE do; USER
// changes nothing and answers false. Outside CONCILIATION the command is
// refused with BAD_SUPVISORS_STATE.
func (c *Cluster) conciliate(strategy string) (any, error) {
	c.sent = append(c.sent, "conciliate "+strategy)
	if c.state != "CONCILIATION" {
		return nil, &Fault{Code: FaultBadSupvisorsState, String: "BAD_SUPVISORS_STATE: invalid Supvisors state=" + c.state}
	}
	if strategy == "USER" {
		return false, nil
	}
	for _, a := range c.apps {
		for _, p := range a.Processes {
			if len(p.Identifiers) > 1 {
				p.Identifiers = p.Identifiers[:1]
			}
		}
	}
	c.state = "OPERATION"
	return true, nil
}

// restartProcess restarts the processes of namespec ("app:*" or
// "app:proc"): they are RUNNING at once with extra as their arguments.
// NOT_RUNNING answers when none of them runs, BAD_NAME when none matches.
func (c *Cluster) restartProcess(spec, extra string) (any, error) {
	c.sent = append(c.sent, "restart_process "+spec)
	app, name, _ := strings.Cut(spec, ":")
	a, ok := c.apps[app]
	if !ok {
		return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + spec}
	}
	var matched []*Process
	running := false
	for _, p := range a.Processes {
		if name == "*" || p.Name == name {
			matched = append(matched, p)
			running = running || p.State == "RUNNING"
		}
	}
	switch {
	case len(matched) == 0:
		return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + spec}
	case !running:
		return nil, &Fault{Code: FaultNotRunning, String: "NOT_RUNNING: " + spec}
	}
	for _, p := range matched {
		p.State, p.ExtraArgs = "RUNNING", extra
	}
	return true, nil
}
