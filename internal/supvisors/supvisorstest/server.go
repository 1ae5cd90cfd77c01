// Package supvisorstest is an in-process XML-RPC server for the tests of the
// client (internal/supvisors), of the reconcile layer and of the provider's
// decision logic. Server speaks real XML-RPC (methodCall in, methodResponse
// with params or a fault out) with its own encoder, so that the client's
// decoding is tested against another implementation than kolo/xmlrpc. Cluster
// plays a scripted Supvisors cluster on top of it: applications and processes
// whose states move over time, faults, instances down.
//
// It never stands in for Supvisors in an acceptance test: those run against
// real clusters started by internal/testlab.
package supvisorstest

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// Fault codes of Supervisor and Supvisors that the fake answers (the values
// of supvisors.FaultCode, repeated here so that the client's own tests can
// use this package).
const (
	FaultUnknownMethod       = 1
	FaultIncorrectParameters = 2
	FaultBadName             = 10
	FaultFailed              = 30
	FaultAbnormalTermination = 40
	FaultAlreadyStarted      = 60
	FaultNotRunning          = 70
	FaultNotManaged          = 102
)

// Fault is an XML-RPC fault a handler returns.
type Fault struct {
	Code   int
	String string
}

func (f *Fault) Error() string { return f.String }

// Handler answers one call: a value, or an error (a *Fault becomes an XML-RPC
// fault; anything else an HTTP 500, or a FAILED fault inside a multicall).
type Handler func(args []any) (any, error)

// Value makes a handler answering v.
func Value(v any) Handler { return func([]any) (any, error) { return v, nil } }

// FaultHandler makes a handler answering a fault.
func FaultHandler(code int, s string) Handler {
	return func([]any) (any, error) { return nil, &Fault{Code: code, String: s} }
}

// Server is the fake XML-RPC endpoint (path /RPC2). Set User and Pass before
// the first request to require basic auth.
type Server struct {
	// HTTP is the underlying test server (its Config can be tuned).
	HTTP *httptest.Server
	User string
	Pass string

	requests atomic.Int64
	mu       sync.Mutex
	handlers map[string]Handler
	calls    []string // every method called, multicall members included
	hosts    []string // Host header of every request
	paths    []string // URL path of every request
	before   func(w http.ResponseWriter, r *http.Request) bool
}

// New starts a server over TCP on loopback; it is closed when t ends.
func New(t testing.TB) *Server {
	s := newServer()
	s.HTTP = httptest.NewServer(s)
	t.Cleanup(s.HTTP.Close)
	return s
}

// NewUnix starts a server over a unix socket; it returns the socket path.
func NewUnix(t testing.TB) (*Server, string) {
	s := newServer()
	path := filepath.Join(t.TempDir(), "supervisor.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatalf("listen unix: %v", err)
	}
	s.HTTP = httptest.NewUnstartedServer(s)
	s.HTTP.Listener = l
	s.HTTP.Start()
	t.Cleanup(s.HTTP.Close)
	return s, path
}

func newServer() *Server {
	s := &Server{handlers: map[string]Handler{}}
	s.handlers["system.multicall"] = s.multicall
	return s
}

// URL is the server's base URL.
func (s *Server) URL() string { return s.HTTP.URL }

// Handle sets the handler of method.
func (s *Server) Handle(method string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[method] = h
}

// SetBefore sets a hook run first for every HTTP request; returning true
// means it answered already.
func (s *Server) SetBefore(before func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before = before
}

// Requests is the number of HTTP requests served.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Calls lists every method called, multicall members included.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Count is the number of calls of method.
func (s *Server) Count(method string) int {
	n := 0
	for _, c := range s.Calls() {
		if c == method {
			n++
		}
	}
	return n
}

// Hosts lists the Host header of every request.
func (s *Server) Hosts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.hosts)
}

// Paths lists the URL path of every request.
func (s *Server) Paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.paths)
}

// ServeHTTP answers one XML-RPC request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.mu.Lock()
	s.hosts = append(s.hosts, r.Host)
	s.paths = append(s.paths, r.URL.Path)
	before := s.before
	s.mu.Unlock()
	if before != nil && before(w, r) {
		return
	}
	if s.User != "" || s.Pass != "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != s.User || p != s.Pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="default"`)
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
	}
	if r.Method != http.MethodPost || r.URL.Path != "/RPC2" {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	method, args, err := parseMethodCall(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	v, err := s.dispatch(method, args)
	var fa *Fault
	switch {
	case errors.As(err, &fa):
		writeXML(w, FaultResponse(fa.Code, fa.String))
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	default:
		writeXML(w, ValueResponse(v))
	}
}

func writeXML(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write(body)
}

func (s *Server) dispatch(method string, args []any) (any, error) {
	s.mu.Lock()
	s.calls = append(s.calls, method)
	h, ok := s.handlers[method]
	s.mu.Unlock()
	if !ok {
		return nil, &Fault{Code: FaultUnknownMethod, String: "UNKNOWN_METHOD"}
	}
	return h(args)
}

// multicall behaves like Supervisor's: raw values, faults as structs.
func (s *Server) multicall(args []any) (any, error) {
	if len(args) != 1 {
		return nil, &Fault{Code: FaultIncorrectParameters, String: "INCORRECT_PARAMETERS"}
	}
	calls, _ := args[0].([]any)
	out := make([]any, 0, len(calls))
	for _, c := range calls {
		m, _ := c.(map[string]any)
		name, _ := m["methodName"].(string)
		params, _ := m["params"].([]any)
		v, err := s.dispatch(name, params)
		var fa *Fault
		switch {
		case errors.As(err, &fa):
			out = append(out, map[string]any{"faultCode": fa.Code, "faultString": fa.String})
		case err != nil:
			out = append(out, map[string]any{"faultCode": FaultFailed, "faultString": "FAILED: " + err.Error()})
		default:
			out = append(out, v)
		}
	}
	return out, nil
}
