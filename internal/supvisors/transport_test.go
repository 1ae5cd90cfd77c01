package supvisors

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewValidates(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"empty", Config{}, "URL is empty"},
		{"scheme", Config{URL: "ftp://host:21"}, "unsupported URL scheme"},
		{"no host", Config{URL: "http:///RPC2"}, "has no host"},
		{"unix no path", Config{URL: "unix://"}, "no path"},
		{"unparsable", Config{URL: "http://user:pw@host:port:bad/x"}, "cannot be parsed"},
		{"ca with http", Config{URL: "http://h:1", CAFile: ca}, "only used with an https URL"},
		{"ca missing", Config{URL: "https://h:1", CAFile: filepath.Join(t.TempDir(), "nope.pem")}, "cannot read the CA file"},
		{"ca not pem", Config{URL: "https://h:1", CAFile: ca}, "holds no PEM certificate"},
		{"negative timeout", Config{URL: "http://h:1", RequestTimeout: -1}, "must not be negative"},
		{"bad instance URL", Config{URL: "http://h:1", InstanceURLs: map[string]string{"node2": "gopher://x"}}, "node2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New(%s) error = %v, want it to contain %q", tc.name, err, tc.want)
			}
		})
	}
}

func TestNewDefaultsAndEndpoint(t *testing.T) {
	c, err := New(Config{URL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.RequestTimeout() != DefaultRequestTimeout || c.ReadyTimeout() != DefaultReadyTimeout || c.cfg.SnapshotMaxAge != DefaultSnapshotMaxAge {
		t.Fatalf("defaults not applied: %+v", c.cfg)
	}
	if c.Requests() != 0 {
		t.Fatalf("New touched the network")
	}
	for in, want := range map[string][2]string{
		"http://127.0.0.1:9001":           {"http://127.0.0.1:9001", "http://127.0.0.1:9001/RPC2"},
		"http://127.0.0.1:9001/":          {"http://127.0.0.1:9001/", "http://127.0.0.1:9001/RPC2"},
		"https://u:pw@example.org/xmlrpc": {"https://example.org/xmlrpc", "https://example.org/xmlrpc"},
		"unix:///tmp/supervisor.sock":     {"unix:///tmp/supervisor.sock", "http://" + unixHost + "/RPC2"},
	} {
		ep, err := parseEndpoint(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if ep.display != want[0] || ep.reqURL != want[1] {
			t.Errorf("%s: display %q reqURL %q, want %q %q", in, ep.display, ep.reqURL, want[0], want[1])
		}
	}
	c, err = New(Config{URL: "http://u:pw@127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.Username != "u" || c.cfg.Password != "pw" || strings.Contains(c.Endpoint(), "pw") {
		t.Fatalf("credentials from the URL: user %q endpoint %q", c.cfg.Username, c.Endpoint())
	}
}

func TestCallDecodesGenericValues(t *testing.T) {
	f := newFakeServer(t)
	f.handle("x.values", value(map[string]any{
		"s": "text", "empty": "", "i": 42, "d": 1.5, "b": true,
		"list": []any{"a", 1, 2.5, false}, "nested": map[string]any{"k": "v"},
	}))
	c := newTestClient(t, f.URL())
	preDetect(c, "0.19.1") // the detection is not what this test is about
	v, err := c.Call(context.Background(), "x.values", "arg", 7, 2.5, true, []any{"x"}, map[string]any{"k": 1})
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if m["s"] != "text" || m["i"] != int64(42) || m["d"] != 1.5 || m["b"] != true {
		t.Fatalf("scalars: %#v", m)
	}
	if m["empty"] != nil && m["empty"] != "" {
		t.Fatalf("empty string decoded as %#v", m["empty"])
	}
	if l := m["list"].([]any); len(l) != 4 || l[1] != int64(1) {
		t.Fatalf("list: %#v", l)
	}
	if m["nested"].(map[string]any)["k"] != "v" {
		t.Fatalf("nested: %#v", m["nested"])
	}
	if c.Requests() != 1 || f.Requests() != 1 {
		t.Fatalf("requests: client %d server %d", c.Requests(), f.Requests())
	}
	if _, err := c.Call(context.Background(), "x.values", nil); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Fatalf("a nil argument must be refused before sending: %v", err)
	}
	if _, err := c.Call(context.Background(), "bad<name>"); err == nil {
		t.Fatal("an invalid method name must be refused")
	}
	if c.Requests() != 1 {
		t.Fatalf("refused calls must not be sent")
	}
}

func TestFaultDecodingEveryCode(t *testing.T) {
	f := newFakeServer(t)
	c := newTestClient(t, f.URL(), func(c *Config) { c.ReadyTimeout = 200 * time.Millisecond })
	for _, code := range FaultCodes() {
		msg := code.String() + ": something about " + code.String()
		f.handle("supvisors.stop_application", fault(code, msg))
		err := c.StopApplication(context.Background(), "web", false)
		if code == FaultBadSupvisorsState {
			// retried, then a NotReadyError (see the retry tests)
			var nr *NotReadyError
			if !errors.As(err, &nr) {
				t.Fatalf("101: %T %v", err, err)
			}
		}
		var fa *Fault
		if !errors.As(err, &fa) || fa.Code != code || fa.String != msg {
			t.Fatalf("code %d: errors.As gave %#v from %v", code, fa, err)
		}
		if !IsFault(err, code) || !errors.Is(err, &Fault{Code: code}) {
			t.Fatalf("code %d: IsFault/errors.Is failed", code)
		}
		if errors.Is(err, &Fault{Code: code + 1000}) || IsFault(err, code+1000) {
			t.Fatalf("code %d matches another code", code)
		}
		if fa.Error() != msg || fa.Message() != "something about "+code.String() {
			t.Fatalf("Error()=%q Message()=%q", fa.Error(), fa.Message())
		}
		if code == FaultBadSupvisorsState {
			continue
		}
		var ce *CallError
		if !errors.As(err, &ce) || ce.Method != "supvisors.stop_application" || ce.Endpoint != f.URL() {
			t.Fatalf("CallError: %#v", ce)
		}
		if !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), "supvisors.stop_application") {
			t.Fatalf("message %q", err.Error())
		}
	}
	if FaultCode(999).String() != "FAULT_999" || FaultBadName.String() != "BAD_NAME" || FaultNotInstalled.String() != "NOT_INSTALLED" {
		t.Fatal("FaultCode.String")
	}
	if len(FaultCodes()) != 24 {
		t.Fatalf("%d codes named, want 18 Supervisor + 6 Supvisors", len(FaultCodes()))
	}
	if (&Fault{Code: FaultBadName}).Error() != "BAD_NAME" || (&Fault{Code: FaultBadName, String: "x"}).Error() != "BAD_NAME: x" {
		t.Fatal("Fault.Error without prefix")
	}
}

func TestHTTPErrors(t *testing.T) {
	cases := []struct {
		status int
		target error
	}{
		{http.StatusUnauthorized, ErrUnauthorized},
		{http.StatusNotFound, ErrNoEndpoint},
		{http.StatusInternalServerError, ErrServerFault},
	}
	for _, tc := range cases {
		f := newFakeServer(t)
		f.SetBefore(func(w http.ResponseWriter, r *http.Request) bool {
			http.Error(w, "boom", tc.status)
			return true
		})
		c := newTestClient(t, f.URL())
		_, err := c.GetAPIVersion(context.Background())
		var he *HTTPError
		if !errors.As(err, &he) || he.StatusCode != tc.status || he.Endpoint != f.URL() || he.Method != supvisorsGetAPIVersion {
			t.Fatalf("%d: %#v", tc.status, err)
		}
		if !errors.Is(err, tc.target) {
			t.Fatalf("%d: errors.Is(%v) false", tc.status, tc.target)
		}
		for _, other := range []error{ErrUnauthorized, ErrNoEndpoint, ErrServerFault} {
			if other != tc.target && errors.Is(err, other) {
				t.Fatalf("%d matches %v", tc.status, other)
			}
		}
		if f.Requests() != 1 {
			t.Fatalf("%d retried: %d requests", tc.status, f.Requests())
		}
	}
	// A real 404: wrong path.
	f := newFakeServer(t)
	c := newTestClient(t, f.URL()+"/nope")
	if _, err := c.GetAPIVersion(context.Background()); !errors.Is(err, ErrNoEndpoint) {
		t.Fatalf("wrong path: %v", err)
	}
	// 503 from a proxy is retried for reads.
	f = newFakeServer(t)
	f.handle(supvisorsGetAPIVersion, value("0.19"))
	f.SetBefore(func(w http.ResponseWriter, r *http.Request) bool {
		if f.Requests() < 3 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	c = newTestClient(t, f.URL())
	if v, err := c.GetAPIVersion(context.Background()); err != nil || v != "0.19" {
		t.Fatalf("503 then OK: %v %v", v, err)
	}
}

func TestBasicAuth(t *testing.T) {
	f := newFakeServer(t)
	f.User, f.Pass = "lab", "s3cret"
	f.handle(supvisorsGetAPIVersion, value("0.19"))
	good := newTestClient(t, f.URL(), func(c *Config) { c.Username, c.Password = "lab", "s3cret" })
	if v, err := good.GetAPIVersion(context.Background()); err != nil || v != "0.19" {
		t.Fatalf("good credentials: %v %v", v, err)
	}
	bad := newTestClient(t, f.URL(), func(c *Config) { c.Username, c.Password = "lab", "wrong" })
	if _, err := bad.GetAPIVersion(context.Background()); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("wrong password: %v", err)
	}
	none := newTestClient(t, f.URL())
	if _, err := none.GetAPIVersion(context.Background()); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("no credentials: %v", err)
	}
	inURL := newTestClient(t, strings.Replace(f.URL(), "http://", "http://lab:s3cret@", 1))
	if _, err := inURL.GetAPIVersion(context.Background()); err != nil {
		t.Fatalf("credentials in the URL: %v", err)
	}
}

func TestUnixSocket(t *testing.T) {
	f, path := newUnixFakeServer(t)
	f.handle(supvisorsGetAPIVersion, value("0.19"))
	c := newTestClient(t, "unix://"+path)
	if c.Endpoint() != "unix://"+path {
		t.Fatalf("Endpoint %q", c.Endpoint())
	}
	for range 3 {
		if v, err := c.GetAPIVersion(context.Background()); err != nil || v != "0.19" {
			t.Fatalf("over the socket: %v %v", v, err)
		}
	}
	if hosts, paths := f.Hosts(), f.Paths(); hosts[0] != "localhost" || paths[0] != "/RPC2" {
		t.Fatalf("Host %q path %q", hosts[0], paths[0])
	}
	// A missing socket is a transport error.
	c2 := newTestClient(t, "unix://"+path+".missing", func(c *Config) { c.ReadyTimeout = -1 })
	var te *TransportError
	if _, err := c2.GetAPIVersion(context.Background()); !errors.As(err, &te) {
		t.Fatalf("missing socket: %v", err)
	}
}

// closedPort returns an address where nothing listens.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func TestTransportFailureClosedPort(t *testing.T) {
	addr := closedPort(t)
	c := newTestClient(t, "http://"+addr, func(c *Config) { c.ReadyTimeout = 700 * time.Millisecond })
	start := time.Now()
	_, err := c.GetSupvisorsState(context.Background())
	var te *TransportError
	if !errors.As(err, &te) {
		t.Fatalf("closed port: %T %v", err, err)
	}
	if te.Endpoint != "http://"+addr || te.Method != supvisorsGetSupvisorsState {
		t.Fatalf("TransportError fields: %#v", te)
	}
	if te.Attempts < 3 || c.Requests() != int64(te.Attempts) {
		t.Fatalf("read not retried: attempts %d requests %d", te.Attempts, c.Requests())
	}
	if d := time.Since(start); d < 600*time.Millisecond || d > 3*time.Second {
		t.Fatalf("retries lasted %s, want about the ReadyTimeout", d)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Fatalf("cause not kept: %v", err)
	}
	if strings.Contains(err.Error(), "Post \"") {
		t.Fatalf("the url.Error wrapper leaked into %q", err.Error())
	}
}

