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

// plainCache holds the shared PlainSnapshot, like the Snapshot fields of
// Client.
type plainCache struct {
	snap *Snapshot
	gen  uint64
}

// PlainSnapshot is Snapshot for a plain supervisord: one system.multicall of
// supervisor.getAllProcessInfo and supervisor.getAllConfigInfo, shared by
// concurrent readers and dropped after any mutating call or after
// Config.SnapshotMaxAge. Every Supervisor group becomes an unmanaged
// ApplicationInfo whose state is derived from its processes; every process a
// ProcessInfo whose Identifiers hold PlainHost while it runs, and whose
// ExpectedExit compares its exit status with the program's exitcodes. State is
// the zero SupvisorsState. Callers must not modify the result.
func (c *Client) PlainSnapshot(ctx context.Context) (*Snapshot, error) {
	gen := c.sh.gen.Load()
	c.snapMu.Lock()
	if s := c.plain.snap; s != nil && c.plain.gen == gen && time.Since(s.Taken) < c.cfg.SnapshotMaxAge {
		c.snapMu.Unlock()
		return s, nil
	}
	c.snapMu.Unlock()
	ch := c.sf.DoChan("plain:"+strconv.FormatUint(gen, 10), func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.ReadyTimeout+c.cfg.RequestTimeout)
		defer cancel()
		v, err := c.PlainRead(fctx)
		if err != nil {
			return nil, err
		}
		c.snapMu.Lock()
		if c.plain.snap == nil || gen >= c.plain.gen {
			c.plain.snap, c.plain.gen = v.Snapshot, gen
		}
		c.snapMu.Unlock()
		return v.Snapshot, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*Snapshot), nil
	case <-ctx.Done():
		return nil, &TransportError{Endpoint: c.ep.display, Method: systemMulticall, Attempts: 1, Err: ctx.Err()}
	}
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
	want := "STOPPED"
	if running {
		want = "RUNNING"
	}
	subject := "processes " + strings.Join(namespecs, ", ")
	if len(namespecs) == 0 {
		return nil, nil
	}
	calls := make([]MulticallCall, len(namespecs))
	for i, ns := range namespecs {
		calls[i] = MulticallCall{Method: supervisorGetProcessInfo, Params: []any{ns}}
	}
	var p poller
	var infos []SupervisorProcessInfo
	describe := func() string {
		parts := make([]string, len(infos))
		for i, in := range infos {
			parts[i] = in.Namespec() + " " + string(in.Statename)
		}
		if len(parts) == 0 {
			return ""
		}
		return " (processes: " + strings.Join(parts, ", ") + ")"
	}
	for first := true; ; first = false {
		if !first {
			if err := p.wait(ctx); err != nil {
				return infos, fmt.Errorf("%s did not settle in %s in time%s: %w", subject, want, describe(), err)
			}
		}
		results, err := c.multicall(ctx, calls, true)
		if err != nil {
			if ctx.Err() != nil {
				return infos, fmt.Errorf("%s did not settle in %s in time%s: %w", subject, want, describe(), err)
			}
			return infos, err
		}
		infos = infos[:0]
		for i, r := range results {
			if r.Err != nil {
				return nil, &CallError{Method: supervisorGetProcessInfo + "(" + namespecs[i] + ")", Endpoint: c.ep.display, Err: r.Err}
			}
			info, derr := decodeOne(r.Value, supervisorGetProcessInfo, supervisorProcessInfoFrom)
			if derr != nil {
				return nil, c.decodeError(supervisorGetProcessInfo, derr)
			}
			infos = append(infos, info)
		}
		if slices.ContainsFunc(infos, func(i SupervisorProcessInfo) bool { return i.Statename.IsTransitional() }) {
			continue
		}
		var failed []ProcessFailure
		var got []string
		for _, in := range infos {
			pi := plainProcessInfo(in, codes[in.Namespec()], c.PlainHost())
			if len(failedProcesses([]ProcessInfo{pi}, running)) == 0 {
				continue
			}
			f := ProcessFailure{Namespec: in.Namespec(), Statename: in.Statename, Spawnerr: in.Spawnerr,
				Identifiers: pi.Identifiers}
			if in.Description != "Not started" {
				f.Description = in.Description
			}
			if in.Statename == ProcessExited && f.Description == "" {
				f.Description = "exit status " + strconv.Itoa(in.Exitstatus)
			} else if in.Statename == ProcessExited {
				f.Description = "exit status " + strconv.Itoa(in.Exitstatus) + ", " + in.Description
			}
			failed = append(failed, f)
			if !slices.Contains(got, string(in.Statename)) {
				got = append(got, string(in.Statename))
			}
		}
		if len(failed) == 0 {
			return infos, nil
		}
		return infos, &SettleError{Subject: subject, Want: want, Got: strings.Join(got, ", "), Processes: failed}
	}
}
