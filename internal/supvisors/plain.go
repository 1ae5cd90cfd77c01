package supvisors

// Plain Supervisor endpoints. A supervisord without the Supvisors plugin
// serves the supervisor.* and system.* namespaces only. Detect recognises it
// (APIInfo.Plain); the supvisors.* calls then fail with an error wrapping
// ErrNotSupvisors that names the Supervisor version and the method, while the
// functions of this file give a Supvisors-shaped view of that one supervisord
// (each Supervisor group as an unmanaged application), start and stop its
// processes and wait for them with Supervisor's own process states.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// detectPlain completes Detect on an endpoint without the supvisors
// namespace: one supervisor.getSupervisorVersion call. Called with detectMu
// held.
func (c *Client) detectPlain(ctx context.Context, methods []string) (*APIInfo, error) {
	v, err := c.roundTrip(ctx, supervisorGetSupervisorVer, nil)
	if err != nil {
		return nil, err
	}
	version := toString(v)
	if version == "" {
		version = "(unknown version)"
	}
	c.api = &APIInfo{Plain: true, SupervisorVersion: version, Methods: methods}
	c.sh.api.CompareAndSwap(nil, c.api)
	return c.api, nil
}

// needsSupvisors is the error of a Supvisors-only feature on a plain
// supervisord.
func (c *Client) needsSupvisors(info *APIInfo, what string) error {
	return fmt.Errorf("%w: %s is plain Supervisor %s: %s needs Supvisors", ErrNotSupvisors, c.ep.display,
		info.SupervisorVersion, what)
}

// RequireSupvisors returns nil when the endpoint is a Supvisors instance, and
// an error wrapping ErrNotSupvisors naming feature (e.g. "the numprocs
// attribute") when it is a plain supervisord. It detects the endpoint first
// when that was not done yet (one request, once per Client).
func (c *Client) RequireSupvisors(ctx context.Context, feature string) error {
	info, err := c.Detect(ctx)
	if err != nil {
		return err
	}
	if info.Plain {
		return c.needsSupvisors(info, feature)
	}
	return nil
}

// IsPlain reports whether the endpoint is a plain supervisord (see Detect).
func (c *Client) IsPlain(ctx context.Context) (bool, error) {
	info, err := c.Detect(ctx)
	if err != nil {
		return false, err
	}
	return info.Plain, nil
}

// PlainHost is the identifier that the plain views give to the supervisord
// reached: the host:port of the URL, or the URL of a unix socket.
func (c *Client) PlainHost() string {
	if c.ep.scheme == "unix" {
		return c.ep.display
	}
	return c.ep.host
}

// PlainSnapshot is Snapshot for a plain supervisord: one system.multicall of
// supervisor.getAllProcessInfo and supervisor.getAllConfigInfo, shared by
// concurrent readers and dropped after any mutating call or
// Config.SnapshotMaxAge after its fetch started. Every Supervisor group
// becomes an unmanaged ApplicationInfo whose state is derived from its
// processes; every process a ProcessInfo whose Identifiers hold PlainHost
// while it runs, and whose ExpectedExit compares its exit status with the
// program's exitcodes. State is the zero SupvisorsState (never quiet: the
// snapshot is not kept longer while reads keep coming). Callers must not
// modify the result.
func (c *Client) PlainSnapshot(ctx context.Context) (*Snapshot, error) {
	return c.sharedSnapshot(ctx, snapshotSource{cache: &c.plain, key: "plain:", agedFromTaken: true,
		fetch: func(ctx context.Context) (*Snapshot, error) {
			v, err := c.PlainRead(ctx)
			if err != nil {
				return nil, err
			}
			return v.Snapshot, nil
		}})
}

// PlainView is a fresh read of a plain supervisord (see PlainRead).
type PlainView struct {
	*Snapshot                                  // groups and processes, Supvisors-shaped
	Info      map[string]SupervisorProcessInfo // by namespec
	Config    map[string]ConfigInfo            // by namespec, the groups in use only
}

// PlainRead reads the processes of the supervisord reached, fresh (no cache):
// one system.multicall of getAllProcessInfo and getAllConfigInfo. It works on
// Supvisors instances too (each is a supervisord).
func (c *Client) PlainRead(ctx context.Context) (*PlainView, error) {
	taken := time.Now()
	results, err := c.multicall(ctx, []MulticallCall{
		{Method: supervisorGetAllProcessInfo},
		{Method: supervisorGetAllConfigInfo},
	}, true)
	if err != nil {
		return nil, err
	}
	for i, m := range []string{supervisorGetAllProcessInfo, supervisorGetAllConfigInfo} {
		if results[i].Err != nil {
			return nil, &CallError{Method: m, Endpoint: c.ep.display, Err: results[i].Err}
		}
	}
	infos, err := decodeList(results[0].Value, supervisorGetAllProcessInfo, supervisorProcessInfoFrom)
	if err != nil {
		return nil, c.decodeError(supervisorGetAllProcessInfo, err)
	}
	configs, err := decodeList(results[1].Value, supervisorGetAllConfigInfo, configInfoFrom)
	if err != nil {
		return nil, c.decodeError(supervisorGetAllConfigInfo, err)
	}
	return c.plainView(infos, configs, taken), nil
}

