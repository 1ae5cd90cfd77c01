package supvisors

import (
	"errors"
	"testing"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// fakeServer is the client tests' view of supvisorstest.Server: handlers
// may answer a *Fault of this package, and the server detects as a release.
type fakeServer struct {
	*supvisorstest.Server
}

// handlerFunc answers one call: a value, or an error (a *Fault becomes an
// XML-RPC fault; anything else an HTTP 500).
type handlerFunc func(args []any) (any, error)

func newFakeServer(t testing.TB) *fakeServer {
	f := &fakeServer{Server: supvisorstest.New(t)}
	f.playRelease("0.19.1")
	return f
}

// newUnixFakeServer serves over a unix socket; it returns the socket path.
func newUnixFakeServer(t testing.TB) (*fakeServer, string) {
	s, path := supvisorstest.NewUnix(t)
	f := &fakeServer{Server: s}
	f.playRelease("0.19.1")
	return f, path
}

// playRelease makes the fake detect as a Supvisors release: system.listMethods
// lists the wrapped methods of its era, get_api_version answers version.
func (f *fakeServer) playRelease(version string) {
	methods := releaseMethods(version)
	f.handle("system.listMethods", func([]any) (any, error) {
		out := make([]any, len(methods))
		for i, m := range methods {
			out[i] = m
		}
		return out, nil
	})
	f.handle("supvisors.get_api_version", value(version))
}

// releaseMethods lists the wrapped methods a release has (methodSince, the
// address names up to 0.11).
func releaseMethods(version string) []string {
	era := eraOf(version)
	var out []string
	for _, m := range WrappedMethods() {
		switch m {
		case supvisorsGetMasterAddress, supvisorsGetAllAddressesInfo, supvisorsGetAddressInfo:
			if era > EraAlias {
				continue
			}
		default:
			if since, ok := methodSince[m]; ok && versionLess(version, since) {
				continue
			}
		}
		out = append(out, m)
	}
	return out
}

func versionLess(a, b string) bool {
	_, am, ap, _ := parseVersion(a)
	_, bm, bp, _ := parseVersion(b)
	return am < bm || (am == bm && ap < bp)
}

// handle sets the handler of method; a *Fault it returns becomes the
// server's fault.
func (f *fakeServer) handle(method string, h handlerFunc) {
	f.Handle(method, func(args []any) (any, error) {
		v, err := h(args)
		var fa *Fault
		if errors.As(err, &fa) {
			return nil, &supvisorstest.Fault{Code: int(fa.Code), String: fa.String}
		}
		return v, err
	})
}

// value makes a handler answering v.
func value(v any) handlerFunc { return func([]any) (any, error) { return v, nil } }

// fault makes a handler answering a fault.
func fault(code FaultCode, s string) handlerFunc {
	return func([]any) (any, error) { return nil, &Fault{Code: code, String: s} }
}

func (f *fakeServer) called() []string { return f.Calls() }

func (f *fakeServer) countCalls(method string) int { return f.Count(method) }

// ---- captured payloads (API.md §7, Supvisors 0.19) ----

func capturedState(state SupvisorsStateName) map[string]any {
	return map[string]any{
		"identifier": "127.0.0.1:61001", "nick_identifier": "node1", "now_monotonic": 408.134344591,
		"fsm_statecode": 4, "fsm_statename": string(state), "degraded_mode": false, "discovery_mode": false,
		"master_identifier": "127.0.0.1:61001", "starting_jobs": []any{}, "stopping_jobs": []any{},
		"instance_states": map[string]any{"127.0.0.1:61001": "RUNNING", "127.0.0.1:61002": "RUNNING", "127.0.0.1:61003": "RUNNING"},
	}
}

func capturedApp(name string, state ApplicationState, managed bool) map[string]any {
	codes := map[ApplicationState]int{ApplicationStopped: 0, ApplicationStarting: 1, ApplicationRunning: 2, ApplicationStopping: 3}
	return map[string]any{
		"application_name": name, "managed": managed, "now_monotonic": 415.101112489,
		"statecode": codes[state], "statename": string(state), "major_failure": false, "minor_failure": false,
	}
}

func capturedProcess(app, proc string, state ProcessState, ids ...string) map[string]any {
	idv := make([]any, len(ids))
	for i, id := range ids {
		idv[i] = id
	}
	return map[string]any{
		"application_name": app, "process_name": proc, "now_monotonic": 415.104227476, "statecode": 20,
		"statename": string(state), "expected_exit": true, "last_event_mtime": 393.612294552,
		"identifiers": idv, "extra_args": "",
	}
}

// newTestClient returns a client of f with short retry budgets.
func newTestClient(t testing.TB, url string, mods ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{URL: url, ReadyTimeout: 2 * time.Second, RequestTimeout: 5 * time.Second}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// preDetect gives c the detection result of a release without asking the
// server (for tests of a server that misbehaves on every request).
func preDetect(c *Client, version string) {
	api := &APIInfo{Version: version, Methods: releaseMethods(version), Era: eraOf(version)}
	c.detectMu.Lock()
	c.api = api
	c.detectMu.Unlock()
	c.sh.api.Store(api)
}

// valueResponse is the methodResponse document answering v.
func valueResponse(v any) []byte { return supvisorstest.ValueResponse(v) }

// faultResponse is the methodResponse document of a fault.
func faultResponse(code FaultCode, s string) []byte { return supvisorstest.FaultResponse(int(code), s) }
