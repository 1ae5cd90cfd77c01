package supvisors

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Backoff bounds of the retries of calls (BAD_SUPVISORS_STATE, transport
// failures of read calls).
const (
	retryMinBackoff = 100 * time.Millisecond
	retryMaxBackoff = 2 * time.Second
)

// call invokes method with the retry policy of its kind (see methods.go), drops
// the snapshots after a mutating call and explains UNKNOWN_METHOD.
// The call goes through the API profile of the release (profile_call.go).
func (c *Client) call(ctx context.Context, method string, args ...any) (any, error) {
	api, err := c.apiFor(ctx, method)
	if err != nil {
		return nil, err
	}
	wc, err := c.shape(api, method, args)
	if err != nil {
		return nil, err
	}
	v, err := c.callWire(blockingContext(ctx, wc.blocking), method, wc.wire, wc.args)
	return c.finish(api, wc, v, err)
}

// callRaw is call without the profile: the method and arguments go as they
// are (Client.Call), once the release is known to be supported.
// A supvisors.* method the release does not list is refused without sending
// it.
func (c *Client) callRaw(ctx context.Context, method string, args ...any) (any, error) {
	api, err := c.apiFor(ctx, method)
	if err != nil {
		return nil, err
	}
	if api != nil && strings.HasPrefix(method, "supvisors.") && len(api.Methods) > 0 && !api.Has(method) {
		return nil, &UnsupportedError{What: "method " + method, Version: api.Version, Endpoint: c.ep.display,
			Since: methodSince[method]}
	}
	return c.callWire(ctx, method, method, args)
}

// callWire sends wire with the retry policy of method (see methods.go),
// drops the snapshots after a mutating call and explains UNKNOWN_METHOD.
func (c *Client) callWire(ctx context.Context, method, wire string, args []any) (any, error) {
	kind := kindOf(method)
	v, err := c.retry(ctx, wire, kind, func(ctx context.Context) (any, error) {
		return c.roundTrip(ctx, wire, args)
	})
	if kind == kindMutate {
		c.InvalidateSnapshot()
	}
	if err != nil {
		err = c.explainUnknownMethod(ctx, wire, err)
	}
	return v, err
}

// retry runs fn until it succeeds, fails with an error its kind does not
// retry, or the wait budget min(ctx deadline, ReadyTimeout) is spent.
//   - read calls retry transport failures, HTTP 502/503/504 and
//     BAD_SUPVISORS_STATE;
//   - mutating calls retry BAD_SUPVISORS_STATE only (the server refused the
//     call, nothing happened); a transport failure is returned at once since
//     the call may have been executed.
//
// A BAD_SUPVISORS_STATE that outlasts the budget becomes a *NotReadyError.
func (c *Client) retry(ctx context.Context, method string, kind callKind, fn func(context.Context) (any, error)) (any, error) {
	start := time.Now()
	deadline := start.Add(c.cfg.ReadyTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	backoff := retryMinBackoff
	var lastErr error
	for attempt := 1; ; attempt++ {
		v, err := fn(ctx)
		if err == nil {
			return v, nil
		}
		if ctx.Err() != nil {
			if lastErr != nil && isContextError(err) {
				err = lastErr // more telling than "context canceled"
			}
			return nil, c.finalError(ctx, method, err, attempt, time.Since(start), ctx.Err())
		}
		if !retryable(kind, err) {
			return nil, c.finalError(ctx, method, err, attempt, time.Since(start), nil)
		}
		lastErr = err
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return nil, c.finalError(ctx, method, err, attempt, time.Since(start), nil)
		}
		wait := min(backoff, remaining)
		c.debug(ctx, "supvisors XML-RPC call will be retried", map[string]any{
			"method": method, "endpoint": c.ep.display, "attempt": attempt,
			"retry_in_ms": wait.Milliseconds(), "error": err.Error(),
		})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, c.finalError(ctx, method, err, attempt, time.Since(start), ctx.Err())
		case <-t.C:
		}
		backoff = min(backoff*2, retryMaxBackoff)
	}
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// retryable tells whether err may be retried for a call of the given kind.
func retryable(kind callKind, err error) bool {
	if IsFault(err, FaultBadSupvisorsState) {
		return true
	}
	if kind != kindRead {
		return false
	}
	if IsTLSFailure(err) {
		return false // the same certificate will be refused again: say so at once
	}
	var te *TransportError
	if errors.As(err, &te) {
		return true
	}
	var he *HTTPError
	if errors.As(err, &he) {
		switch he.StatusCode {
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
	}
	return false
}

// IsTLSFailure reports whether err is a TLS failure that a retry cannot cure:
// the server's certificate failed verification (unknown authority, wrong host
// name, expired) or the server does not speak TLS. Such failures are not
// retried.
func IsTLSFailure(err error) bool {
	var (
		verify    *tls.CertificateVerificationError
		authority x509.UnknownAuthorityError
		host      x509.HostnameError
		invalid   x509.CertificateInvalidError
		record    tls.RecordHeaderError
	)
	return errors.As(err, &verify) || errors.As(err, &authority) || errors.As(err, &host) ||
		errors.As(err, &invalid) || errors.As(err, &record)
}

// finalError shapes the error returned after the last attempt: a
// *NotReadyError for BAD_SUPVISORS_STATE, the attempt count in a
// *TransportError, and the context's error when it stopped the retries.
func (c *Client) finalError(ctx context.Context, method string, err error, attempts int, waited time.Duration, ctxErr error) error {
	var f *Fault
	if errors.As(err, &f) && f.Code == FaultBadSupvisorsState {
		nr := &NotReadyError{Method: method, Err: f, Waited: waited}
		nr.State, nr.Accepted = parseStateFault(f.String)
		nr.State = StateName(string(nr.State))
		for i, a := range nr.Accepted {
			nr.Accepted[i] = string(StateName(a))
		}
		if nr.State == "" && ctx.Err() == nil {
			// The fault does not name the state (e.g. "jobs in progress"): ask.
			sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if v, serr := c.roundTripState(sctx); serr == nil {
				if st, derr := decodeSupvisorsState(v); derr == nil {
					nr.State = st.FSMStatename
				}
			}
			cancel()
		}
		err = nr
	}
	var te *TransportError
	if errors.As(err, &te) {
		te.Attempts = attempts
	}
	if ctxErr != nil && !errors.Is(err, ctxErr) {
		return &stoppedError{err: err, ctxErr: ctxErr}
	}
	return err
}

// stoppedError is the last error of a retried call stopped by its context. It
// matches both the last error and the context's error.
type stoppedError struct {
	err    error
	ctxErr error
}

func (e *stoppedError) Error() string   { return fmt.Sprintf("%v (gave up: %v)", e.err, e.ctxErr) }
func (e *stoppedError) Unwrap() []error { return []error{e.err, e.ctxErr} }

var (
	stateRx    = regexp.MustCompile(`state=([A-Z_]+)`)
	acceptedRx = regexp.MustCompile(`(?:expected in|not in state) \[([^\]]*)\]`) // 0.19 / older texts
)

// parseStateFault extracts the current and accepted states from a
// BAD_SUPVISORS_STATE fault string such as "BAD_SUPVISORS_STATE: invalid
// Supvisors state=ELECTION - state expected in ['OPERATION', 'CONCILIATION']".
func parseStateFault(s string) (SupvisorsStateName, []string) {
	var state SupvisorsStateName
	if m := stateRx.FindStringSubmatch(s); m != nil {
		state = SupvisorsStateName(m[1])
	}
	var accepted []string
	if m := acceptedRx.FindStringSubmatch(s); m != nil {
		for _, part := range strings.Split(m[1], ",") {
			part = strings.Trim(strings.TrimSpace(part), `'"`)
			if part != "" {
				accepted = append(accepted, part)
			}
		}
	}
	return state, accepted
}

// explainUnknownMethod turns UNKNOWN_METHOD on a supvisors.* method into a
// clear error: ErrNotSupvisors on a plain supervisord, or the method missing
// from this Supvisors version.
func (c *Client) explainUnknownMethod(ctx context.Context, method string, err error) error {
	if !IsFault(err, FaultUnknownMethod) || !strings.HasPrefix(method, "supvisors.") || method == supvisorsGetLoggerLevels {
		return err
	}
	if ctx.Err() != nil {
		return err
	}
	info, derr := c.Detect(ctx)
	if derr != nil {
		if errors.Is(derr, ErrNotSupvisors) {
			return derr
		}
		return err
	}
	if info.Plain {
		return c.needsSupvisors(info, method)
	}
	if !info.Has(method) {
		return fmt.Errorf("%s is not provided by Supvisors %s at %s: %w", method, info.Version, c.ep.display, err)
	}
	return err
}
