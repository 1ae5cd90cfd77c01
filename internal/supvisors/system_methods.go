package supvisors

import (
	"context"
	"fmt"
)

// SystemClient wraps the system.* namespace. Obtain it with Client.System.
type SystemClient struct{ c *Client }

// MulticallCall is one call of a system.multicall.
type MulticallCall struct {
	Method string
	Params []any
}

// MulticallResult is the outcome of one call of a system.multicall: Value on
// success (decoded generically, see Client.Call), else Err, always a *Fault.
type MulticallResult struct {
	Value any
	Err   error
}

// ListMethods calls system.listMethods.
func (s *SystemClient) ListMethods(ctx context.Context) ([]string, error) {
	v, err := s.c.call(ctx, systemListMethods)
	if err != nil {
		return nil, err
	}
	arr, err := asArray(v, systemListMethods)
	if err != nil {
		return nil, s.c.decodeError(systemListMethods, err)
	}
	return toStrings(arr), nil
}

// MethodHelp calls system.methodHelp (the method's docstring).
func (s *SystemClient) MethodHelp(ctx context.Context, method string) (string, error) {
	return s.c.callString(ctx, systemMethodHelp, method)
}

// MethodSignature calls system.methodSignature. Supervisor answers one flat
// signature [return type, param types...]; Supvisors reports Python type
// names there (e.g. "StartingStrategies").
func (s *SystemClient) MethodSignature(ctx context.Context, method string) ([]string, error) {
	v, err := s.c.call(ctx, systemMethodSignature, method)
	if err != nil {
		return nil, err
	}
	arr, err := asArray(v, systemMethodSignature)
	if err != nil {
		return nil, s.c.decodeError(systemMethodSignature, err)
	}
	// Standard XML-RPC answers a list of signatures: flatten the first one.
	if len(arr) > 0 {
		if inner, ok := arr[0].([]any); ok {
			return toStrings(inner), nil
		}
	}
	return toStrings(arr), nil
}

// Multicall calls system.multicall: the calls run in order on the server in
// one HTTP exchange, each with its own result or *Fault. It is retried like a
// read call only when every call inside is a read call; it drops the
// snapshots otherwise. Supervisor refuses a nested system.multicall.
func (s *SystemClient) Multicall(ctx context.Context, calls []MulticallCall) ([]MulticallResult, error) {
	if s.c.cachedAPI() == nil && allRead(calls) { // the detection goes with the first read-only multicall
		_, extra, err := s.c.detectWith(ctx, calls)
		if err != nil {
			return nil, err
		}
		if extra != nil {
			return extra, nil
		}
	}
	if _, err := s.c.apiFor(ctx, systemMulticall); err != nil {
		return nil, err
	}
	return s.c.multicallWire(ctx, calls, false)
}

// multicallWire runs calls, as they are, in one system.multicall. With
// retryInner, a BAD_SUPVISORS_STATE fault inside fails the whole attempt so
// that it is retried (used by the snapshot and Detect). See multicall for the
// calls of the 0.19 API.
func (c *Client) multicallWire(ctx context.Context, calls []MulticallCall, retryInner bool) ([]MulticallResult, error) {
	kind := kindRead
	arg := make([]any, 0, len(calls))
	for _, call := range calls {
		if kindOf(call.Method) != kindRead {
			kind = kindMutate
		}
		params := call.Params
		if params == nil {
			params = []any{}
		}
		arg = append(arg, map[string]any{"methodName": call.Method, "params": params})
	}
	var results []MulticallResult
	_, err := c.retry(ctx, systemMulticall, kind, func(ctx context.Context) (any, error) {
		v, err := c.roundTrip(ctx, systemMulticall, []any{arg})
		if err != nil {
			return nil, err
		}
		arr, err := asArray(v, systemMulticall)
		if err == nil && len(arr) != len(calls) {
			err = fmt.Errorf("%d results for %d calls", len(arr), len(calls))
		}
		if err != nil {
			return nil, c.decodeError(systemMulticall, err)
		}
		results = make([]MulticallResult, len(arr))
		for i, e := range arr {
			if f, ok := faultFromValue(e); ok {
				results[i].Err = f
				if retryInner && f.Code == FaultBadSupvisorsState {
					return nil, &CallError{Method: calls[i].Method, Endpoint: c.ep.display, Err: f}
				}
				continue
			}
			results[i].Value = e
		}
		return nil, nil
	})
	if kind == kindMutate {
		c.InvalidateSnapshot()
	}
	if err != nil {
		return nil, err
	}
	return results, nil
}
