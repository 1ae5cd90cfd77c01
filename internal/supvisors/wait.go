package supvisors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Poll intervals. The settle waits (WaitApplication, WaitProcesses) poll at
// once, then every 100ms: a settled application is noticed within ~0.1s plus
// one round trip (Supvisors' own wait=true checks every 0.5s). A poll is one
// small multicall; `make bench` measured a 200ms cap costing ~0.1s per wave of
// starts. WaitReady, which waits for cluster states that take tens of seconds,
// backs off from 100ms by x1.5 up to 1s.
const (
	pollFirst    = 100 * time.Millisecond
	pollMax      = 100 * time.Millisecond // settle waits
	readyPollMax = time.Second            // WaitReady
	pollFactor   = 1.5
)

// maxSpawnerrLookups bounds the get_inner_process_info calls made to explain a
// settle failure.
const maxSpawnerrLookups = 64

// ProcessFailure describes a process that did not reach the wanted state.
type ProcessFailure struct {
	Namespec    string
	Statename   ProcessState
	Spawnerr    string   // spawn error reported on the instance(s) concerned, if any
	Description string   // Supervisor's description there (e.g. "Exited too quickly")
	Identifiers []string // instances where it runs (empty when it runs nowhere)
}

// String describes the failure: namespec, state, instances and spawn error
// (or Supervisor's description when there is no spawn error).
func (p ProcessFailure) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is %s", p.Namespec, p.Statename)
	if len(p.Identifiers) > 0 {
		fmt.Fprintf(&b, " on %s", strings.Join(p.Identifiers, ", "))
	}
	switch {
	case p.Spawnerr != "":
		fmt.Fprintf(&b, " (spawn error: %s)", p.Spawnerr)
	case p.Description != "" && !p.Statename.IsRunning():
		fmt.Fprintf(&b, " (%s)", p.Description)
	}
	return b.String()
}

// SettleError is returned by WaitApplication and WaitProcesses when the
// subject settled (nothing in progress any more) in another state than the
// wanted one.
type SettleError struct {
	Subject   string           // e.g. "application web" or "processes worker:*"
	Want      string           // wanted state, e.g. "RUNNING"
	Got       string           // state reached, e.g. "STOPPED"
	Processes []ProcessFailure // each process that is not in the wanted state
}

// Error names the subject, both states, and each failed process with its state
// and spawn error.
func (e *SettleError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s settled in %s instead of %s", e.Subject, e.Got, e.Want)
	if len(e.Processes) > 0 {
		b.WriteString(": ")
		for i, p := range e.Processes {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(p.String())
		}
	}
	return b.String()
}

// poller yields the poll intervals of one waiter: pollFirst, then x
// pollFactor up to max (pollMax when zero).
type poller struct{ last, max time.Duration }

// next returns the next interval.
func (p *poller) next() time.Duration {
	limit := p.max
	if limit == 0 {
		limit = pollMax
	}
	if p.last == 0 {
		p.last = min(pollFirst, limit)
	} else {
		p.last = min(time.Duration(float64(p.last)*pollFactor), limit)
	}
	return p.last
}

