package supvisors

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// How a typed call goes through the API profile of the release reached
// (profile.go): detect first; refuse, without sending anything, a method the
// release does not list or a strategy it does not accept; send the release's
// name of the method; turn a wait=false command into a blocking one where the
// release reports no jobs (wait_nojobs.go); decode the answer into the 0.19
// shape (profile_decode.go); give faults their 0.19 meaning.

// wireCall is one call as it goes on the wire.
type wireCall struct {
	method   string // 0.19 name, used for decoding
	wire     string // name sent
	args     []any
	blocking bool // a wait=false command sent with wait=true
}

// apiFor returns the detection result to shape a call of method with, or nil
// to send it unchanged (supervisor.* / system.* methods on a plain
// supervisord, where the supvisors namespace is missing; a supvisors.* method
// there is refused with an error wrapping ErrNotSupvisors).
func (c *Client) apiFor(ctx context.Context, method string) (*APIInfo, error) {
	api, err := c.Detect(ctx)
	if err != nil {
		if errors.Is(err, ErrNotSupvisors) && !strings.HasPrefix(method, "supvisors.") {
			return nil, nil
		}
		// The endpoint could not be reached: say so for the call made.
		var te *TransportError
		var he *HTTPError
		switch {
		case errors.As(err, &te) && te.Method == systemMulticall:
			te.Method = method
		case errors.As(err, &he) && he.Method == systemMulticall:
			he.Method = method
		}
		return nil, err
	}
	if api.Plain { // a plain supervisord: supervisor.* / system.* go as they are
		if strings.HasPrefix(method, "supvisors.") {
			return nil, c.needsSupvisors(api, method)
		}
		return nil, nil
	}
	return api, nil
}

// shape turns a call of the 0.19 API into the call the release accepts, or
// refuses it (*UnsupportedError) before anything is sent.
func (c *Client) shape(api *APIInfo, method string, args []any) (wireCall, error) {
	wc := wireCall{method: method, wire: method, args: args}
	if api == nil {
		return wc, nil
	}
	if api.Era == EraAddress {
		if n, ok := addressNames[method]; ok {
			wc.wire = n
		}
	}
	if strings.HasPrefix(wc.wire, "supvisors.") && len(api.Methods) > 0 && !api.Has(wc.wire) {
		return wc, &UnsupportedError{What: "method " + method, Version: api.Version, Endpoint: c.ep.display,
			Since: methodSince[method]}
	}
	if i := strategyArg(method); i >= 0 && i < len(args) {
		if err := c.checkStrategy(api, args[i]); err != nil {
			return wc, err
		}
	}
	if args, ok := blockingArgs(api, method, args); ok {
		wc.args, wc.blocking = args, true
	}
	return wc, nil
}

// blockingArgs returns a copy of args with wait=true, and true, for a wait=false command of a release that
// reports no jobs (the client then waits with the command itself, see wait_nojobs.go); args and false for
// anything else.
func blockingArgs(api *APIInfo, method string, args []any) ([]any, bool) {
	if api.Era.ReportsJobs() {
		return args, false
	}
	i := waitArg(method)
	if i < 0 || i >= len(args) {
		return args, false
	}
	if w, ok := args[i].(bool); !ok || w {
		return args, false
	}
	args = slices.Clone(args)
	args[i] = true
	return args, true
}

// strategyArg returns the index of the starting strategy argument of method,
// -1 when it has none.
func strategyArg(method string) int {
	switch method {
	case supvisorsStartApplication, supvisorsRestartApplication, supvisorsStartProcess, supvisorsRestartProcess, supvisorsStartAnyProcess,
		supvisorsTestStartApplication, supvisorsTestStartProcess:
		return 0
	}
	return -1
}

// waitArg returns the index of the wait argument of the commands whose end
// the client waits for, -1 for other methods.
func waitArg(method string) int {
	switch method {
	case supvisorsStopApplication, supvisorsStopProcess:
		return 1
	case supvisorsStartApplication, supvisorsRestartApplication:
		return 2
	case supvisorsStartProcess, supvisorsRestartProcess:
		return 3
	}
	return -1
}

