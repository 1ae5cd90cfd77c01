package supvisors

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Detect finds out what the endpoint serves, with ONE system.multicall of
// system.listMethods and supvisors.get_api_version, and picks the API profile
// (Era) of the release. The result is kept for the life of the Client (and
// shared with the clients derived by Instance); a failed detection is retried
// on the next call. Every typed call detects first (the first read-only
// multicall carries the detection with it, so it costs no extra request).
//
// An endpoint without the supvisors namespace is a plain supervisord: the
// result has Plain set and the Supervisor version (see plain.go). A Supvisors
// release outside the supported range gives a *VersionError (wrapping
// ErrUnsupportedVersion), and the client then sends nothing else to that
// endpoint's supvisors namespace.
func (c *Client) Detect(ctx context.Context) (*APIInfo, error) {
	api, _, err := c.detectWith(ctx, nil)
	return api, err
}

// cachedAPI returns the detection result when there is one.
func (c *Client) cachedAPI() *APIInfo {
	c.detectMu.Lock()
	defer c.detectMu.Unlock()
	if c.api == nil {
		c.api = c.sh.api.Load()
	}
	return c.api
}

// detectWith detects, sending the read-only calls extra in the same multicall
// when the detection is still to be made. It returns their raw results (nil
// when the detection was already known, or when it failed).
func (c *Client) detectWith(ctx context.Context, extra []MulticallCall) (*APIInfo, []MulticallResult, error) {
	c.detectMu.Lock()
	defer c.detectMu.Unlock()
	if c.api == nil {
		c.api = c.sh.api.Load()
	}
	if c.api != nil {
		return c.api, nil, c.api.err(c.ep.display)
	}
	calls := append([]MulticallCall{{Method: systemListMethods}, {Method: supvisorsGetAPIVersion}}, extra...)
	results, err := c.multicallWire(ctx, calls, false)
	if err != nil {
		if IsFault(err, FaultUnknownMethod) {
			return nil, nil, fmt.Errorf("%w: %s does not support system.multicall: it is not a Supervisor/Supvisors XML-RPC endpoint (%v)",
				ErrNotSupvisors, c.ep.display, err)
		}
		return nil, nil, err
	}
	api, err := c.detectOutcome(ctx, results[0], results[1])
	if err != nil {
		return nil, nil, err
	}
	c.api = api
	c.sh.api.CompareAndSwap(nil, c.api)
	return c.api, results[2:], c.api.err(c.ep.display)
}

// detectOutcome reads the answers of system.listMethods and
// supvisors.get_api_version. Outcomes: a Supvisors release (its Era, 0 when
// it is out of range), a plain supervisord (Plain), or an error (undecodable
// answers). Called with detectMu held.
func (c *Client) detectOutcome(ctx context.Context, listed, version MulticallResult) (*APIInfo, error) {
	if listed.Err != nil {
		return nil, &CallError{Method: systemListMethods, Endpoint: c.ep.display, Err: listed.Err}
	}
	arr, derr := asArray(listed.Value, systemListMethods)
	if derr != nil {
		return nil, c.decodeError(systemListMethods, derr)
	}
	methods := toStrings(arr)
	slices.Sort(methods)
	hasSupvisors := slices.ContainsFunc(methods, func(m string) bool { return strings.HasPrefix(m, "supvisors.") })
	switch {
	case !hasSupvisors || IsFault(version.Err, FaultUnknownMethod):
		return c.detectPlain(ctx, methods) // plain.go
	case version.Err != nil:
		return nil, &CallError{Method: supvisorsGetAPIVersion, Endpoint: c.ep.display, Err: version.Err}
	}
	v, derr := decodeString(version.Value, supvisorsGetAPIVersion)
	if derr != nil {
		return nil, c.decodeError(supvisorsGetAPIVersion, derr)
	}
	return &APIInfo{Version: v, Methods: methods, Era: eraOf(v)}, nil
}
