package supvisorstest

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// Cluster plays a scripted Supvisors 0.19 cluster on a Server: applications
// whose processes move through a transitional state for a number of polls
// before they settle, faults per method, and a cluster state with jobs.
// Commands (start, stop, restart of an application) move the script on;
// every get_application_info counts as one poll.
type Cluster struct {
	*Server

	mu     sync.Mutex
	apps   map[string]*App
	state  string // fsm_statename
	jobs   bool
	faults map[string]*Fault
	sent   []string // commands received, as "method name"

	instances []*Instance
	down      map[string]string // instance id -> its state when not RUNNING
}

// App is one application of a Cluster. Its fields may be set before the
// first request; later changes go through Cluster.Update.
type App struct {
	Name     string
	Managed  bool
	Strategy string // starting_strategy of its rules ("" gives CONFIG)
	State    string // STOPPED, STARTING, RUNNING, STOPPING
	// Processes: program name -> process.
	Processes []*Process
	// Steps is the number of polls an application stays transitional after a
	// command (0: it settles at once).
	Steps int
	// FailStart makes a start settle with every process FATAL (the
	// application STOPPED) instead of RUNNING.
	FailStart bool

	pending string // final state of the command in progress
	left    int    // polls left before it settles
}

// Process is one process of an App.
type Process struct {
	Name        string
	State       string // Supervisor statename
	Identifiers []string
	ExtraArgs   string
}

// NewCluster starts a cluster of apps in OPERATION, detected as Supvisors
// 0.19.1 with the given method list (supvisors.WrappedMethods()).
func NewCluster(t testing.TB, methods []string, apps ...*App) *Cluster {
	c := &Cluster{Server: New(t), apps: map[string]*App{}, state: "OPERATION", faults: map[string]*Fault{}}
	for _, a := range apps {
		c.apps[a.Name] = a
	}
	serveSupvisors(c.Server, methods)
	c.handleReaders()
	c.handleCommands()
	c.handleConflicts()
	c.handleDataSourceReaders() // readers.go
	return c
}

// serveSupvisors makes s detect as Supvisors 0.19.1 offering methods (system.listMethods).
func serveSupvisors(s *Server, methods []string) {
	s.Handle("system.listMethods", Value(anyStrings(methods)))
	s.Handle("supvisors.get_api_version", Value("0.19.1"))
}

// handleReaders registers the readers of the cluster's state: the Supvisors state, applications, processes,
// rules, and the processes each instance knows (get_all_inner_process_info).
func (c *Cluster) handleReaders() {
	c.handle("supvisors.get_supvisors_state", func([]any) (any, error) { return c.stateValue(), nil })
	c.handle("supvisors.get_all_applications_info", func([]any) (any, error) { return c.allApps(), nil })
	c.handle("supvisors.get_all_process_info", func([]any) (any, error) { return c.allProcs(""), nil })
	c.handleApp("supvisors.get_application_info", func(a *App, _ []any) (any, error) {
		c.step(a)
		return appValue(a), nil
	})
	c.handle("supvisors.get_process_info", func(args []any) (any, error) {
		spec, _ := arg(args, 0).(string)
		app, name, _ := strings.Cut(spec, ":")
		if _, ok := c.apps[app]; !ok {
			return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + spec}
		}
		if name == "*" || name == "" {
			return c.allProcs(app), nil
		}
		for _, p := range c.apps[app].Processes {
			if p.Name == name {
				return []any{processValue(app, p)}, nil
			}
		}
		return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + spec}
	})
	c.handleApp("supvisors.get_application_rules", func(a *App, _ []any) (any, error) {
		return map[string]any{"application_name": a.Name, "managed": a.Managed, "starting_strategy": a.Strategy,
			"start_sequence": 0, "stop_sequence": 0, "starting_failure_strategy": "ABORT",
			"running_failure_strategy": "CONTINUE"}, nil
	})
	c.handle("supvisors.get_all_inner_process_info", func(args []any) (any, error) {
		id, _ := arg(args, 0).(string)
		for _, in := range c.instances {
			if in.ID == id {
				out := []any{}
				for _, p := range in.local {
					v := localValue(p)
					v["identifier"], v["nick_identifier"] = in.ID, in.ID
					v["has_crashed"], v["event_time"], v["local_mtime"], v["uptime"] = false, 1.0, 1.0, 0
					out = append(out, v)
				}
				return out, nil
			}
		}
		return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + id}
	})
}