func TestMutatingCallNotRetriedOnTransportError(t *testing.T) {
	f := newFakeServer(t)
	f.SetBefore(func(w http.ResponseWriter, r *http.Request) bool {
		// Drop the connection without an answer: the call may have run.
		hj, ok := w.(http.Hijacker)
		if !ok {
			t.Error("no hijacker")
			return true
		}
		conn, _, _ := hj.Hijack()
		_ = conn.Close()
		return true
	})
	c := newTestClient(t, f.URL())
	preDetect(c, "0.19.1") // the detection is not what this test is about
	err := c.StartApplication(context.Background(), StrategyConfig, "web", false)
	var te *TransportError
	if !errors.As(err, &te) || te.Attempts != 1 {
		t.Fatalf("start_application: %v", err)
	}
	if f.Requests() != 1 {
		t.Fatalf("mutating call retried: %d requests", f.Requests())
	}
	// The same failure on a read is retried.
	c2 := newTestClient(t, f.URL(), func(c *Config) { c.ReadyTimeout = 400 * time.Millisecond })
	if _, err := c2.GetApplicationInfo(context.Background(), "web"); !errors.As(err, &te) || te.Attempts < 2 {
		t.Fatalf("read: %v", err)
	}
}

func TestRequestTimeout(t *testing.T) {
	f := newFakeServer(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f.SetBefore(func(w http.ResponseWriter, r *http.Request) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	})
	c := newTestClient(t, f.URL(), func(c *Config) { c.RequestTimeout = 150 * time.Millisecond; c.ReadyTimeout = -1 })
	start := time.Now()
	_, err := c.GetAPIVersion(context.Background())
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("request timeout not applied: %s", d)
	}
	var te *TransportError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timeout: %T %v", err, err)
	}
	if !strings.Contains(err.Error(), "request timeout of 150ms") {
		t.Fatalf("message %q", err.Error())
	}
}