// wait sleeps for the next interval, or until ctx ends (for the waits that
// poll on their own, such as PlainWait on a plain supervisord).
func (p *poller) wait(ctx context.Context) error {
	t := time.NewTimer(p.next())
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// WaitApplication waits, through the client's shared poll (fresh reads, not
// the snapshot; see poll.go: the first answer comes at once or with the next
// tick of concurrent waits, then every 100ms), until application name is
// settled: neither it nor any of its processes is in a transitional state and
// no starting or stopping job is in progress in the cluster. Once the
// application has been seen away from want (or in transition) since the wait
// began, reaching want with every process where it should be is enough: the
// jobs of other applications are not waited for (concurrent waits would
// otherwise hold each other up for as long as any of them runs). If it
// settled in want, it returns its info and processes. If it settled in
// another state, the error is a *SettleError naming each failed process, its
// state and spawn error. When ctx ends first, the error wraps ctx.Err() and
// tells the last state seen. Use it after a start/stop made with wait=false.
func (c *Client) WaitApplication(ctx context.Context, name string, want ApplicationState) (ApplicationInfo, []ProcessInfo, error) {
	w := c.polls.join(ctx, applicationWaitCalls(name), poller{})
	defer w.leave()
	var info ApplicationInfo
	var procs []ProcessInfo
	var settle settleTracker
	for {
		a, err := w.reading(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return info, procs, fmt.Errorf("application %s did not settle in %s in time: it is %s%s: %w",
					name, want, orUnknown(string(info.Statename)), describeProcs(procs), err)
			}
			return info, procs, err
		}
		info2, procs2, err := c.decodeAppPoll(a.Results)
		if err != nil {
			return info, procs, err
		}
		info, procs = info2, procs2
		failed := failedProcesses(procs, want == ApplicationRunning)
		switch settle.judge(a.State, settleReading{
			transitional: info.Statename.IsTransitional() || anyTransitional(procs),
			inWant:       info.Statename == want && len(failed) == 0,
			away:         info.Statename != want,
			final:        info.Statename == want,
		}) {
		case keepWaiting:
			continue
		case settledIn:
			return info, procs, nil
		}
		c.explainFailures(ctx, a.State, failed)
		return info, procs, &SettleError{Subject: "application " + name, Want: string(want),
			Got: string(info.Statename), Processes: failed}
	}
}

// reading returns the next answer of the waiter, or what ends the wait: ctx's
// error, or the failure of the request.
func (w *pollWaiter) reading(ctx context.Context) (pollAnswer, error) {
	a, err := w.next(ctx)
	if err == nil && a.Err != nil {
		err = a.Err
	}
	return a, err
}

// settleReading is what one reading of a wait's subject says.
type settleReading struct {
	transitional bool // the subject or one of its processes is in transition
	inWant       bool // the subject and all its processes are where the wait wants them
	away         bool // the subject is not where the wait wants it
	final        bool // the subject is where the wait wants it, once no job runs in the cluster
}

// settleVerdict is a settle wait's decision on one reading.
type settleVerdict int

const (
	keepWaiting settleVerdict = iota
	settledIn                 // settled where the wait wants it
	settledOut                // settled elsewhere: a *SettleError
)

// settleTracker holds the one thing a settle wait remembers between
// readings: whether its subject was seen moving (away from the wanted state,
// or in transition) since the wait began. Once it was, reaching the wanted
// state is enough; before, the wait also waits for the cluster's jobs.
type settleTracker struct{ moved bool }

// judge decides on one reading taken in cluster state state.
func (t *settleTracker) judge(state SupvisorsState, r settleReading) settleVerdict {
	if !r.transitional && t.moved && r.inWant {
		return settledIn // its own job is over, whatever the rest of the cluster does
	}
	if r.transitional || r.away {
		t.moved = true
	}
	switch {
	case r.transitional || state.HasJobs():
		return keepWaiting
	case r.final:
		return settledIn
	}
	return settledOut
}

// anyTransitional reports whether one of procs is in transition.
func anyTransitional(procs []ProcessInfo) bool {
	return slices.ContainsFunc(procs, func(p ProcessInfo) bool { return p.Statename.IsTransitional() })
}

// decodeAppPoll decodes the answers to get_application_info and
// get_process_info of WaitApplication.
func (c *Client) decodeAppPoll(results []MulticallResult) (ApplicationInfo, []ProcessInfo, error) {
	if r := results[0]; r.Err != nil {
		return ApplicationInfo{}, nil, &CallError{Method: supvisorsGetApplicationInfo, Endpoint: c.ep.display, Err: r.Err}
	}
	if r := results[1]; r.Err != nil {
		return ApplicationInfo{}, nil, &CallError{Method: supvisorsGetProcessInfo, Endpoint: c.ep.display, Err: r.Err}
	}
	info, err := decodeOne(results[0].Value, supvisorsGetApplicationInfo, applicationInfoFrom)
	if err != nil {
		return info, nil, c.decodeError(supvisorsGetApplicationInfo, err)
	}
	procs, err := c.decodeProcessPoll(results[1])
	return info, procs, err
}