// handleCommands registers the commands: start, stop and restart of applications, start and stop of processes.
func (c *Cluster) handleCommands() {
	c.handleApp("supvisors.start_application", c.command("RUNNING", "ALREADY_STARTED", FaultAlreadyStarted))
	c.handleApp("supvisors.stop_application", c.command("STOPPED", "NOT_RUNNING", FaultNotRunning))
	c.handleApp("supvisors.restart_application", c.command("RUNNING", "", 0))
	c.handle("supvisors.start_process", func(args []any) (any, error) {
		spec, _ := arg(args, 1).(string)
		extra, _ := arg(args, 2).(string)
		return c.processCommand("start_process", spec, "RUNNING", extra)
	})
	c.handle("supvisors.stop_process", func(args []any) (any, error) {
		spec, _ := arg(args, 0).(string)
		return c.processCommand("stop_process", spec, "STOPPED", "")
	})
}

// SetDown marks instance id as not RUNNING in the cluster state ("" makes it RUNNING again).
func (c *Cluster) SetDown(id, state string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down == nil {
		c.down = map[string]string{}
	}
	if state == "" {
		delete(c.down, id)
		return
	}
	c.down[id] = state
}

// processCommand starts or stops the processes of namespec ("app:*" or "app:proc"); they settle at once.
// ALREADY_STARTED and NOT_RUNNING answer a process already there.
func (c *Cluster) processCommand(method, spec, final, extra string) (any, error) {
	c.sent = append(c.sent, method+" "+spec)
	app, name, _ := strings.Cut(spec, ":")
	a, ok := c.apps[app]
	if !ok {
		return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + spec}
	}
	var matched []*Process
	for _, p := range a.Processes {
		if name == "*" || name == "" || p.Name == name {
			matched = append(matched, p)
		}
	}
	if len(matched) == 0 {
		return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + spec}
	}
	if len(matched) == 1 && matched[0].State == final {
		if final == "RUNNING" {
			return nil, &Fault{Code: FaultAlreadyStarted, String: "ALREADY_STARTED: " + spec}
		}
		return nil, &Fault{Code: FaultNotRunning, String: "NOT_RUNNING: " + spec}
	}
	for _, p := range matched {
		p.State = final
		if final == "RUNNING" {
			p.ExtraArgs = extra
		}
	}
	return true, nil
}

// Fail makes method answer a fault from now on (code 0 clears it).
func (c *Cluster) Fail(method string, code int, s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if code == 0 {
		delete(c.faults, method)
		return
	}
	c.faults[method] = &Fault{Code: code, String: s}
}

// SetJobs sets whether the cluster reports starting/stopping jobs.
func (c *Cluster) SetJobs(jobs bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.jobs = jobs
}

// Update runs f on the application name under the cluster's lock.
func (c *Cluster) Update(name string, f func(*App)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c.apps[name])
}

// Sent lists the commands received, as "start_application web".
func (c *Cluster) Sent() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sent)
}

// handle registers h behind the faults set with Fail, under the lock.
func (c *Cluster) handle(method string, h Handler) {
	c.Handle(method, func(args []any) (any, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if f := c.faults[method]; f != nil {
			return nil, f
		}
		return h(args)
	})
}

// handleApp registers h for a method whose first argument is an application
// name (BAD_NAME when the cluster has no such application).
func (c *Cluster) handleApp(method string, h func(*App, []any) (any, error)) {
	c.handle(method, func(args []any) (any, error) {
		name, _ := arg(args, nameArg(method)).(string)
		a, ok := c.apps[name]
		if !ok {
			return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + name}
		}
		return h(a, args)
	})
}

// nameArg is the position of the application name: after the strategy for
// the starts.
func nameArg(method string) int {
	if strings.HasSuffix(method, "start_application") {
		return 1
	}
	return 0
}

