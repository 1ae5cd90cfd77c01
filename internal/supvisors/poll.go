package supvisors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The shared poll.
//
// Every wait of a Client (WaitApplication, WaitProcesses, WaitReady) joins the
// client's pollHub instead of polling on its own. The hub sends ONE
// system.multicall per tick: get_supvisors_state once, then the calls of every
// registered waiter (identical calls sent once), and hands each waiter the
// cluster state and the answers to its own calls. The hub starts with the
// first waiter (its first tick is immediate) and stops when the last one
// leaves, cancelling a request in flight.
//
// Each waiter keeps its own schedule (see poller) and the hub ticks when the
// earliest waiter is due: a waiter that joins while ticks are running is
// answered by the next tick, at most its first interval (100ms) later, so N
// concurrent settle waits cost one small multicall per 100ms instead of N.
// Answers are only given to the waiters whose calls were in the request, so a
// waiter never sees a reading taken before it joined. Deadlines and
// cancellation stay per waiter: a waiter returns as soon as its own context
// ends, whatever the request in flight does.
//
// A watcher (ProcessWatch, watch.go) rides along: its calls go in every
// tick and it is handed their answers, but it never makes the hub tick nor
// keeps it running, so it adds no request.

// pollAnswer is what one tick tells one waiter.
type pollAnswer struct {
	State   SupvisorsState
	Results []MulticallResult // one per call of the waiter, in its order
	// Err is set when the request failed, or when get_supvisors_state
	// faulted or could not be decoded; State and Results are then empty.
	Err error
}

// pollWaiter is one wait registered with the hub.
type pollWaiter struct {
	h     *pollHub
	calls []MulticallCall
	p     poller
	due   time.Time       // when it wants its next answer (guarded by h.mu)
	ch    chan pollAnswer // capacity 1: the latest undelivered answer
}

// pollHub is the shared poll of one Client (one endpoint).
type pollHub struct {
	c *Client

	mu       sync.Mutex
	waiters  map[*pollWaiter]struct{}
	watchers map[*pollWaiter]struct{} // read with every tick, but never make the hub tick (see watch.go)
	pending  []*pollCommand           // commands for the next tick
	users    int                      // waiters + commands not answered yet
	cancel   context.CancelFunc       // of the running loop; nil when idle
	wake     chan struct{}            // a waiter joined or a command came: recompute the next tick
	fresh    map[string]freshReading  // readings taken right after a command, for the wait that follows it

	ticks atomic.Int64 // requests sent by the hub (for tests)
}

func newPollHub(c *Client) *pollHub {
	return &pollHub{c: c, waiters: map[*pollWaiter]struct{}{}, watchers: map[*pollWaiter]struct{}{}, wake: make(chan struct{}, 1), fresh: map[string]freshReading{}}
}