func (c *Client) plainView(infos []SupervisorProcessInfo, configs []ConfigInfo, taken time.Time) *PlainView {
	v := &PlainView{Info: map[string]SupervisorProcessInfo{}, Config: map[string]ConfigInfo{}}
	for _, ci := range configs {
		if ci.Inuse {
			v.Config[ci.Namespec()] = ci
		}
	}
	groups := map[string][]ProcessInfo{}
	var order []string
	procs := make([]ProcessInfo, 0, len(infos))
	for _, p := range infos {
		v.Info[p.Namespec()] = p
		var codes []int
		if ci, ok := v.Config[p.Namespec()]; ok {
			codes = ci.Exitcodes
		}
		pi := plainProcessInfo(p, codes, c.PlainHost())
		procs = append(procs, pi)
		if _, ok := groups[p.Group]; !ok {
			order = append(order, p.Group)
		}
		groups[p.Group] = append(groups[p.Group], pi)
	}
	slices.Sort(order)
	apps := make([]ApplicationInfo, 0, len(order))
	for _, g := range order {
		apps = append(apps, ApplicationInfo{ApplicationName: g, Statename: plainGroupState(groups[g])})
	}
	v.Snapshot = NewSnapshot(SupvisorsState{}, apps, procs, taken)
	return v
}

// plainProcessInfo turns Supervisor's view of a process into a ProcessInfo.
// ExpectedExit is false only for an EXITED process whose exit status is not
// one of codes (Supervisor's default exitcodes is 0).
func plainProcessInfo(p SupervisorProcessInfo, codes []int, host string) ProcessInfo {
	if codes == nil {
		codes = []int{0}
	}
	pi := ProcessInfo{
		ApplicationName: p.Group,
		ProcessName:     p.Name,
		Statecode:       p.State,
		Statename:       p.Statename,
		ExpectedExit:    p.Statename != ProcessExited || slices.Contains(codes, p.Exitstatus),
		LastEventMtime:  float64(max(p.Start, p.Stop)),
		Identifiers:     []string{},
	}
	if p.Statename.IsRunning() || p.Statename == ProcessStopping {
		pi.Identifiers = []string{host}
	}
	return pi
}

// plainGroupState derives an application state from the processes of a
// group, the way Supvisors does for an unmanaged group: STARTING or STOPPING
// while a process is in transition, RUNNING when one runs, else STOPPED.
func plainGroupState(procs []ProcessInfo) ApplicationState {
	state := ApplicationStopped
	for _, p := range procs {
		switch p.Statename {
		case ProcessStarting, ProcessBackoff:
			return ApplicationStarting
		case ProcessStopping:
			return ApplicationStopping
		case ProcessRunning:
			state = ApplicationRunning
		}
	}
	return state
}

// PlainStart starts the given processes (namespecs "group:name") on the
// supervisord reached with supervisor.startProcess(wait=false), all in one
// system.multicall, and returns at once: follow with PlainWait. A process
// that is already running (ALREADY_STARTED) is not an error. The first other
// fault is returned as a *CallError naming the process (Supervisor checks the
// command before it spawns: NO_FILE, NOT_EXECUTABLE, SPAWN_ERROR).
func (c *Client) PlainStart(ctx context.Context, namespecs []string) error {
	return c.plainAct(ctx, supervisorStartProcess, namespecs, FaultAlreadyStarted)
}

// PlainStop stops the given processes with supervisor.stopProcess(wait=false)
// in one system.multicall and returns at once: follow with PlainWait. A
// process that is not running (NOT_RUNNING) is not an error.
func (c *Client) PlainStop(ctx context.Context, namespecs []string) error {
	return c.plainAct(ctx, supervisorStopProcess, namespecs, FaultNotRunning)
}

func (c *Client) plainAct(ctx context.Context, method string, namespecs []string, converged FaultCode) error {
	if len(namespecs) == 0 {
		return nil
	}
	calls := make([]MulticallCall, len(namespecs))
	for i, ns := range namespecs {
		calls[i] = MulticallCall{Method: method, Params: []any{ns, false}}
	}
	results, err := c.multicall(ctx, calls, false)
	c.InvalidateSnapshot()
	if err != nil {
		return err
	}
	for i, r := range results {
		if r.Err != nil && !IsFault(r.Err, converged) {
			return &CallError{Method: method + "(" + namespecs[i] + ")", Endpoint: c.ep.display, Err: r.Err}
		}
	}
	return nil
}

