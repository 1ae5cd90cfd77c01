package supvisorstest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Fault codes of Supervisor that only a plain supervisord's start answers.
const (
	FaultNoFile        = 20
	FaultNotExecutable = 21
	FaultSpawnError    = 50
)

// Plain plays a scripted plain supervisord (Supervisor without the Supvisors
// plugin) on a Server: the supervisor.* and system.* namespaces only, groups
// of processes that go through STARTING (or STOPPING) for a number of polls
// after a command before they settle, per-method faults and per-process start
// faults. Every supervisor.getProcessInfo of a process counts as one poll of
// it; getAllProcessInfo reads without moving anything on.
type Plain struct {
	*Server

	mu      sync.Mutex
	version string
	state   string // supervisord's own state (getState)
	procs   []*PlainProcess
	faults  map[string]*Fault
	after   map[string]int // method -> answers left before its fault (see FailAfter)
	sent    []string       // commands received, as "method namespec"
	pid     int            // last pid given
}

// PlainProcess is one process of a Plain supervisord. Its fields may be set
// before the first request; later changes go through Plain.Update.
type PlainProcess struct {
	Group, Name string
	// State is its Supervisor statename (STOPPED when empty).
	State string
	// Exitcodes are the program's expected exit codes (nil: Supervisor's
	// default, 0); Exitstatus the status of its last exit.
	Exitcodes  []int
	Exitstatus int
	// Steps is the number of polls a start or stop stays transitional
	// (STARTING, then BACKOFF when the start fails; STOPPING) before it
	// settles (0: at once).
	Steps int
	// Final is the state a start settles in ("" gives RUNNING): FATAL for a
	// program that exits too quickly, EXITED for a one-shot.
	Final string
	// StartFault is what startProcess answers instead of starting it (NO_FILE,
	// NOT_EXECUTABLE...); Spawnerr the spawn error getProcessInfo reports.
	StartFault *Fault
	Spawnerr   string
	// NotInuse leaves the program out of the groups in use (getAllConfigInfo
	// inuse=false).
	NotInuse bool

	pid     int
	started bool   // started at least once (its description is no longer "Not started")
	pending string // final state of the command in progress
	left    int    // polls left before it settles
}

// Namespec is the process's "group:name".
func (p PlainProcess) Namespec() string { return p.Group + ":" + p.Name }

// Pid is the pid of the process while it runs (a new one at each start), else 0.
func (p PlainProcess) Pid() int { return p.pid }

// plainMethods is what system.listMethods answers: no supvisors namespace.
var plainMethods = []string{
	"supervisor.getAPIVersion", "supervisor.getAllConfigInfo", "supervisor.getAllProcessInfo",
	"supervisor.getIdentification", "supervisor.getProcessInfo", "supervisor.getState",
	"supervisor.getSupervisorVersion", "supervisor.startProcess", "supervisor.startProcessGroup",
	"supervisor.stopProcess", "supervisor.stopProcessGroup", "system.listMethods", "system.methodHelp",
	"system.methodSignature", "system.multicall",
}

// NewPlain starts a plain supervisord of Supervisor version (e.g. "4.2.5")
// serving procs; supervisord itself is RUNNING.
func NewPlain(t testing.TB, version string, procs ...*PlainProcess) *Plain {
	p := &Plain{Server: New(t), version: version, state: "RUNNING", procs: procs, faults: map[string]*Fault{},
		after: map[string]int{}}
	for _, pr := range procs {
		if pr.State == "" {
			pr.State = "STOPPED"
		}
	}
	listed := make([]any, len(plainMethods))
	for i, m := range plainMethods {
		listed[i] = m
	}
	p.handle("system.listMethods", func([]any) (any, error) { return listed, nil })
	p.handle("supervisor.getSupervisorVersion", func([]any) (any, error) { return p.version, nil })
	p.handle("supervisor.getIdentification", func([]any) (any, error) { return "supervisor", nil })
	p.handle("supervisor.getState", func([]any) (any, error) {
		return map[string]any{"statecode": supervisordCodes[p.state], "statename": p.state}, nil
	})
	p.handle("supervisor.getAllProcessInfo", func([]any) (any, error) { return p.infos(p.procs, false), nil })
	p.handle("supervisor.getAllConfigInfo", func([]any) (any, error) { return p.configs(), nil })
	p.handle("supervisor.getProcessInfo", func(args []any) (any, error) {
		procs, err := p.lookup(args, false)
		if err != nil {
			return nil, err
		}
		return p.infos(procs, true)[0], nil
	})
	p.handle("supervisor.startProcess", p.command("startProcess", false, p.start))
	p.handle("supervisor.startProcessGroup", p.command("startProcessGroup", true, p.start))
	p.handle("supervisor.stopProcess", p.command("stopProcess", false, p.stop))
	p.handle("supervisor.stopProcessGroup", p.command("stopProcessGroup", true, p.stop))
	return p
}