// join registers a waiter for calls (without get_supvisors_state, which every
// tick sends) with the poll schedule p. The first waiter starts the hub with
// an immediate tick; later ones get the next tick, no later than p's first
// interval. ctx gives the hub's requests their values (loggers) when it
// starts the hub; it does not bound them. Call leave when done.
func (h *pollHub) join(ctx context.Context, calls []MulticallCall, p poller) *pollWaiter {
	w := &pollWaiter{h: h, calls: calls, p: p, ch: make(chan pollAnswer, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.waiters[w] = struct{}{}
	if a, ok := h.takeFresh(calls); ok {
		w.ch <- a // the reading taken right after this subject's command
		h.start(ctx)
		w.due = time.Now().Add(w.p.next())
		return w
	}
	if h.start(ctx) {
		w.due = time.Now()
	} else {
		w.due = time.Now().Add(w.p.next())
	}
	return w
}

// freshMaxAge bounds how old a reading taken after a command may be to open
// the wait that follows the command.
const freshMaxAge = time.Second

// freshReading is the answer to one waiter call read in the same request as
// a command on its subject, right after it.
type freshReading struct {
	state  SupvisorsState
	result MulticallResult
	at     time.Time
}

// takeFresh returns, and forgets, the readings taken right after a command
// for every call of a new waiter, when there are recent ones: the wait that
// follows a command gets its first answer at once, as when each wait polled
// on its own, without a request. h.mu is held.
func (h *pollHub) takeFresh(calls []MulticallCall) (pollAnswer, bool) {
	if len(calls) == 0 {
		return pollAnswer{}, false
	}
	a := pollAnswer{Results: make([]MulticallResult, len(calls))}
	for i, call := range calls {
		f, ok := h.fresh[callKey(call)]
		if !ok || time.Since(f.at) > freshMaxAge {
			return pollAnswer{}, false
		}
		a.State, a.Results[i] = f.state, f.result
	}
	for _, call := range calls {
		delete(h.fresh, callKey(call))
	}
	return a, true
}

// subjectCalls returns the calls of the wait that usually follows a command:
// WaitApplication's for an application command, WaitProcesses' for a
// process command.
func subjectCalls(cmd MulticallCall) []MulticallCall {
	arg := func(i int) (string, bool) {
		if i >= len(cmd.Params) {
			return "", false
		}
		v, ok := cmd.Params[i].(string)
		return v, ok
	}
	var name string
	var ok bool
	switch cmd.Method {
	case supvisorsStopApplication, supvisorsStopProcess:
		name, ok = arg(0)
	default:
		name, ok = arg(1)
	}
	if !ok {
		return nil
	}
	switch cmd.Method {
	case supvisorsStartApplication, supvisorsStopApplication, supvisorsRestartApplication:
		return applicationWaitCalls(name)
	}
	return processWaitCalls(name)
}

// applicationWaitCalls are the calls of WaitApplication (besides the state).
func applicationWaitCalls(name string) []MulticallCall {
	return []MulticallCall{
		{Method: supvisorsGetApplicationInfo, Params: []any{name}},
		{Method: supvisorsGetProcessInfo, Params: []any{name + ":*"}},
	}
}

// processWaitCalls are the calls of WaitProcesses (besides the state).
func processWaitCalls(namespec string) []MulticallCall {
	return []MulticallCall{{Method: supvisorsGetProcessInfo, Params: []any{namespec}}}
}

// start counts one more user and starts the loop when it is idle (reporting
// true), else wakes it. h.mu is held.
func (h *pollHub) start(ctx context.Context) bool {
	h.users++
	if h.cancel == nil {
		lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		h.cancel = cancel
		go h.loop(lctx)
		return true
	}
	select {
	case h.wake <- struct{}{}:
	default:
	}
	return false
}

// done counts one user less; the last one stops the loop (and its request in
// flight). h.mu is held.
func (h *pollHub) done() {
	h.users--
	if h.users == 0 && h.cancel != nil {
		h.cancel()
		h.cancel = nil
	}
}

// leave unregisters the waiter; the last user stops the hub.
func (w *pollWaiter) leave() {
	h := w.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.waiters[w]; ok {
		delete(h.waiters, w)
		h.done()
	}
}

// next returns the next answer given to the waiter, or ctx's error when ctx
// ends first.
func (w *pollWaiter) next(ctx context.Context) (pollAnswer, error) {
	select {
	case <-ctx.Done():
		return pollAnswer{}, ctx.Err()
	case a := <-w.ch:
		return a, nil
	}
}

// loop ticks until ctx is cancelled (by the last leave).
func (h *pollHub) loop(ctx context.Context) {
	for {
		h.mu.Lock()
		if ctx.Err() != nil {
			h.mu.Unlock()
			return
		}
		var due time.Time
		for w := range h.waiters {
			if due.IsZero() || w.due.Before(due) {
				due = w.due
			}
		}
		switch {
		case len(h.pending) > 0:
			// Commands and reads go at once, but no sooner than gatherDelay after the first of them came
			// (unless a waiter is due before): the concurrent handlers of one Terraform walk (a parallel
			// apply's starts, their rules reads) arrive within a few milliseconds and share one request.
			if gathered := h.pending[0].queued.Add(gatherDelay); due.IsZero() || gathered.Before(due) {
				due = gathered
			}
		case due.IsZero(): // nothing to do until someone comes
			due = time.Now().Add(time.Hour)
		}
		h.mu.Unlock()
		if d := time.Until(due); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-h.wake:
				t.Stop()
			case <-t.C:
			}
			continue
		}
		h.tick(ctx)
	}
}

