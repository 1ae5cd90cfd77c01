package supvisors

import "context"

// Waiting on releases that report no jobs (before 0.13).
//
// The settle waits (wait.go) end when neither the application nor its
// processes are in transition and no starting or stopping job is reported.
// Before 0.13 get_supvisors_state reports no jobs, and an application start
// goes STOPPED, RUNNING (first program up), STOPPED (a wait_exit program
// exited), STARTING, RUNNING: a poll cannot tell the end. The blocking call
// (wait=true) returns only once the job is over, so on those releases the
// client sends the start, stop and restart commands with wait=true, bounded by
// the caller's context (its deadline and cancellation) instead of the request
// timeout; the wait that follows then sees the settled state at its first
// poll. See shape in profile_call.go.

// blockingKey marks the context of a blocking command.
type blockingKey struct{}

// blockingContext marks ctx when blocking is true: the HTTP exchange is then
// bounded by the context only, not by Config.RequestTimeout.
func blockingContext(ctx context.Context, blocking bool) context.Context {
	if !blocking {
		return ctx
	}
	return context.WithValue(ctx, blockingKey{}, true)
}

// isBlocking reports whether ctx carries a blocking command.
func isBlocking(ctx context.Context) bool {
	b, _ := ctx.Value(blockingKey{}).(bool)
	return b
}

// roundTripState sends get_supvisors_state once (no retry) and returns its
// answer in the 0.19 shape.
func (c *Client) roundTripState(ctx context.Context) (any, error) {
	api, err := c.apiFor(ctx, supvisorsGetSupvisorsState)
	if err != nil {
		return nil, err
	}
	v, err := c.roundTrip(ctx, supvisorsGetSupvisorsState, nil)
	if err != nil {
		return nil, err
	}
	return c.normalize(api, supvisorsGetSupvisorsState, v), nil
}