// checkStrategy refuses a starting strategy the release does not accept (the
// *_NODE strategies before 0.12, any unknown name). It is checked before the
// call because restart_application with a bad strategy stops the application
// before failing on some releases.
func (c *Client) checkStrategy(api *APIInfo, v any) error {
	s, ok := v.(string)
	if !ok {
		return nil // integers go as they are
	}
	valid := api.Era.StartingStrategies()
	if slices.Contains(valid, StartingStrategy(s)) {
		return nil
	}
	names := make([]string, len(valid))
	for i, v := range valid {
		names[i] = string(v)
	}
	since := ""
	if StartingStrategy(s).Valid() {
		since = "0.12"
	}
	return &UnsupportedError{What: "starting strategy " + quote(s), Version: api.Version, Endpoint: c.ep.display,
		Since: since, Valid: names}
}

func quote(s string) string { return `"` + s + `"` }

// finish decodes the answer of a shaped call into the 0.19 shape and gives
// its fault the 0.19 meaning.
func (c *Client) finish(api *APIInfo, wc wireCall, v any, err error) (any, error) {
	if api == nil {
		return v, err
	}
	if err != nil {
		return nil, c.fixFault(api, wc, err)
	}
	if api.Era == EraAddress && (wc.method == supvisorsStartApplication || wc.method == supvisorsStopApplication ||
		wc.method == supvisorsRestartApplication) && len(wc.args) > 1 {
		// 0.10 answers False, without a fault, to a start of an unmanaged group;
		// True means managed (kept for the answers that follow, see
		// completeApplications).
		if b, ok := v.(bool); ok && b {
			c.sh.managed.Store(toString(wc.args[len(wc.args)-2]), true)
		}
		if b, ok := v.(bool); ok && !b && wc.method == supvisorsStartApplication {
			name := ""
			if len(wc.args) > 1 {
				name = toString(wc.args[1])
			}
			return nil, &CallError{Method: wc.method, Endpoint: c.ep.display, Err: &Fault{Code: FaultNotManaged,
				String: "NOT_MANAGED: " + name + " (Supvisors " + api.Version + " answered False: the application is not managed)"}}
		}
	}
	return c.normalize(api, wc.method, v), nil
}

// fixFault rewrites a fault of an older release into its 0.19 meaning: 0.10
// prefixes its BAD_SUPVISORS_STATE string with "UNKNOWN:"; a failed start
// awaited by a blocking call (40 up to 0.17, 70 later) is left to the wait
// that follows, which describes each process.
func (c *Client) fixFault(api *APIInfo, wc wireCall, err error) error {
	var f *Fault
	if !errors.As(err, &f) {
		return err
	}
	if rest, ok := strings.CutPrefix(f.String, "UNKNOWN:"); ok && f.Code == FaultBadSupvisorsState {
		f.String = FaultBadSupvisorsState.String() + ":" + rest
	}
	return err
}

// multicall runs calls of the 0.19 API in one system.multicall, shaped for
// the release reached (see call). The first read-only multicall of a client
// carries the detection with it. With retryInner, a BAD_SUPVISORS_STATE fault
// inside fails the whole attempt so that it is retried (snapshot, waits).
func (c *Client) multicall(ctx context.Context, calls []MulticallCall, retryInner bool) ([]MulticallResult, error) {
	var api *APIInfo
	if c.cachedAPI() == nil && allRead(calls) {
		a, results, done, err := c.multicallDetecting(ctx, calls, retryInner)
		if err != nil {
			return nil, err
		}
		if done {
			return results, nil
		}
		api = a
	}
	if api == nil {
		var err error
		if api, err = c.multicallAPI(ctx, calls); err != nil {
			return nil, err
		}
	}
	wire := make([]MulticallCall, len(calls))
	shaped := make([]wireCall, len(calls))
	for i, call := range calls {
		wc, err := c.shape(api, call.Method, call.Params)
		if err != nil {
			return nil, err
		}
		shaped[i] = wc
		wire[i] = MulticallCall{Method: wc.wire, Params: wc.args}
	}
	results, err := c.multicallWire(ctx, wire, retryInner)
	if err != nil {
		return nil, err
	}
	for i := range results {
		results[i] = c.finishResult(api, shaped[i], results[i])
	}
	return results, nil
}