var supervisordCodes = map[string]int{"FATAL": 2, "RUNNING": 1, "RESTARTING": 0, "SHUTDOWN": -1}

// handle registers h behind the faults set with Fail, under the lock.
func (p *Plain) handle(method string, h Handler) {
	p.Handle(method, func(args []any) (any, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if f := p.faults[method]; f != nil {
			if p.after[method] <= 0 {
				return nil, f
			}
			p.after[method]--
		}
		return h(args)
	})
}

// Fail makes method answer a fault from now on (code 0 clears it).
func (p *Plain) Fail(method string, code int, s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.after, method)
	if code == 0 {
		delete(p.faults, method)
		return
	}
	p.faults[method] = &Fault{Code: code, String: s}
}

// FailAfter makes method answer normally n more times, then a fault (as Fail).
func (p *Plain) FailAfter(method string, n, code int, s string) {
	p.Fail(method, code, s)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.after[method] = n
}

// SetState sets supervisord's own state (RUNNING, RESTARTING, SHUTDOWN, FATAL).
func (p *Plain) SetState(state string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = state
}

// Update runs f on the process namespec ("group:name") under the lock.
func (p *Plain) Update(namespec string, f func(*PlainProcess)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pr := range p.procs {
		if pr.Namespec() == namespec {
			f(pr)
			return
		}
	}
	panic("supvisorstest: no process " + namespec)
}

// Get returns a copy of the process namespec as it is now.
func (p *Plain) Get(namespec string) PlainProcess {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pr := range p.procs {
		if pr.Namespec() == namespec {
			return *pr
		}
	}
	panic("supvisorstest: no process " + namespec)
}

// Sent lists the commands received, as "startProcess web:server".
func (p *Plain) Sent() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.sent)
}

// lookup finds the processes a name designates, as Supervisor does:
// "group:name", "group:*" (or the group alone when group is set) and a bare
// "name" meaning "name:name". BAD_NAME when nothing matches.
func (p *Plain) lookup(args []any, group bool) ([]*PlainProcess, error) {
	spec, _ := arg(args, 0).(string)
	g, name, found := strings.Cut(spec, ":")
	switch {
	case group:
		g, name = spec, "*"
	case !found:
		name = g
	}
	var out []*PlainProcess
	for _, pr := range p.procs {
		if pr.Group == g && (name == "*" || pr.Name == name) {
			out = append(out, pr)
		}
	}
	if len(out) == 0 {
		return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + spec}
	}
	return out, nil
}

// command answers a start or stop of one process (a group's "group:*" acts on
// each), or of a group: act changes one process or returns its fault. A group
// answers the list of per-process results, as Supervisor's
// startProcessGroup does.
func (p *Plain) command(method string, group bool, act func(*PlainProcess) *Fault) Handler {
	return func(args []any) (any, error) {
		spec, _ := arg(args, 0).(string)
		p.sent = append(p.sent, method+" "+spec)
		procs, err := p.lookup(args, group)
		if err != nil {
			return nil, err
		}
		_, name, _ := strings.Cut(spec, ":")
		if !group && name != "*" {
			if f := act(procs[0]); f != nil {
				return nil, f
			}
			return true, nil
		}
		out := []any{}
		for _, pr := range procs {
			code, desc := 80, "OK" // SUCCESS
			if f := act(pr); f != nil {
				code, desc = f.Code, f.String
			}
			out = append(out, map[string]any{"group": pr.Group, "name": pr.Name, "status": code, "description": desc})
		}
		return out, nil
	}
}