// tick sends one request for the pending commands, every registered waiter
// and every watcher, and answers them.
//
// A request with commands is mutating: it is never retried as a whole (the
// commands may have been executed) and BAD_SUPVISORS_STATE inside it is not
// retried either; each command gets its own answer and retries by itself
// (see command). Its readings only answer the waiters when they are sound;
// otherwise the waiters stay due and the next, read-only, tick follows at
// once with the usual retries.
func (h *pollHub) tick(ctx context.Context) {
	cmds, batch := h.takeBatch()
	req := newPollRequest(cmds, batch)
	h.ticks.Add(1)
	results, reqErr := h.c.multicall(ctx, req.calls, !req.mutating)
	state, err := h.readState(results, req.base, reqErr)
	sound := !req.mutating || soundReadings(results, req.base, err)

	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	if req.mutating && sound {
		// Stored before the commands are answered: the wait that follows a
		// command must find its reading.
		h.keepFresh(req, state, results, now)
	}
	h.dropStaleFresh(now)
	answerCommands(cmds, results, reqErr)
	if ctx.Err() != nil || !sound {
		return // every user left, or the waiters stay due: a read-only tick follows
	}
	for i, w := range batch {
		if !h.registered(w) {
			continue // left meanwhile
		}
		a := pollAnswer{Err: err}
		if err == nil {
			a.State, a.Results = state, req.resultsOf(i, results)
		}
		w.due = now.Add(w.p.next())
		w.give(a)
	}
}

// takeBatch takes the pending commands and lists the waiters and watchers
// the next request reads for.
func (h *pollHub) takeBatch() ([]*pollCommand, []*pollWaiter) {
	h.mu.Lock()
	defer h.mu.Unlock()
	cmds := h.pending
	h.pending = nil
	batch := make([]*pollWaiter, 0, len(h.waiters)+len(h.watchers))
	for w := range h.waiters {
		batch = append(batch, w)
	}
	for w := range h.watchers {
		batch = append(batch, w)
	}
	return cmds, batch
}

// registered reports whether w is still a waiter or a watcher of the hub.
// h.mu is held.
func (h *pollHub) registered(w *pollWaiter) bool {
	_, waiting := h.waiters[w]
	_, watching := h.watchers[w]
	return waiting || watching
}

// pollRequest is the multicall of one tick: the commands first, then
// get_supvisors_state (at base), then the calls of the waiters, each
// identical call once, and the readings that follow the commands.
type pollRequest struct {
	calls      []MulticallCall
	base       int            // position of get_supvisors_state
	index      map[string]int // call key -> position in calls
	refs       [][]int        // per waiter of the batch, the position of each of its calls
	freshCalls []MulticallCall
	mutating   bool // carries a command (not only one-shot reads)
}

// newPollRequest builds the request of a tick for cmds and the waiters of
// batch.
func newPollRequest(cmds []*pollCommand, batch []*pollWaiter) *pollRequest {
	r := &pollRequest{calls: make([]MulticallCall, 0, len(cmds)+1+2*len(batch)), index: map[string]int{}}
	for _, cmd := range cmds {
		r.calls = append(r.calls, cmd.call)
	}
	r.base = len(r.calls)
	r.calls = append(r.calls, MulticallCall{Method: supvisorsGetSupvisorsState})
	r.refs = make([][]int, len(batch))
	for i, w := range batch {
		r.refs[i] = make([]int, len(w.calls))
		for k, call := range w.calls {
			r.refs[i][k] = r.add(call)
		}
	}
	for _, cmd := range cmds {
		if cmd.read {
			continue
		}
		r.mutating = true
		for _, call := range subjectCalls(cmd.call) { // read after the commands, for the waits that follow them
			r.add(call)
			r.freshCalls = append(r.freshCalls, call)
		}
	}
	return r
}

