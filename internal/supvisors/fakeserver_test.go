package supvisors

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeServer is an in-process XML-RPC server speaking real XML-RPC
// (methodCall in, methodResponse with params or fault out), written
// independently of kolo/xmlrpc so that the client's decoding is tested against
// another encoder.
type fakeServer struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	handlers map[string]handlerFunc
	calls    []string // every method called, multicall members included
	hosts    []string // Host header of every request
	paths    []string // URL path of every request

	requests atomic.Int64
	user     string // when set, basic auth is required
	pass     string
	// before runs first for every HTTP request; returning true means it
	// answered already.
	before func(w http.ResponseWriter, r *http.Request) bool
}

// handlerFunc answers one call: a value, or an error (a *Fault becomes an
// XML-RPC fault; anything else an HTTP 500).
type handlerFunc func(args []any) (any, error)

func newFakeServer(t testing.TB) *fakeServer {
	f := &fakeServer{t: t, handlers: map[string]handlerFunc{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	f.handle("system.multicall", f.multicall)
	f.playRelease("0.19.1")
	return f
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
		case mGetMasterAddress, mGetAllAddressesInfo, mGetAddressInfo:
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

// newUnixFakeServer serves over a unix socket; it returns the socket path.
func newUnixFakeServer(t testing.TB) (*fakeServer, string) {
	f := &fakeServer{t: t, handlers: map[string]handlerFunc{}}
	path := filepath.Join(t.TempDir(), "supervisor.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatalf("listen unix: %v", err)
	}
	f.srv = httptest.NewUnstartedServer(f)
	f.srv.Listener = l
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	f.handle("system.multicall", f.multicall)
	f.playRelease("0.19.1")
	return f, path
}

func (f *fakeServer) URL() string { return f.srv.URL }

func (f *fakeServer) handle(method string, h handlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[method] = h
}

// value makes a handler answering v.
func value(v any) handlerFunc { return func([]any) (any, error) { return v, nil } }

// fault makes a handler answering a fault.
func fault(code FaultCode, s string) handlerFunc {
	return func([]any) (any, error) { return nil, &Fault{Code: code, String: s} }
}

func (f *fakeServer) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeServer) countCalls(method string) int {
	n := 0
	for _, c := range f.called() {
		if c == method {
			n++
		}
	}
	return n
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	f.mu.Lock()
	f.hosts = append(f.hosts, r.Host)
	f.paths = append(f.paths, r.URL.Path)
	before := f.before
	f.mu.Unlock()
	if before != nil && before(w, r) {
		return
	}
	if f.user != "" || f.pass != "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != f.user || p != f.pass {
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
	v, err := f.dispatch(method, args)
	var fa *Fault
	switch {
	case errors.As(err, &fa):
		writeXML(w, faultResponse(fa.Code, fa.String))
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	default:
		writeXML(w, valueResponse(v))
	}
}

func writeXML(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write(body)
}

func (f *fakeServer) dispatch(method string, args []any) (any, error) {
	f.mu.Lock()
	f.calls = append(f.calls, method)
	h, ok := f.handlers[method]
	f.mu.Unlock()
	if !ok {
		return nil, &Fault{Code: FaultUnknownMethod, String: "UNKNOWN_METHOD"}
	}
	return h(args)
}

// multicall behaves like Supervisor's: raw values, faults as structs.
func (f *fakeServer) multicall(args []any) (any, error) {
	if len(args) != 1 {
		return nil, &Fault{Code: FaultIncorrectParameters, String: "INCORRECT_PARAMETERS"}
	}
	calls, _ := args[0].([]any)
	out := make([]any, 0, len(calls))
	for _, c := range calls {
		m, _ := c.(map[string]any)
		name, _ := m["methodName"].(string)
		params, _ := m["params"].([]any)
		v, err := f.dispatch(name, params)
		var fa *Fault
		switch {
		case errors.As(err, &fa):
			out = append(out, map[string]any{"faultCode": int(fa.Code), "faultString": fa.String})
		case err != nil:
			out = append(out, map[string]any{"faultCode": int(FaultFailed), "faultString": "FAILED: " + err.Error()})
		default:
			out = append(out, v)
		}
	}
	return out, nil
}

// ---- XML-RPC encoding / decoding for the fake server ----

func valueResponse(v any) []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n")
	encodeValue(&b, v)
	b.WriteString("</param>\n</params>\n</methodResponse>\n")
	return b.Bytes()
}

func faultResponse(code FaultCode, s string) []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version='1.0'?>\n<methodResponse>\n<fault>\n")
	encodeValue(&b, map[string]any{"faultCode": int(code), "faultString": s})
	b.WriteString("</fault>\n</methodResponse>\n")
	return b.Bytes()
}