// PlainWait polls the given processes (namespecs "group:name"; first poll at
// once, then every 100ms, one system.multicall of supervisor.getProcessInfo
// each time) until none is in transition (STARTING, BACKOFF, STOPPING) and
// returns their last state. Supervisor's own rules decide the outcome:
// a process is RUNNING only once it stayed up startsecs; one that exits
// before goes BACKOFF and is retried startretries times, then FATAL.
//
// With running=true each must be RUNNING, or EXITED with one of codes[namespec]
// (its exitcodes; a one-shot program); with running=false each must be
// STOPPED, EXITED, FATAL or UNKNOWN. Otherwise the error is a *SettleError
// naming each process with its state and Supervisor's spawn error or
// description. When ctx ends first, the error wraps ctx.Err() with the last
// states seen.
func (c *Client) PlainWait(ctx context.Context, namespecs []string, running bool, codes map[string][]int) ([]SupervisorProcessInfo, error) {
	if len(namespecs) == 0 {
		return nil, nil
	}
	w := plainWait{c: c, namespecs: namespecs, running: running, codes: codes, want: "STOPPED"}
	if running {
		w.want = "RUNNING"
	}
	calls := w.calls()
	var p poller
	var infos []SupervisorProcessInfo // the last states seen
	for first := true; ; first = false {
		if !first {
			if err := p.wait(ctx); err != nil {
				return infos, w.late(infos, err)
			}
		}
		results, err := c.multicall(ctx, calls, true)
		if err != nil {
			if ctx.Err() != nil {
				return infos, w.late(infos, err)
			}
			return infos, err
		}
		if infos, err = w.decode(results); err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(infos, func(i SupervisorProcessInfo) bool { return i.Statename.IsTransitional() }) {
			return infos, w.outcome(infos)
		}
	}
}

// plainWait is one PlainWait: the processes waited for and what they must
// settle in.
type plainWait struct {
	c         *Client
	namespecs []string
	running   bool
	codes     map[string][]int
	want      string // RUNNING or STOPPED
}

// subject names the processes in the errors.
func (w plainWait) subject() string { return "processes " + strings.Join(w.namespecs, ", ") }

// calls is one poll: supervisor.getProcessInfo of each process.
func (w plainWait) calls() []MulticallCall {
	calls := make([]MulticallCall, len(w.namespecs))
	for i, ns := range w.namespecs {
		calls[i] = MulticallCall{Method: supervisorGetProcessInfo, Params: []any{ns}}
	}
	return calls
}

// decode reads the answers of a poll; a fault is a *CallError naming the
// process.
func (w plainWait) decode(results []MulticallResult) ([]SupervisorProcessInfo, error) {
	infos := make([]SupervisorProcessInfo, 0, len(results))
	for i, r := range results {
		if r.Err != nil {
			return nil, &CallError{Method: supervisorGetProcessInfo + "(" + w.namespecs[i] + ")", Endpoint: w.c.ep.display, Err: r.Err}
		}
		info, err := decodeOne(r.Value, supervisorGetProcessInfo, supervisorProcessInfoFrom)
		if err != nil {
			return nil, w.c.decodeError(supervisorGetProcessInfo, err)
		}
		infos = append(infos, info)
	}
	return infos, nil
}

// late is the error of a wait that ctx ended, with the last states seen.
func (w plainWait) late(infos []SupervisorProcessInfo, err error) error {
	seen := ""
	if len(infos) > 0 {
		parts := make([]string, len(infos))
		for i, in := range infos {
			parts[i] = in.Namespec() + " " + string(in.Statename)
		}
		seen = " (processes: " + strings.Join(parts, ", ") + ")"
	}
	return fmt.Errorf("%s did not settle in %s in time%s: %w", w.subject(), w.want, seen, err)
}

// outcome judges settled processes: nil when each is as wanted, else a
// *SettleError naming each other one.
func (w plainWait) outcome(infos []SupervisorProcessInfo) error {
	var failed []ProcessFailure
	var got []string
	for _, in := range infos {
		pi := plainProcessInfo(in, w.codes[in.Namespec()], w.c.PlainHost())
		if len(failedProcesses([]ProcessInfo{pi}, w.running)) == 0 {
			continue
		}
		failed = append(failed, plainFailure(in, pi))
		if !slices.Contains(got, string(in.Statename)) {
			got = append(got, string(in.Statename))
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return &SettleError{Subject: w.subject(), Want: w.want, Got: strings.Join(got, ", "), Processes: failed}
}

// plainFailure describes a process that did not settle as wanted with
// Supervisor's words: its spawn error, its description (unless "Not
// started"), preceded by the exit status of an EXITED process.
func plainFailure(in SupervisorProcessInfo, pi ProcessInfo) ProcessFailure {
	f := ProcessFailure{Namespec: in.Namespec(), Statename: in.Statename, Spawnerr: in.Spawnerr,
		Identifiers: pi.Identifiers}
	if in.Description != "Not started" {
		f.Description = in.Description
	}
	if in.Statename == ProcessExited {
		status := "exit status " + strconv.Itoa(in.Exitstatus)
		if f.Description != "" {
			status += ", " + f.Description
		}
		f.Description = status
	}
	return f
}