// decodeProcessPoll decodes a polled get_process_info answer (WaitProcesses,
// WaitApplication, ProcessWatch): its fault as a *CallError, or the processes.
func (c *Client) decodeProcessPoll(r MulticallResult) ([]ProcessInfo, error) {
	if r.Err != nil {
		return nil, &CallError{Method: supvisorsGetProcessInfo, Endpoint: c.ep.display, Err: r.Err}
	}
	procs, err := decodeList(r.Value, supvisorsGetProcessInfo, processInfoFrom)
	if err != nil {
		return procs, c.decodeError(supvisorsGetProcessInfo, err)
	}
	return procs, nil
}

// WaitProcesses waits like WaitApplication (through the shared poll) until
// the processes designated by namespec ("app:*", "app:prog" or a homogeneous
// group's process) are settled: none is transitional and no job is in
// progress (or, once one of them was seen away from the wanted state since
// the wait began, all of them are in it, whatever other jobs the cluster
// runs). With running=true every process must be RUNNING (or EXITED with an
// expected exit, like a wait_exit program); with running=false none may be
// STARTING, RUNNING or BACKOFF. Otherwise the error is a *SettleError.
func (c *Client) WaitProcesses(ctx context.Context, namespec string, running bool) ([]ProcessInfo, error) {
	want := "STOPPED"
	if running {
		want = "RUNNING"
	}
	w := c.polls.join(ctx, processWaitCalls(namespec), poller{})
	defer w.leave()
	var procs []ProcessInfo
	var settle settleTracker
	for {
		a, err := w.reading(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return procs, fmt.Errorf("processes %s did not settle in %s in time%s: %w", namespec, want, describeProcs(procs), err)
			}
			return procs, err
		}
		next, err := c.decodeProcessPoll(a.Results[0])
		if a.Results[0].Err != nil {
			return procs, err // a fault: the processes as last seen
		}
		if procs = next; err != nil {
			return procs, err
		}
		failed := failedProcesses(procs, running)
		switch settle.judge(a.State, settleReading{
			transitional: anyTransitional(procs),
			inWant:       len(failed) == 0 && len(procs) > 0,
			away:         len(failed) > 0,
			final:        len(failed) == 0,
		}) {
		case keepWaiting:
			continue
		case settledIn:
			return procs, nil
		}
		c.explainFailures(ctx, a.State, failed)
		return procs, &SettleError{Subject: "processes " + namespec, Want: want, Got: failedStates(failed), Processes: failed}
	}
}

// failedStates lists the states of the failed processes, each once, in their
// order.
func failedStates(failed []ProcessFailure) string {
	got := make([]string, 0, len(failed))
	for _, f := range failed {
		if !slices.Contains(got, string(f.Statename)) {
			got = append(got, string(f.Statename))
		}
	}
	return strings.Join(got, ", ")
}

// failedProcesses lists the processes that are not in the wanted condition.
func failedProcesses(procs []ProcessInfo, running bool) []ProcessFailure {
	var out []ProcessFailure
	for _, p := range procs {
		ok := p.Statename.IsStopped()
		if running {
			ok = p.Statename == ProcessRunning || (p.Statename == ProcessExited && p.ExpectedExit)
		}
		if !ok {
			out = append(out, ProcessFailure{Namespec: p.Namespec(), Statename: p.Statename,
				Identifiers: slices.Clone(p.Identifiers)})
		}
	}
	return out
}

// explainFailures fills Spawnerr/Description of the failed processes from
// get_inner_process_info on the instances concerned (where the process runs,
// else every running instance), in one best-effort multicall.
func (c *Client) explainFailures(ctx context.Context, state SupvisorsState, failed []ProcessFailure) {
	if len(failed) == 0 || ctx.Err() != nil {
		return
	}
	calls, owners := spawnerrCalls(state, failed)
	if len(calls) == 0 {
		return
	}
	lctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	results, err := c.multicall(lctx, calls, false)
	if err != nil {
		return
	}
	for k, r := range results {
		if r.Err != nil {
			continue
		}
		if infos, err := decodeList(r.Value, supvisorsGetInnerProcessInfo, innerProcessInfoFrom); err == nil {
			failed[owners[k]].explain(infos)
		}
	}
}