// multicallDetecting is the first read-only multicall of a client: calls go with the detection (detectWith).
// When their answers serve as they are (a plain supervisord asked no supvisors.* method; a release that takes
// the calls as written and answered without a BAD_SUPVISORS_STATE to retry), they are the results and done is
// true. Otherwise it returns the API to shape the calls with (nil for a plain supervisord) and they are sent
// again.
func (c *Client) multicallDetecting(ctx context.Context, calls []MulticallCall, retryInner bool) (
	api *APIInfo, results []MulticallResult, done bool, err error) {
	api, extra, err := c.detectWith(ctx, calls)
	if err != nil {
		return nil, nil, false, err
	}
	if api.Plain { // the calls go as they are; supvisors.* ones are refused by multicallAPI
		if extra != nil && supvisorsCall(calls) == "" {
			return nil, extra, true, nil
		}
		api, extra = nil, nil
	}
	if extra != nil && c.sameOnWire(api, calls) && !(retryInner && hasStateFault(extra)) {
		return api, c.finishAll(api, calls, extra), true, nil
	}
	return api, nil, false, nil
}

// multicallAPI returns the detection result to shape calls with (see apiFor), refusing them on a plain
// supervisord when one is a supvisors.* method.
func (c *Client) multicallAPI(ctx context.Context, calls []MulticallCall) (*APIInfo, error) {
	api, err := c.apiFor(ctx, systemMulticall)
	if err != nil {
		return nil, err
	}
	if a := c.cachedAPI(); api == nil && a != nil && a.Plain {
		if m := supvisorsCall(calls); m != "" {
			return nil, c.needsSupvisors(a, m)
		}
	}
	return api, nil
}

// supvisorsCall returns the method of the first supvisors.* call of calls, "" when there is none.
func supvisorsCall(calls []MulticallCall) string {
	for _, call := range calls {
		if strings.HasPrefix(call.Method, "supvisors.") {
			return call.Method
		}
	}
	return ""
}

func allRead(calls []MulticallCall) bool {
	for _, call := range calls {
		if kindOf(call.Method) != kindRead {
			return false
		}
	}
	return true
}

func hasStateFault(results []MulticallResult) bool {
	for _, r := range results {
		if IsFault(r.Err, FaultBadSupvisorsState) {
			return true
		}
	}
	return false
}

// sameOnWire reports whether the release takes calls exactly as written (no
// renamed method, nothing refused).
func (c *Client) sameOnWire(api *APIInfo, calls []MulticallCall) bool {
	for _, call := range calls {
		wc, err := c.shape(api, call.Method, call.Params)
		if err != nil || wc.wire != call.Method || wc.blocking {
			return false
		}
	}
	return true
}

func (c *Client) finishAll(api *APIInfo, calls []MulticallCall, results []MulticallResult) []MulticallResult {
	out := make([]MulticallResult, len(results))
	for i, r := range results {
		out[i] = c.finishResult(api, wireCall{method: calls[i].Method, wire: calls[i].Method, args: calls[i].Params}, r)
	}
	return out
}

// finishResult is finish for one result of a multicall (its error stays a
// bare *Fault).
func (c *Client) finishResult(api *APIInfo, wc wireCall, r MulticallResult) MulticallResult {
	v, err := c.finish(api, wc, r.Value, r.Err)
	if err != nil {
		var f *Fault
		if errors.As(err, &f) {
			err = f
		}
		return MulticallResult{Err: err}
	}
	return MulticallResult{Value: v}
}

// CheckStartingStrategy tells, before anything is sent, whether the Supvisors
// release reached accepts a starting strategy: nil, or an *UnsupportedError
// (wrapping ErrUnsupported) naming the strategy, the release and the valid
// strategies there. It detects the release first when needed (one request,
// once per Client). For plan-time checks; the commands check it themselves.
func (c *Client) CheckStartingStrategy(ctx context.Context, strategy StartingStrategy) error {
	api, err := c.apiFor(ctx, supvisorsStartApplication)
	if err != nil || api == nil {
		return err
	}
	return c.checkStrategy(api, string(strategy))
}