// command answers a start, stop or restart: the application moves to final
// after its Steps polls; already (with its fault code) answers a command
// whose target state is already reached.
func (c *Cluster) command(final, already string, code int) func(*App, []any) (any, error) {
	return func(a *App, args []any) (any, error) {
		method := "start_application"
		switch {
		case final == "STOPPED":
			method = "stop_application"
		case already == "":
			method = "restart_application"
		}
		c.sent = append(c.sent, method+" "+a.Name)
		if !a.Managed {
			return nil, &Fault{Code: FaultNotManaged, String: "NOT_MANAGED: " + a.Name}
		}
		if already != "" && a.State == final && a.pending == "" {
			return nil, &Fault{Code: code, String: already + ": " + a.Name}
		}
		a.pending, a.left = final, a.Steps
		a.State = transitional(final)
		for _, p := range a.Processes {
			p.State = transitional(final)
		}
		if a.left == 0 {
			c.settle(a)
		}
		return true, nil
	}
}

func transitional(final string) string {
	if final == "STOPPED" {
		return "STOPPING"
	}
	return "STARTING"
}

// step moves the command in progress of a on by one poll.
func (c *Cluster) step(a *App) {
	if a.pending == "" {
		return
	}
	if a.left--; a.left <= 0 {
		c.settle(a)
	}
}

func (c *Cluster) settle(a *App) {
	final, proc := a.pending, a.pending
	if final == "RUNNING" && a.FailStart {
		final, proc = "STOPPED", "FATAL"
	}
	a.State, a.pending = final, ""
	for _, p := range a.Processes {
		p.State = proc
	}
}

func (c *Cluster) stateValue() map[string]any {
	var starting []any
	for _, a := range c.apps {
		if c.jobs || a.pending != "" {
			starting = append(starting, a.Name)
		}
	}
	if starting == nil {
		starting = []any{}
	}
	return map[string]any{
		"identifier": "127.0.0.1:61001", "nick_identifier": "node1", "now_monotonic": 1.0,
		"fsm_statecode": 4, "fsm_statename": c.state, "degraded_mode": false, "discovery_mode": false,
		"master_identifier": "127.0.0.1:61001", "starting_jobs": starting, "stopping_jobs": []any{},
		"instance_states": c.instanceStates(),
	}
}

func (c *Cluster) instanceStates() map[string]any {
	if len(c.instances) == 0 {
		return map[string]any{"127.0.0.1:61001": "RUNNING", "127.0.0.1:61002": "RUNNING"}
	}
	out := map[string]any{}
	for _, in := range c.instances {
		out[in.ID] = "RUNNING"
		if st, ok := c.down[in.ID]; ok {
			out[in.ID] = st
		}
	}
	return out
}

func (c *Cluster) allApps() []any {
	out := []any{}
	for _, n := range c.names() {
		out = append(out, appValue(c.apps[n]))
	}
	return out
}

func (c *Cluster) allProcs(app string) []any {
	out := []any{}
	for _, n := range c.names() {
		if app != "" && n != app {
			continue
		}
		for _, p := range c.apps[n].Processes {
			out = append(out, processValue(n, p))
		}
	}
	return out
}

func (c *Cluster) names() []string {
	names := make([]string, 0, len(c.apps))
	for n := range c.apps {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

var appCodes = map[string]int{"STOPPED": 0, "STARTING": 1, "RUNNING": 2, "STOPPING": 3}

func appValue(a *App) map[string]any {
	return map[string]any{
		"application_name": a.Name, "managed": a.Managed, "now_monotonic": 2.0,
		"statecode": appCodes[a.State], "statename": a.State, "major_failure": false, "minor_failure": false,
	}
}

var processCodes = map[string]int{"STOPPED": 0, "STARTING": 10, "RUNNING": 20, "BACKOFF": 30, "STOPPING": 40,
	"EXITED": 100, "FATAL": 200, "UNKNOWN": 1000}

func processValue(app string, p *Process) map[string]any {
	ids := make([]any, len(p.Identifiers))
	for i, id := range p.Identifiers {
		ids[i] = id
	}
	return map[string]any{
		"application_name": app, "process_name": p.Name, "now_monotonic": 2.0,
		"statecode": processCodes[p.State], "statename": p.State, "expected_exit": true,
		"last_event_mtime": 1.0, "identifiers": ids, "extra_args": p.ExtraArgs,
	}
}

func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}