// start starts pr: ALREADY_STARTED while it runs or starts, its StartFault
// when it has one.
func (p *Plain) start(pr *PlainProcess) *Fault {
	if slices.Contains([]string{"RUNNING", "STARTING", "BACKOFF"}, pr.State) {
		return &Fault{Code: FaultAlreadyStarted, String: "ALREADY_STARTED: " + pr.Namespec()}
	}
	if pr.StartFault != nil {
		return pr.StartFault
	}
	p.pid++
	pr.pid, pr.started = p.pid, true
	p.move(pr, "STARTING", cmp.Or(pr.Final, "RUNNING"))
	return nil
}

// stop stops pr: NOT_RUNNING unless it runs or starts.
func (p *Plain) stop(pr *PlainProcess) *Fault {
	if !slices.Contains([]string{"RUNNING", "STARTING", "BACKOFF"}, pr.State) {
		return &Fault{Code: FaultNotRunning, String: "NOT_RUNNING: " + pr.Namespec()}
	}
	p.move(pr, "STOPPING", "STOPPED")
	return nil
}

// move puts pr in the transitional state via until its Steps polls are done.
func (p *Plain) move(pr *PlainProcess, via, final string) {
	pr.pending, pr.left = final, pr.Steps
	pr.State = via
	if pr.left == 0 {
		p.settle(pr)
	}
}

// step moves the command in progress of pr on by one poll: a failing start
// goes BACKOFF after its first poll, as Supervisor retries it.
func (p *Plain) step(pr *PlainProcess) {
	if pr.pending == "" && !p.adopt(pr) {
		return
	}
	if pr.left--; pr.left <= 0 {
		p.settle(pr)
		return
	}
	if pr.pending == "FATAL" {
		pr.State = "BACKOFF"
	}
}

// adopt gives a process put in a transitional state by Update the command
// that leads out of it. It reports false for a settled process.
func (p *Plain) adopt(pr *PlainProcess) bool {
	switch pr.State {
	case "STOPPING":
		pr.pending = "STOPPED"
	case "STARTING", "BACKOFF":
		pr.pending = cmp.Or(pr.Final, "RUNNING")
	default:
		return false
	}
	pr.left = pr.Steps
	return true
}

func (p *Plain) settle(pr *PlainProcess) {
	pr.State, pr.pending = pr.pending, ""
	if pr.State != "RUNNING" {
		pr.pid = 0
	}
}

// infos answers getAllProcessInfo (poll false) or getProcessInfo (poll true:
// each process moves on first).
func (p *Plain) infos(procs []*PlainProcess, poll bool) []any {
	out := make([]any, 0, len(procs))
	for _, pr := range procs {
		if poll {
			p.step(pr)
		}
		out = append(out, plainInfoValue(pr))
	}
	return out
}

func plainInfoValue(pr *PlainProcess) map[string]any {
	desc := pr.State
	switch {
	case pr.State == "RUNNING":
		desc = fmt.Sprintf("pid %d, uptime 0:00:01", pr.pid)
	case pr.State == "FATAL":
		desc = "Exited too quickly (process log may have details)"
	case !pr.started:
		desc = "Not started"
	case pr.State == "STOPPED" || pr.State == "EXITED":
		desc = "Dec 02 05:00 AM"
	}
	start, stop := 0, 0
	if pr.started {
		start, stop = 1700000000, 1700000000
	}
	return map[string]any{
		"name": pr.Name, "group": pr.Group, "start": start, "stop": stop, "now": 1700000001,
		"state": processCodes[pr.State], "statename": pr.State, "spawnerr": pr.Spawnerr,
		"exitstatus": pr.Exitstatus, "logfile": "", "stdout_logfile": "", "stderr_logfile": "",
		"pid": pr.pid, "description": desc,
	}
}

// configs answers getAllConfigInfo.
func (p *Plain) configs() []any {
	out := make([]any, 0, len(p.procs))
	for _, pr := range p.procs {
		codes := []any{0}
		if pr.Exitcodes != nil {
			codes = make([]any, len(pr.Exitcodes))
			for i, c := range pr.Exitcodes {
				codes[i] = c
			}
		}
		out = append(out, map[string]any{
			"name": pr.Name, "group": pr.Group, "inuse": !pr.NotInuse, "autostart": false,
			"command": "/bin/" + pr.Name, "exitcodes": codes, "startsecs": 1, "startretries": 3,
			"stopsignal": 15, "stopwaitsecs": 10, "group_prio": 999, "process_prio": 999,
		})
	}
	return out
}