// add puts call in the request once and returns its position.
func (r *pollRequest) add(call MulticallCall) int {
	key := callKey(call)
	pos, ok := r.index[key]
	if !ok {
		pos = len(r.calls)
		r.index[key] = pos
		r.calls = append(r.calls, call)
	}
	return pos
}

// resultsOf picks the answers to the calls of the i-th waiter of the batch.
func (r *pollRequest) resultsOf(i int, results []MulticallResult) []MulticallResult {
	out := make([]MulticallResult, len(r.refs[i]))
	for k, pos := range r.refs[i] {
		out[k] = results[pos]
	}
	return out
}

// readState decodes the cluster state of a tick's answer: the request's
// error, a *CallError when get_supvisors_state faulted, or a decoding error.
func (h *pollHub) readState(results []MulticallResult, base int, reqErr error) (SupvisorsState, error) {
	if reqErr != nil {
		return SupvisorsState{}, reqErr
	}
	r := results[base]
	if r.Err != nil {
		return SupvisorsState{}, &CallError{Method: supvisorsGetSupvisorsState, Endpoint: h.c.ep.display, Err: r.Err}
	}
	state, err := decodeSupvisorsState(r.Value)
	if err != nil {
		return state, h.c.decodeError(supvisorsGetSupvisorsState, err)
	}
	return state, nil
}

// keepFresh stores the readings taken right after the commands of req, for
// the waits that follow them (see takeFresh). h.mu is held.
func (h *pollHub) keepFresh(req *pollRequest, state SupvisorsState, results []MulticallResult, now time.Time) {
	for _, call := range req.freshCalls {
		key := callKey(call)
		h.fresh[key] = freshReading{state: state, result: results[req.index[key]], at: now}
	}
}

// dropStaleFresh forgets the readings after commands that no wait took in
// time. h.mu is held.
func (h *pollHub) dropStaleFresh(now time.Time) {
	for key, f := range h.fresh {
		if now.Sub(f.at) > freshMaxAge {
			delete(h.fresh, key)
		}
	}
}

// answerCommands gives each command of a tick its answer, or the request's
// error.
func answerCommands(cmds []*pollCommand, results []MulticallResult, reqErr error) {
	for i, cmd := range cmds { // capacity 1: never blocks
		if reqErr != nil {
			cmd.answer <- MulticallResult{Err: reqErr}
		} else {
			cmd.answer <- results[i]
		}
	}
}

// give hands a the waiter, keeping only the latest undelivered answer.
func (w *pollWaiter) give(a pollAnswer) {
	select {
	case <-w.ch:
	default:
	}
	w.ch <- a
}

// soundReadings reports whether the readings of a request that carried
// commands can answer the waiters: the request went through and no reading
// met BAD_SUPVISORS_STATE (which a read-only tick retries).
func soundReadings(results []MulticallResult, base int, err error) bool {
	if err != nil {
		return false
	}
	for _, r := range results[base:] {
		var f *Fault
		if errors.As(r.Err, &f) && f.Code == FaultBadSupvisorsState {
			return false
		}
	}
	return true
}

// gatherDelay is how long the hub holds the first command (or one-shot read)
// of a request for the ones that come with it: the handlers of one parallel
// Terraform walk send theirs within tens of milliseconds. `make bench` saw the
// ten starts of a parallel apply go in three requests (the first one alone)
// without it, and in one or two with it.
const gatherDelay = 10 * time.Millisecond

// pollCommand is a command (or a one-shot read) waiting for the next tick.
type pollCommand struct {
	call   MulticallCall
	read   bool                 // a read-only call (see read)
	queued time.Time            // when it was submitted
	answer chan MulticallResult // capacity 1
}

// batchedCommands are the commands sent through the shared poll when called
// with wait=false (their last argument): they return at once on the server,
// so they can share a request with the readings. With wait=true they stay
// plain calls (deferred on the server, they would hold the whole request).
var batchedCommands = map[string]bool{
	supvisorsStartApplication: true, supvisorsStopApplication: true, supvisorsRestartApplication: true,
	supvisorsStartProcess: true, supvisorsStopProcess: true, supvisorsRestartProcess: true,
}

