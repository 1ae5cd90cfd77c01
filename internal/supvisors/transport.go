package supvisors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/kolo/xmlrpc"
)

// maxResponseBytes bounds the size of an answer read into memory.
const maxResponseBytes = 256 << 20

// newTransport builds the one http.Transport a Client and its derived clients
// share: keep-alive connections are reused, unix sockets are dialled for the
// unixHost name, TLS follows CAFile/Insecure.
func newTransport(cfg *Config) (*http.Transport, error) {
	ep, _ := parseEndpoint(cfg.URL) // validated by normalize
	tc, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	unixPath := ep.unixPath
	return &http.Transport{
		Proxy: func(req *http.Request) (*url.URL, error) {
			if req.URL.Hostname() == unixHost {
				return nil, nil
			}
			return http.ProxyFromEnvironment(req)
		},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, _, err := net.SplitHostPort(addr); err == nil && host == unixHost {
				if unixPath == "" {
					return nil, errors.New("no unix socket configured")
				}
				return dialer.DialContext(ctx, "unix", unixPath)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		TLSClientConfig:     tc,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}, nil
}

// roundTrip sends one XML-RPC call and decodes its answer into generic values
// (see decodeValue). It never retries. Errors: *TransportError, *HTTPError,
// *CallError wrapping a *Fault or a *DecodeError.
func (c *Client) roundTrip(ctx context.Context, method string, args []any) (any, error) {
	body, err := encodeCall(method, args)
	if err != nil {
		return nil, &CallError{Method: method, Endpoint: c.ep.display, Err: err}
	}
	start := time.Now()
	raw, status, err := c.post(ctx, method, body)
	fields := map[string]any{
		"method":      method,
		"endpoint":    c.ep.display,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	if status != 0 {
		fields["http_status"] = status
	}
	if err != nil {
		fields["error"] = err.Error()
		c.debug(ctx, "supvisors XML-RPC call failed", fields)
		return nil, err
	}
	v, err := decodeResponse(raw)
	if err != nil {
		var f *Fault
		if !errors.As(err, &f) {
			err = &DecodeError{Method: method, Err: err}
		}
		err = &CallError{Method: method, Endpoint: c.ep.display, Err: err}
		fields["error"] = err.Error()
		c.debug(ctx, "supvisors XML-RPC call failed", fields)
		return nil, err
	}
	c.debug(ctx, "supvisors XML-RPC call", fields)
	return v, nil
}

// post sends body and returns the answer body of a 200 OK.
func (c *Client) post(ctx context.Context, method string, body []byte) ([]byte, int, error) {
	rctx, cancel := context.WithTimeoutCause(ctx, c.cfg.RequestTimeout, errRequestTimeout)
	if _, ok := ctx.Deadline(); ok && isBlocking(ctx) { // a blocking command of a release without jobs (wait_nojobs.go)
		cancel()
		rctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, c.ep.reqURL, bytes.NewReader(body))
	if err != nil {
		return nil, 0, &TransportError{Endpoint: c.ep.display, Method: method, Attempts: 1, Err: errors.New("cannot build the request")}
	}
	req.Host = c.ep.host
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("User-Agent", "terraform-provider-supvisors")
	if c.cfg.Username != "" || c.cfg.Password != "" {
		req.SetBasicAuth(c.cfg.Username, c.cfg.Password)
	}
	c.sh.requests.Add(1)
	resp, err := c.httpc.Do(req)
	if err != nil {
		return nil, 0, c.transportError(ctx, rctx, method, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, resp.StatusCode, &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status, Endpoint: c.ep.display, Method: method}
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, resp.StatusCode, c.transportError(ctx, rctx, method, err)
	}
	if len(raw) > maxResponseBytes {
		return nil, resp.StatusCode, &CallError{Method: method, Endpoint: c.ep.display,
			Err: &DecodeError{Method: method, Err: fmt.Errorf("answer larger than %d bytes", maxResponseBytes)}}
	}
	return raw, resp.StatusCode, nil
}

var errRequestTimeout = errors.New("request timeout")

// transportError builds a *TransportError from a net/http failure, without the
// request URL that *url.Error would print, and names a request timeout.
func (c *Client) transportError(ctx, rctx context.Context, method string, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	switch {
	case ctx.Err() != nil:
		// The caller's context ended: report its error (Canceled/DeadlineExceeded).
		err = ctx.Err()
	case context.Cause(rctx) == errRequestTimeout:
		err = &timeoutError{d: c.cfg.RequestTimeout}
	}
	return &TransportError{Endpoint: c.ep.display, Method: method, Attempts: 1, Err: err}
}

// timeoutError is the cause of a TransportError when one HTTP exchange
// exceeded Config.RequestTimeout. It matches context.DeadlineExceeded.
type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string {
	return "no answer within the request timeout of " + e.d.String()
}
func (e *timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }
func (e *timeoutError) Timeout() bool        { return true }

// encodeCall encodes a methodCall. kolo/xmlrpc writes an empty, invalid
// <param> for a nil argument and does not escape the method name, so both are
// checked here.
func encodeCall(method string, args []any) ([]byte, error) {
	for i := 0; i < len(method); i++ {
		ch := method[i]
		if !(ch == '.' || ch == '_' || ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z') {
			return nil, fmt.Errorf("invalid XML-RPC method name %q", method)
		}
	}
	for i, a := range args {
		if a == nil {
			return nil, fmt.Errorf("argument %d of %s is nil (XML-RPC has no nil without extensions)", i+1, method)
		}
	}
	b, err := xmlrpc.EncodeMethodCall(method, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot encode the arguments of %s: %w", method, err)
	}
	return b, nil
}

var faultTag = []byte("<fault>")

// decodeResponse decodes a methodResponse into generic values: structs become
// map[string]any, arrays []any, int/i4/i8 int64, double float64, boolean bool,
// string/base64 string (an empty string may come back as nil). A fault is
// returned as a *Fault error.
func decodeResponse(raw []byte) (v any, err error) {
	defer func() {
		// kolo/xmlrpc may panic on some malformed input (reflection misuse):
		// never let a server answer crash the caller.
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("malformed XML-RPC answer: %v", r)
		}
	}()
	resp := xmlrpc.Response(raw)
	if bytes.Contains(raw, faultTag) {
		if ferr := resp.Err(); ferr != nil {
			var fe xmlrpc.FaultError
			if errors.As(ferr, &fe) {
				return nil, &Fault{Code: FaultCode(fe.Code), String: fe.String}
			}
			return nil, fmt.Errorf("malformed XML-RPC fault: %w", ferr)
		}
	}
	if !bytes.Contains(raw, []byte("<methodResponse")) {
		return nil, errors.New("not an XML-RPC methodResponse")
	}
	if err := resp.Unmarshal(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("malformed XML-RPC answer: no value")
		}
		return nil, fmt.Errorf("malformed XML-RPC answer: %w", err)
	}
	return v, nil
}

// faultFromValue recognises the {faultCode, faultString} struct that
// system.multicall returns for a failed call.
func faultFromValue(v any) (*Fault, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 2 {
		return nil, false
	}
	code, ok := m["faultCode"]
	if !ok {
		return nil, false
	}
	str, ok := m["faultString"]
	if !ok {
		return nil, false
	}
	n, ok := toInt64(code)
	if !ok {
		return nil, false
	}
	s, _ := str.(string)
	return &Fault{Code: FaultCode(n), String: s}, true
}
