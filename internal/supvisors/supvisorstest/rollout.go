package supvisorstest

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// Fault codes of Supervisor's configuration methods.
const (
	FaultAlreadyAdded = 90
	FaultCantReread   = 92
)

// RolloutHost scripts one supervisord for configuration rollouts (what
// supervisorctl update does): groups of one process each (the process is named
// like its group), their states and autostart, and what reloadConfig reports.
// Starts and stops settle at once. It detects as a plain supervisord
// (system.listMethods lists no supvisors method); set its fields before the
// first request, later through Update.
type RolloutHost struct {
	*Server

	mu sync.Mutex
	// States maps a group to the state of its process (RUNNING, STOPPED...).
	States map[string]string
	// Autostart lists the groups whose program says autostart = true.
	Autostart map[string]bool
	// Added, Changed and Removed are what reloadConfig reports.
	Added, Changed, Removed []string
	// Reread, when set, is the fault of reloadConfig (e.g. CANT_REREAD).
	Reread *Fault
	// FailStart names a group whose start ends FATAL.
	FailStart string

	actions []string // mutating calls, as "startProcess web"
}

// rolloutMethods are the methods a RolloutHost lists and serves.
var rolloutMethods = []string{
	"system.listMethods", "system.multicall", "supervisor.getSupervisorVersion", "supervisor.reloadConfig",
	"supervisor.getAllProcessInfo", "supervisor.getAllConfigInfo", "supervisor.getProcessInfo",
	"supervisor.startProcess", "supervisor.stopProcess", "supervisor.addProcessGroup",
	"supervisor.removeProcessGroup",
}

// NewRolloutHost starts a supervisord whose groups are states (group ->
// process state).
func NewRolloutHost(t testing.TB, states map[string]string) *RolloutHost {
	h := &RolloutHost{Server: New(t), States: states, Autostart: map[string]bool{}}
	if h.States == nil {
		h.States = map[string]string{}
	}
	h.Handle("system.listMethods", Value(anyStrings(rolloutMethods)))
	h.Handle("supervisor.getSupervisorVersion", Value("4.2.5"))
	h.handle("supervisor.reloadConfig", func([]any) (any, error) { return h.reload() })
	h.handle("supervisor.getAllProcessInfo", func([]any) (any, error) { return h.each(h.processInfo), nil })
	h.handle("supervisor.getAllConfigInfo", func([]any) (any, error) { return h.each(h.configInfo), nil })
	h.handle("supervisor.getProcessInfo", func(args []any) (any, error) { return h.processInfo(group(args)), nil })
	h.act("supervisor.stopProcess", func(g string) { h.States[g] = "STOPPED" })
	h.act("supervisor.startProcess", func(g string) {
		h.States[g] = "RUNNING"
		if g == h.FailStart {
			h.States[g] = "FATAL"
		}
	})
	h.act("supervisor.removeProcessGroup", func(g string) { delete(h.States, g) })
	h.act("supervisor.addProcessGroup", func(g string) { h.States[g] = "STOPPED" })
	return h
}

// Update runs f on the host under its lock.
func (h *RolloutHost) Update(f func(*RolloutHost)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(h)
}

// Actions lists the mutating calls received, in order, as "stopProcess web"
// or "addProcessGroup web".
func (h *RolloutHost) Actions() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.actions)
}

// State is the state of the process of group g ("" when the group is not in
// use).
func (h *RolloutHost) State(g string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.States[g]
}

// handle registers fn under the host's lock.
func (h *RolloutHost) handle(method string, fn Handler) {
	h.Handle(method, func(args []any) (any, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		return fn(args)
	})
}

// act registers a mutating method on a group (first argument "group" or
// "group:name"): it is recorded in Actions, then apply runs.
func (h *RolloutHost) act(method string, apply func(g string)) {
	h.handle(method, func(args []any) (any, error) {
		g := group(args)
		h.actions = append(h.actions, strings.TrimPrefix(method, "supervisor.")+" "+g)
		apply(g)
		return true, nil
	})
}

// reload answers reloadConfig: [[added, changed, removed]], or the Reread
// fault.
func (h *RolloutHost) reload() (any, error) {
	if h.Reread != nil {
		return nil, h.Reread
	}
	return []any{[]any{anyStrings(h.Added), anyStrings(h.Changed), anyStrings(h.Removed)}}, nil
}

// each lists value(g) for every group, in name order.
func (h *RolloutHost) each(value func(g string) map[string]any) []any {
	groups := make([]string, 0, len(h.States))
	for g := range h.States {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	out := []any{}
	for _, g := range groups {
		out = append(out, value(g))
	}
	return out
}

func (h *RolloutHost) processInfo(g string) map[string]any {
	return map[string]any{"name": g, "group": g, "statename": h.States[g], "exitstatus": 0, "description": ""}
}

func (h *RolloutHost) configInfo(g string) map[string]any {
	return map[string]any{"name": g, "group": g, "inuse": true, "autostart": h.Autostart[g], "exitcodes": []any{0}}
}

// group is the group of the first argument, "group" or "group:name".
func group(args []any) string {
	s, _ := arg(args, 0).(string)
	g, _, _ := strings.Cut(s, ":")
	return g
}

func anyStrings(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}