func TestContextCancellationDuringSlowAnswer(t *testing.T) {
	f := newFakeServer(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	started := make(chan struct{}, 10)
	f.SetBefore(func(w http.ResponseWriter, r *http.Request) bool {
		started <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	})
	c := newTestClient(t, f.URL(), func(c *Config) { c.RequestTimeout = time.Minute; c.ReadyTimeout = time.Minute })
	preDetect(c, "0.19.1") // the detection is not what this test is about
	for _, tc := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"read", func(ctx context.Context) error { _, err := c.GetSupvisorsState(ctx); return err }},
		{"mutating wait=true", func(ctx context.Context) error { return c.StopApplication(ctx, "slow", true) }},
		{"snapshot", func(ctx context.Context) error { _, err := c.Snapshot(ctx); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			go func() { <-started; time.Sleep(50 * time.Millisecond); cancel() }()
			start := time.Now()
			err := tc.call(ctx)
			if d := time.Since(start); d > time.Second {
				t.Fatalf("returned %s after the cancellation", d)
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v does not match context.Canceled", err)
			}
		})
	}
	// A context deadline shorter than the request timeout applies too.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetAPIVersion(ctx)
	if d := time.Since(start); d > time.Second || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ctx deadline: %s %v", d, err)
	}
}

func TestConnectionReuse(t *testing.T) {
	f := newFakeServer(t)
	f.handle(supvisorsGetAPIVersion, value("0.19"))
	conns := 0
	f.HTTP.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns++
		}
	}
	c := newTestClient(t, f.URL())
	for range 10 {
		if _, err := c.GetAPIVersion(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if conns != 1 {
		t.Fatalf("%d connections for 10 sequential calls", conns)
	}
}

func TestMalformedAnswers(t *testing.T) {
	for name, body := range map[string]string{
		"not xml":       "hello",
		"html":          "<html><body>proxy error</body></html>",
		"no value":      "<?xml version='1.0'?><methodResponse><params></params></methodResponse>",
		"bad int":       "<?xml version='1.0'?><methodResponse><params><param><value><int>x</int></value></param></params></methodResponse>",
		"truncated":     "<?xml version='1.0'?><methodResponse><params><param><value><struct><member><name>a</name>",
		"unknown type":  "<?xml version='1.0'?><methodResponse><params><param><value><nil/></value></param></params></methodResponse>",
		"bad fault":     "<?xml version='1.0'?><methodResponse><fault><value><int>x</int></value></fault></methodResponse>",
		"struct no val": "<?xml version='1.0'?><methodResponse><params><param><value><struct><member><name>a</name></member></struct></value></param></params></methodResponse>",
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeServer(t)
			f.SetBefore(func(w http.ResponseWriter, r *http.Request) bool {
				_, _ = w.Write([]byte(body))
				return true
			})
			c := newTestClient(t, f.URL())
			_, err := c.GetSupvisorsState(context.Background())
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%T %v", err, err)
			}
			if f.Requests() != 1 {
				t.Fatalf("a decode error was retried")
			}
		})
	}
	// Wrong shapes are decode errors too.
	f := newFakeServer(t)
	f.handle(supvisorsGetSupvisorsState, value("a string"))
	f.handle(supvisorsGetAllProcessInfo, value(map[string]any{}))
	f.handle(supvisorsGetAllApplicationsInfo, value([]any{"x"}))
	c := newTestClient(t, f.URL())
	var de *DecodeError
	if _, err := c.GetSupvisorsState(context.Background()); !errors.As(err, &de) {
		t.Fatalf("string for struct: %v", err)
	}
	if _, err := c.GetAllProcessInfo(context.Background()); !errors.As(err, &de) {
		t.Fatalf("struct for array: %v", err)
	}
	if _, err := c.GetAllApplicationsInfo(context.Background()); !errors.As(err, &de) {
		t.Fatalf("array of strings: %v", err)
	}
}