// batchable reports whether a call of method with args goes through
// pollHub.command.
func batchable(method string, args []any) bool {
	if !batchedCommands[method] || len(args) == 0 {
		return false
	}
	wait, ok := args[len(args)-1].(bool)
	return ok && !wait
}

// command sends a mutating call in the next tick of the shared poll (at once
// when no tick is in flight, after gatherDelay; else right after it), so that concurrent
// commands and waits share requests. It follows the rules of a plain
// mutating call: BAD_SUPVISORS_STATE is retried within the budget (see
// Client.retry), nothing else is, and the snapshots are dropped.
func (h *pollHub) command(ctx context.Context, method string, args []any) (any, error) {
	c := h.c
	// The API profile of the release decides first (profile_call.go): a
	// refused call fails here alone, and a command that goes under another
	// name or blocking (releases that report no jobs) is a plain call.
	api, err := c.apiFor(ctx, method)
	if err != nil {
		return nil, err
	}
	if api == nil || api.Plain || !api.Era.ReportsJobs() {
		return c.call(ctx, method, args...)
	}
	if wc, err := c.shape(api, method, args); err != nil {
		return nil, err
	} else if wc.wire != method || wc.blocking {
		return c.call(ctx, method, args...)
	}
	start := time.Now()
	defer func() {
		c.debug(ctx, "supvisors XML-RPC command sent in a request of the shared poll", map[string]any{
			"method": method, "endpoint": c.ep.display, "duration_ms": time.Since(start).Milliseconds(),
		})
	}()
	v, err := c.retry(ctx, method, kindMutate, func(ctx context.Context) (any, error) {
		return h.submit(ctx, &pollCommand{call: MulticallCall{Method: method, Params: args}})
	})
	c.InvalidateSnapshot()
	if err != nil {
		err = c.explainUnknownMethod(ctx, method, err)
	}
	return v, err
}

// callKey identifies a call for deduplication (the waiters' parameters are
// strings).
func callKey(c MulticallCall) string {
	var b strings.Builder
	b.WriteString(c.Method)
	for _, p := range c.Params {
		fmt.Fprintf(&b, "\x00%v", p)
	}
	return b.String()
}

// read sends a read-only call in the next tick of the shared poll (at once
// when no tick is in flight, after gatherDelay; else right after it), so that the reads of
// concurrent callers (the rules of the applications a parallel apply starts)
// share one request, retried like any read. A fault is a *CallError naming
// the method.
func (h *pollHub) read(ctx context.Context, call MulticallCall) (any, error) {
	return h.submit(ctx, &pollCommand{call: call, read: true})
}

// submit queues cmd for the next tick and returns its answer, or ctx's error
// (a cmd not sent yet is then forgotten).
func (h *pollHub) submit(ctx context.Context, cmd *pollCommand) (any, error) {
	c := h.c
	cmd.answer = make(chan MulticallResult, 1)
	cmd.queued = time.Now()
	h.mu.Lock()
	h.pending = append(h.pending, cmd)
	h.start(ctx)
	h.mu.Unlock()
	var r MulticallResult
	select {
	case r = <-cmd.answer:
	case <-ctx.Done():
		h.mu.Lock()
		if i := slices.Index(h.pending, cmd); i >= 0 { // not sent: forget it
			h.pending = slices.Delete(h.pending, i, i+1)
		}
		h.done()
		h.mu.Unlock()
		return nil, &TransportError{Endpoint: c.ep.display, Method: cmd.call.Method, Attempts: 1, Err: ctx.Err()}
	}
	h.mu.Lock()
	h.done()
	h.mu.Unlock()
	if r.Err != nil {
		var f *Fault
		if errors.As(r.Err, &f) {
			return nil, &CallError{Method: cmd.call.Method, Endpoint: c.ep.display, Err: f}
		}
		return nil, r.Err
	}
	return r.Value, nil
}
