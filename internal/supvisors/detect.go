package supvisors

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Detect finds out what the endpoint serves, with ONE system.multicall of
// system.listMethods and supvisors.get_api_version. The result is kept for the
// life of the Client (and shared with the clients derived by Instance); a
// failed detection is retried on the next call.
//
// An endpoint without the supvisors namespace is a plain supervisord: the
// result has Plain set and the Supervisor version (see plain.go).
func (c *Client) Detect(ctx context.Context) (*APIInfo, error) {
	c.detectMu.Lock()
	defer c.detectMu.Unlock()
	if c.api != nil {
		return c.api, nil
	}
	if a := c.sh.api.Load(); a != nil {
		c.api = a
		return a, nil
	}
	results, err := c.multicall(ctx, []MulticallCall{
		{Method: systemListMethods},
		{Method: mGetAPIVersion},
	}, false)
	if err != nil {
		if IsFault(err, FaultUnknownMethod) {
			return nil, fmt.Errorf("%w: %s does not support system.multicall: it is not a Supervisor/Supvisors XML-RPC endpoint (%v)",
				ErrNotSupvisors, c.ep.display, err)
		}
		return nil, err
	}
	if results[0].Err != nil {
		return nil, &CallError{Method: systemListMethods, Endpoint: c.ep.display, Err: results[0].Err}
	}
	arr, derr := asArray(results[0].Value, systemListMethods)
	if derr != nil {
		return nil, c.decodeError(systemListMethods, derr)
	}
	methods := toStrings(arr)
	slices.Sort(methods)
	if !slices.ContainsFunc(methods, func(m string) bool { return strings.HasPrefix(m, "supvisors.") }) ||
		IsFault(results[1].Err, FaultUnknownMethod) {
		return c.detectPlain(ctx, methods) // plain.go
	}
	if results[1].Err != nil {
		return nil, &CallError{Method: mGetAPIVersion, Endpoint: c.ep.display, Err: results[1].Err}
	}
	version, derr := decodeString(results[1].Value, mGetAPIVersion)
	if derr != nil {
		return nil, c.decodeError(mGetAPIVersion, derr)
	}
	c.api = &APIInfo{Version: version, Methods: methods}
	c.sh.api.CompareAndSwap(nil, c.api)
	return c.api, nil
}