func encodeValue(b *bytes.Buffer, v any) {
	if ms, ok := v.(map[string]string); ok {
		m := make(map[string]any, len(ms))
		for k, e := range ms {
			m[k] = e
		}
		v = m
	}
	b.WriteString("<value>")
	switch x := v.(type) {
	case nil:
		b.WriteString("<nil/>")
	case string:
		b.WriteString("<string>")
		_ = xml.EscapeText(b, []byte(x))
		b.WriteString("</string>")
	case int:
		fmt.Fprintf(b, "<int>%d</int>", x)
	case int64:
		fmt.Fprintf(b, "<int>%d</int>", x)
	case float64:
		fmt.Fprintf(b, "<double>%s</double>", strconv.FormatFloat(x, 'f', -1, 64))
	case bool:
		if x {
			b.WriteString("<boolean>1</boolean>")
		} else {
			b.WriteString("<boolean>0</boolean>")
		}
	case []string:
		b.WriteString("<array><data>\n")
		for _, e := range x {
			encodeValue(b, e)
		}
		b.WriteString("</data></array>")
	case []any:
		b.WriteString("<array><data>\n")
		for _, e := range x {
			encodeValue(b, e)
		}
		b.WriteString("</data></array>")
	case map[string]any:
		b.WriteString("<struct>\n")
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			b.WriteString("<member>\n<name>")
			_ = xml.EscapeText(b, []byte(k))
			b.WriteString("</name>\n")
			encodeValue(b, x[k])
			b.WriteString("</member>\n")
		}
		b.WriteString("</struct>")
	default:
		panic(fmt.Sprintf("fake server cannot encode %T", v))
	}
	b.WriteString("</value>\n")
}

// parseMethodCall decodes a methodCall into its name and generic arguments.
func parseMethodCall(body []byte) (string, []any, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var method string
	var args []any
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "methodName":
			var s string
			if err := dec.DecodeElement(&s, &se); err != nil {
				return "", nil, err
			}
			method = strings.TrimSpace(s)
		case "value":
			v, err := parseValue(dec)
			if err != nil {
				return "", nil, err
			}
			args = append(args, v)
		}
	}
	if method == "" {
		return "", nil, errors.New("no methodName")
	}
	return method, args, nil
}

// parseValue parses the content of a <value> whose start tag was consumed,
// through its end tag.
func parseValue(dec *xml.Decoder) (any, error) {
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text.Write(t)
		case xml.EndElement: // </value> without a type: string
			return text.String(), nil
		case xml.StartElement:
			v, err := parseTyped(dec, t)
			if err != nil {
				return nil, err
			}
			if err := skipTo(dec, "value"); err != nil {
				return nil, err
			}
			return v, nil
		}
	}
}

func skipTo(dec *xml.Decoder, end string) error {
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if e, ok := tok.(xml.EndElement); ok && e.Name.Local == end {
			return nil
		}
	}
}

func parseTyped(dec *xml.Decoder, se xml.StartElement) (any, error) {
	switch se.Name.Local {
	case "array":
		out := []any{}
		for {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				if t.Name.Local == "value" {
					v, err := parseValue(dec)
					if err != nil {
						return nil, err
					}
					out = append(out, v)
				}
			case xml.EndElement:
				if t.Name.Local == "array" {
					return out, nil
				}
			}
		}
	case "struct":
		out := map[string]any{}
		var name string
		for {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				switch t.Name.Local {
				case "name":
					if err := dec.DecodeElement(&name, &t); err != nil {
						return nil, err
					}
				case "value":
					v, err := parseValue(dec)
					if err != nil {
						return nil, err
					}
					out[name] = v
				}
			case xml.EndElement:
				if t.Name.Local == "struct" {
					return out, nil
				}
			}
		}
	}
	var s string
	if err := dec.DecodeElement(&s, &se); err != nil {
		return nil, err
	}
	switch se.Name.Local {
	case "int", "i4", "i8":
		return strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	case "double":
		return strconv.ParseFloat(strings.TrimSpace(s), 64)
	case "boolean":
		return strings.TrimSpace(s) == "1", nil
	case "string":
		return s, nil
	case "base64":
		return base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	case "nil":
		return nil, nil
	}
	return nil, fmt.Errorf("unsupported XML-RPC type %q", se.Name.Local)
}

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