// spawnerrCalls returns the get_inner_process_info calls that explain the
// failed processes (at most maxSpawnerrLookups), and for each call the index
// of its process in failed.
func spawnerrCalls(state SupvisorsState, failed []ProcessFailure) (calls []MulticallCall, owners []int) {
	var running []string
	for _, id := range sortedKeys(state.InstanceStates) {
		if state.InstanceStates[id] == string(InstanceRunning) {
			running = append(running, id)
		}
	}
	for i, f := range failed {
		ids := f.Identifiers
		if len(ids) == 0 {
			ids = running
		}
		for _, id := range ids {
			if len(calls) >= maxSpawnerrLookups {
				return calls, owners
			}
			calls = append(calls, MulticallCall{Method: supvisorsGetInnerProcessInfo, Params: []any{id, f.Namespec}})
			owners = append(owners, i)
		}
	}
	return calls, owners
}

// explain takes the first spawn error and the first meaningful description
// that the instances report for the process.
func (p *ProcessFailure) explain(infos []InnerProcessInfo) {
	for _, info := range infos {
		if p.Spawnerr == "" && info.Spawnerr != "" {
			p.Spawnerr = info.Spawnerr
		}
		if p.Description == "" && info.Description != "" && info.Description != "Not started" {
			p.Description = info.Description
		}
	}
}

func describeProcs(procs []ProcessInfo) string {
	if len(procs) == 0 {
		return ""
	}
	parts := make([]string, 0, len(procs))
	for _, p := range procs {
		parts = append(parts, p.Namespec()+" "+string(p.Statename))
	}
	return " (processes: " + strings.Join(parts, ", ") + ")"
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// WaitReady waits, through the client's shared poll (at once, then from
// ~100ms x1.5 up to 1s when it waits alone; concurrent waits share their
// ticks), until the cluster is in one of the accepted states (default:
// OPERATION). Transport failures, HTTP 5xx and server-side failures of
// get_supvisors_state while polling are tolerated (an instance may be
// restarting); other errors (401, ...) end the wait. When ctx ends first it
// returns the last state seen and a *NotReadyError wrapping ctx.Err().
func (c *Client) WaitReady(ctx context.Context, accepted ...SupvisorsStateName) (SupvisorsState, error) {
	if len(accepted) == 0 {
		accepted = []SupvisorsStateName{StateOperation}
	}
	names := make([]string, len(accepted))
	for i, a := range accepted {
		names[i] = string(a)
	}
	start := time.Now()
	last, err := c.waitState(ctx, readyPollMax, func(s SupvisorsStateName) bool { return slices.Contains(accepted, s) })
	var ended *stateWaitEnded
	if errors.As(err, &ended) {
		return last, &NotReadyError{State: last.FSMStatename, Accepted: names, Method: "WaitReady",
			Waited: time.Since(start), Err: ended.err}
	}
	return last, err
}

// stateWaitEnded is waitState's error when ctx ended first; err wraps
// ctx.Err() and the last failure of the polls, if any.
type stateWaitEnded struct{ err error }

func (e *stateWaitEnded) Error() string { return e.err.Error() }
func (e *stateWaitEnded) Unwrap() error { return e.err }

// waitState polls get_supvisors_state on the shared poll (at once, then from
// 100ms x1.5 up to maxPoll) until done accepts the state read, and returns
// that state. Transport failures, HTTP 5xx and FAILED faults are tolerated;
// other errors end the wait. When ctx ends first it returns the last state
// seen and a *stateWaitEnded.
func (c *Client) waitState(ctx context.Context, maxPoll time.Duration, done func(SupvisorsStateName) bool) (SupvisorsState, error) {
	w := c.polls.join(ctx, nil, poller{max: maxPoll})
	defer w.leave()
	var last SupvisorsState
	var lastErr error
	for {
		a, err := w.next(ctx)
		if err != nil {
			if lastErr != nil {
				err = errors.Join(err, lastErr)
			}
			return last, &stateWaitEnded{err: err}
		}
		if a.Err != nil {
			var te *TransportError
			var he *HTTPError
			if errors.As(a.Err, &te) || (errors.As(a.Err, &he) && he.StatusCode >= 500) || IsFault(a.Err, FaultFailed) {
				lastErr = a.Err
				continue
			}
			return last, a.Err
		}
		last, lastErr = a.State, nil
		if done(last.FSMStatename) {
			return last, nil
		}
	}
}
