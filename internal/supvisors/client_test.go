package supvisors

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const syncFault = "BAD_SUPVISORS_STATE: invalid Supvisors state=SYNCHRONIZATION - state expected in " +
	"['DISTRIBUTION', 'OPERATION', 'CONCILIATION', 'RESTARTING', 'SHUTTING_DOWN']"

// failThen answers a fault n times, then v.
func failThen(n int, fa *Fault, v any) handlerFunc {
	var count atomic.Int64
	return func([]any) (any, error) {
		if count.Add(1) <= int64(n) {
			return nil, fa
		}
		return v, nil
	}
}

func TestMulticallWithAFaultInside(t *testing.T) {
	f := newFakeServer(t)
	f.handle(supvisorsGetAPIVersion, value("0.19"))
	f.handle(supvisorsGetApplicationInfo, func(args []any) (any, error) {
		if args[0] == "nope" {
			return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: application=nope unknown to Supvisors"}
		}
		return capturedApp(args[0].(string), ApplicationRunning, true), nil
	})
	f.handle(supervisorGetState, value(map[string]any{"statecode": 1, "statename": "RUNNING"}))
	c := newTestClient(t, f.URL())
	res, err := c.System().Multicall(context.Background(), []MulticallCall{
		{Method: supvisorsGetAPIVersion},
		{Method: supvisorsGetApplicationInfo, Params: []any{"web"}},
		{Method: supvisorsGetApplicationInfo, Params: []any{"nope"}},
		{Method: supervisorGetState},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 || res[0].Value != "0.19" || res[0].Err != nil {
		t.Fatalf("results %#v", res)
	}
	if m, ok := res[1].Value.(map[string]any); !ok || m["application_name"] != "web" {
		t.Fatalf("result 1 %#v", res[1])
	}
	fa, ok := res[2].Err.(*Fault)
	if !ok || fa.Code != FaultBadName || res[2].Value != nil {
		t.Fatalf("result 2 %#v", res[2])
	}
	if res[3].Err != nil {
		t.Fatalf("result 3 %#v", res[3])
	}
	if f.Requests() != 1 {
		t.Fatalf("%d requests", f.Requests())
	}
	// The server-side order is kept.
	// (the first multicall carries the detection)
	if got := f.called(); !slices.Equal(got, []string{systemMulticall, systemListMethods, supvisorsGetAPIVersion, supvisorsGetAPIVersion,
		supvisorsGetApplicationInfo, supvisorsGetApplicationInfo, supervisorGetState}) {
		t.Fatalf("calls %v", got)
	}
}

func TestRetryBadStateOnReadUntilOK(t *testing.T) {
	f := newFakeServer(t)
	f.handle(supvisorsGetApplicationInfo, failThen(3, &Fault{Code: FaultBadSupvisorsState, String: syncFault}, capturedApp("web", ApplicationRunning, true)))
	c := newTestClient(t, f.URL())
	info, err := c.GetApplicationInfo(context.Background(), "web")
	if err != nil || info.Statename != ApplicationRunning {
		t.Fatalf("%+v %v", info, err)
	}
	if f.Requests() != 5 { // the detection, then 4 attempts
		t.Fatalf("%d requests, want 5", f.Requests())
	}
}

func TestRetryBadStateUntilDeadline(t *testing.T) {
	f := newFakeServer(t)
	f.handle(supvisorsGetApplicationInfo, fault(FaultBadSupvisorsState, syncFault))
	c := newTestClient(t, f.URL(), func(c *Config) { c.ReadyTimeout = 600 * time.Millisecond })
	start := time.Now()
	_, err := c.GetApplicationInfo(context.Background(), "web")
	if d := time.Since(start); d < 500*time.Millisecond || d > 2*time.Second {
		t.Fatalf("waited %s", d)
	}
	var nr *NotReadyError
	if !errors.As(err, &nr) {
		t.Fatalf("%T %v", err, err)
	}
	if nr.State != StateSynchronization || nr.Method != supvisorsGetApplicationInfo || len(nr.Accepted) != 5 || nr.Accepted[1] != "OPERATION" {
		t.Fatalf("%#v", nr)
	}
	if !IsFault(err, FaultBadSupvisorsState) {
		t.Fatal("NotReadyError does not unwrap to the fault")
	}
	if msg := err.Error(); !strings.Contains(msg, "SYNCHRONIZATION") || !strings.Contains(msg, "ready_timeout") {
		t.Fatalf("message %q", msg)
	}
	if f.Requests() < 3 {
		t.Fatalf("only %d attempts", f.Requests())
	}

	// A context deadline shorter than ReadyTimeout wins, and the error says
	// both what was seen and that the context ended.
	f.handle(supvisorsStartApplication, fault(FaultBadSupvisorsState,
		"BAD_SUPVISORS_STATE: invalid Supvisors state=CONCILIATION - state expected in ['OPERATION']"))
	c2 := newTestClient(t, f.URL(), func(c *Config) { c.ReadyTimeout = time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	start = time.Now()
	err = c2.StartApplication(ctx, StrategyConfig, "web", false)
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Fatalf("ctx deadline ignored: %s", d)
	}
	if !errors.As(err, &nr) || nr.State != StateConciliation {
		t.Fatalf("mutating 101: %v", err)
	}
	if !strings.Contains(err.Error(), "supvisors_conflicts") {
		t.Fatalf("CONCILIATION hint missing: %q", err.Error())
	}

	// A fault that does not name the state: the client asks for it.
	f.handle(supvisorsRestartSequence, fault(FaultBadSupvisorsState, "BAD_SUPVISORS_STATE: jobs in progress"))
	f.handle(supvisorsGetSupvisorsState, value(capturedState(StateOperation)))
	c3 := newTestClient(t, f.URL(), func(c *Config) { c.ReadyTimeout = -1 })
	if err := c3.RestartSequence(context.Background(), false); !errors.As(err, &nr) || nr.State != StateOperation {
		t.Fatalf("state lookup: %v", err)
	}
}

func TestMutatingCallRetriedOnBadState(t *testing.T) {
	f := newFakeServer(t)
	f.handle(supvisorsStopApplication, failThen(2, &Fault{Code: FaultBadSupvisorsState, String: syncFault}, true))
	c := newTestClient(t, f.URL())
	if err := c.StopApplication(context.Background(), "web", false); err != nil {
		t.Fatal(err)
	}
	if f.countCalls(supvisorsStopApplication) != 3 {
		t.Fatalf("%d calls", f.countCalls(supvisorsStopApplication))
	}
	// Other faults are returned at once.
	f.handle(supvisorsStartApplication, fault(FaultAlreadyStarted, "ALREADY_STARTED: web"))
	if err := c.StartApplication(context.Background(), StrategyConfig, "web", false); !IsFault(err, FaultAlreadyStarted) {
		t.Fatal(err)
	}
	if f.countCalls(supvisorsStartApplication) != 1 {
		t.Fatal("ALREADY_STARTED retried")
	}
}

func TestParseStateFault(t *testing.T) {
	st, acc := parseStateFault("BAD_SUPVISORS_STATE: invalid Supvisors state=ELECTION - state expected in ['OPERATION', 'CONCILIATION']")
	if st != StateElection || !slices.Equal(acc, []string{"OPERATION", "CONCILIATION"}) {
		t.Fatalf("%q %v", st, acc)
	}
	if st, acc := parseStateFault("BAD_SUPVISORS_STATE"); st != "" || acc != nil {
		t.Fatalf("%q %v", st, acc)
	}
}

func snapshotServer(t *testing.T, delay time.Duration) *fakeServer {
	f := newFakeServer(t)
	f.handle(supvisorsGetSupvisorsState, func([]any) (any, error) {
		time.Sleep(delay)
		return capturedState(StateOperation), nil
	})
	f.handle(supvisorsGetAllApplicationsInfo, value([]any{
		capturedApp("web", ApplicationRunning, true), capturedApp("tools", ApplicationStopped, false),
		capturedApp("batch", ApplicationStopped, true),
	}))
	f.handle(supvisorsGetAllProcessInfo, value([]any{
		capturedProcess("web", "web_server", ProcessRunning, "127.0.0.1:61001"),
		capturedProcess("web", "web_cache", ProcessRunning, "127.0.0.1:61001"),
		capturedProcess("tools", "tool", ProcessStopped),
		capturedProcess("batch", "batch_init", ProcessStopped),
		capturedProcess("batch", "batch_job", ProcessStopped),
	}))
	f.handle(supvisorsStartApplication, value(true))
	return f
}

func TestSnapshotSingleflightAndInvalidation(t *testing.T) {
	f := snapshotServer(t, 200*time.Millisecond)
	c := newTestClient(t, f.URL(), func(c *Config) { c.SnapshotMaxAge = time.Minute })
	const n = 50
	var wg sync.WaitGroup
	snaps := make([]*Snapshot, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); snaps[i], errs[i] = c.Snapshot(context.Background()) }()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || snaps[i] != snaps[0] {
			t.Fatalf("reader %d: %v", i, errs[i])
		}
	}
	if c.Requests() != 1 || f.Requests() != 1 {
		t.Fatalf("%d concurrent Snapshot() cost %d requests, want 1", n, c.Requests())
	}
	s := snaps[0]
	if s.State.FSMStatename != StateOperation || len(s.Applications) != 3 || len(s.Processes) != 5 {
		t.Fatalf("snapshot %+v", s)
	}
	if got := s.ApplicationNames(); !slices.Equal(got, []string{"batch", "tools", "web"}) {
		t.Fatalf("names %v", got)
	}
	if got := s.ManagedApplicationNames(); !slices.Equal(got, []string{"batch", "web"}) {
		t.Fatalf("managed %v", got)
	}
	if a, ok := s.Application("web"); !ok || a.Statename != ApplicationRunning {
		t.Fatalf("web %+v", a)
	}
	if _, ok := s.Application("nope"); ok {
		t.Fatal("nope found")
	}
	if len(s.ProcessesOf("web")) != 2 || len(s.Match("web:*")) != 2 || len(s.Match("web:")) != 2 ||
		len(s.Match("web:web_cache")) != 1 || len(s.Match("web:nope")) != 0 || len(s.Match("tool")) != 0 {
		t.Fatal("ProcessesOf/Match")
	}
	if p := s.Match("batch:batch_job"); len(p) != 1 || p[0].Namespec() != "batch:batch_job" {
		t.Fatalf("Match %v", p)
	}
	// Cached while fresh.
	if s2, _ := c.Snapshot(context.Background()); s2 != s || c.Requests() != 1 {
		t.Fatal("fresh snapshot refetched")
	}
	// A mutating call drops it.
	if err := c.StartApplication(context.Background(), StrategyConfig, "batch", false); err != nil {
		t.Fatal(err)
	}
	if s3, _ := c.Snapshot(context.Background()); s3 == s || c.Requests() != 3 {
		t.Fatalf("snapshot not dropped after a mutating call (%d requests)", c.Requests())
	}
	// So does InvalidateSnapshot, and a mutating call made on a derived client.
	c.InvalidateSnapshot()
	_, _ = c.Snapshot(context.Background())
	if c.Requests() != 4 {
		t.Fatalf("InvalidateSnapshot: %d requests", c.Requests())
	}
	ic, err := c.derive(f.URL(), "other")
	if err != nil {
		t.Fatal(err)
	}
	if err := ic.StartApplication(context.Background(), StrategyConfig, "batch", false); err != nil {
		t.Fatal(err)
	}
	_, _ = c.Snapshot(context.Background())
	if c.Requests() != 6 {
		t.Fatalf("mutating call on a derived client: %d requests", c.Requests())
	}
}

func TestSnapshotMaxAgeAndRetry(t *testing.T) {
	f := snapshotServer(t, 0)
	f.handle(supvisorsGetAllApplicationsInfo, failThen(2, &Fault{Code: FaultBadSupvisorsState, String: syncFault},
		[]any{capturedApp("web", ApplicationRunning, true)}))
	c := newTestClient(t, f.URL(), func(c *Config) { c.SnapshotMaxAge = 100 * time.Millisecond })
	s, err := c.Snapshot(context.Background())
	if err != nil || len(s.Applications) != 1 {
		t.Fatalf("%v %v", s, err)
	}
	if c.Requests() != 3 {
		t.Fatalf("BAD_SUPVISORS_STATE inside the multicall not retried: %d requests", c.Requests())
	}
	time.Sleep(150 * time.Millisecond)
	if s2, _ := c.Snapshot(context.Background()); s2 == s || c.Requests() != 4 {
		t.Fatal("old snapshot served")
	}
	// Another fault inside is an error naming the method.
	f2 := snapshotServer(t, 0)
	f2.handle(supvisorsGetAllProcessInfo, fault(FaultFailed, "FAILED: boom"))
	c2 := newTestClient(t, f2.URL())
	if _, err := c2.Snapshot(context.Background()); !IsFault(err, FaultFailed) || !strings.Contains(err.Error(), supvisorsGetAllProcessInfo) {
		t.Fatalf("%v", err)
	}
}

// Reads that keep coming share one snapshot of a quiet cluster for longer than SnapshotMaxAge (the refresh of a
// large plan takes longer than the age); a snapshot taken while jobs are in progress lasts SnapshotMaxAge only.
func TestSnapshotSharedWhileReadsKeepComing(t *testing.T) {
	f := snapshotServer(t, 0)
	f.handle(supvisorsGetAllApplicationsInfo, value([]any{capturedApp("web", ApplicationRunning, true)}))
	c := newTestClient(t, f.URL(), func(c *Config) { c.SnapshotMaxAge = 100 * time.Millisecond })
	first, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for range 8 { // 400ms of reads, 50ms apart
		time.Sleep(50 * time.Millisecond)
		if s, err := c.Snapshot(context.Background()); err != nil || s != first {
			t.Fatalf("a read %s after the first got another snapshot (%v)", first.Age(), err)
		}
	}
	if c.Requests() != 1 {
		t.Fatalf("%d requests for reads that kept coming", c.Requests())
	}
	// Jobs in progress: the snapshot expires SnapshotMaxAge after its fetch, reads or not.
	busy := snapshotServer(t, 0)
	busy.handle(supvisorsGetSupvisorsState, func([]any) (any, error) {
		st := capturedState(StateOperation)
		st["starting_jobs"] = []any{"127.0.0.1:61001"}
		return st, nil
	})
	c2 := newTestClient(t, busy.URL(), func(c *Config) { c.SnapshotMaxAge = 100 * time.Millisecond })
	s1, err := c2.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		time.Sleep(50 * time.Millisecond)
		if _, err := c2.Snapshot(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if s, _ := c2.Snapshot(context.Background()); s == s1 || c2.Requests() < 2 {
		t.Fatalf("a snapshot taken while jobs were in progress was served %s after its fetch", s1.Age())
	}
}

func plainSupervisord(t *testing.T) *fakeServer {
	f := newFakeServer(t)
	f.handle(systemListMethods, value([]any{"supervisor.getState", "system.listMethods", "system.multicall"}))
	f.handle(supervisorGetState, value(map[string]any{"statecode": 1, "statename": "RUNNING"}))
	f.handle(supervisorGetSupervisorVer, value("4.3.0"))
	return f
}

func TestDetect(t *testing.T) {
	f := newFakeServer(t)
	f.handle(systemListMethods, value([]any{"supvisors.get_api_version", "system.listMethods", "supervisor.getState"}))
	f.handle(supvisorsGetAPIVersion, value("0.19"))
	c := newTestClient(t, f.URL())
	info, err := c.Detect(context.Background())
	if err != nil || info.Version != "0.19" || !info.Has("supervisor.getState") || info.Has("nope") {
		t.Fatalf("%+v %v", info, err)
	}
	if !slices.IsSorted(info.Methods) {
		t.Fatal("methods not sorted")
	}
	if _, err := c.Detect(context.Background()); err != nil || c.Requests() != 1 {
		t.Fatalf("Detect not done once: %d requests", c.Requests())
	}
	if f.countCalls(systemMulticall) != 1 {
		t.Fatal("Detect must be one multicall")
	}

	p := plainSupervisord(t)
	pc := newTestClient(t, p.URL())
	pinfo, err := pc.Detect(context.Background())
	if err != nil || !pinfo.Plain || pinfo.SupervisorVersion != "4.3.0" || pinfo.Version != "" {
		t.Fatalf("plain supervisord: %+v %v", pinfo, err)
	}
	// Cached: no second request.
	before := pc.Requests()
	_, _ = pc.Detect(context.Background())
	if pc.Requests() != before {
		t.Fatal("a plain detection must be kept")
	}
	// A supvisors.* call on a plain supervisord explains itself.
	if _, err := pc.GetSupvisorsState(context.Background()); !errors.Is(err, ErrNotSupvisors) ||
		!strings.Contains(err.Error(), "is plain Supervisor 4.3.0: supvisors.get_supvisors_state needs Supvisors") {
		t.Fatalf("typed call: %v", err)
	}
	if _, err := pc.Snapshot(context.Background()); !errors.Is(err, ErrNotSupvisors) {
		t.Fatalf("snapshot: %v", err)
	}
	// A transport failure is not ErrNotSupvisors.
	dc := newTestClient(t, "http://"+closedPort(t), func(c *Config) { c.ReadyTimeout = -1 })
	var te *TransportError
	if _, err := dc.Detect(context.Background()); !errors.As(err, &te) || errors.Is(err, ErrNotSupvisors) {
		t.Fatalf("down: %v", err)
	}
	// A method this Supvisors version does not list is refused before any
	// request, saying from which release it is.
	before = c.Requests()
	if _, err := c.GetCoreIdentifiers(context.Background()); !errors.Is(err, ErrUnsupported) ||
		!strings.Contains(err.Error(), "not supported by Supvisors 0.19 at") || !strings.Contains(err.Error(), "from Supvisors 0.19.1") ||
		c.Requests() != before {
		t.Fatalf("version: %v (%d requests)", err, c.Requests()-before)
	}
}

// TestInstanceHTTPOfHTTPSClient: an http instance URL (instance_urls) of a client whose main URL is https with
// a CA file does not inherit the TLS settings (which an http URL refuses).
func TestInstanceHTTPOfHTTPSClient(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	node2 := newFakeServer(t)
	node2.handle(supvisorsUpdateNumprocs, value(true))
	c, err := New(Config{URL: srv.URL, CAFile: ca, Insecure: true, InstanceURLs: map[string]string{"node2": node2.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	ic, err := c.Instance(context.Background(), "node2")
	if err != nil {
		t.Fatalf("http instance of an https client: %v", err)
	}
	if err := ic.UpdateNumprocs(context.Background(), "worker", 4, false, false); err != nil {
		t.Fatal(err)
	}
}

func TestInstance(t *testing.T) {
	node2 := newFakeServer(t)
	node2.handle(supvisorsUpdateNumprocs, value(true))
	node1 := newFakeServer(t)
	host, port, _ := strings.Cut(strings.TrimPrefix(node2.URL(), "http://"), ":")
	var p2 int
	fmt.Sscan(port, &p2)
	node1.handle(supvisorsGetAllInstancesInfo, value([]any{
		map[string]any{"identifier": "127.0.0.1:61001", "nick_identifier": "node1", "node_name": "127.0.0.1", "port": 61001, "statename": "RUNNING"},
		map[string]any{"identifier": host + ":" + port, "nick_identifier": "node2", "node_name": host, "port": p2, "statename": "RUNNING"},
		map[string]any{"identifier": "10.0.0.3:61003", "nick_identifier": "node3", "node_name": "10.0.0.3", "port": 61003, "statename": "RUNNING"},
	}))
	c := newTestClient(t, node1.URL(), func(c *Config) {
		c.Username, c.Password = "lab", "pw"
		c.InstanceURLs = map[string]string{"node3": node2.URL()}
	})
	ic, err := c.Instance(context.Background(), "node2")
	if err != nil {
		t.Fatal(err)
	}
	if ic.Endpoint() != node2.URL() || ic.cfg.Username != "lab" || ic.cfg.Password != "pw" {
		t.Fatalf("derived client %s %+v", ic.Endpoint(), ic.cfg)
	}
	if err := ic.UpdateNumprocs(context.Background(), "worker", 4, false, false); err != nil {
		t.Fatal(err)
	}
	if node2.countCalls(supvisorsUpdateNumprocs) != 1 || node1.countCalls(supvisorsUpdateNumprocs) != 0 {
		t.Fatal("local-only call sent to the wrong instance")
	}
	// Cached under the identifier and the nick.
	ic2, _ := c.Instance(context.Background(), host+":"+port)
	ic3, _ := c.Instance(context.Background(), "node2")
	if ic2 != ic || ic3 != ic || node1.countCalls(supvisorsGetAllInstancesInfo) != 1 {
		t.Fatal("instance clients not cached")
	}
	// Requests are counted on the parent (the detection, shared with the
	// derived clients, included).
	if c.Requests() != 3 {
		t.Fatalf("parent counter %d", c.Requests())
	}
	// Override by nick, without any lookup.
	o, err := c.Instance(context.Background(), "node3")
	if err != nil || o.Endpoint() != node2.URL() || node1.countCalls(supvisorsGetAllInstancesInfo) != 1 {
		t.Fatalf("override: %v", err)
	}
	// Override found through the identifier of node3.
	o2, err := c.Instance(context.Background(), "10.0.0.3:61003")
	if err != nil || o2.Endpoint() != node2.URL() {
		t.Fatalf("override by lookup: %v %v", o2, err)
	}
	// Unknown.
	if _, err := c.Instance(context.Background(), "node9"); !errors.Is(err, ErrUnknownInstance) || !strings.Contains(err.Error(), "node2") {
		t.Fatalf("unknown: %v", err)
	}
	infos, err := c.Instances(context.Background())
	if err != nil || len(infos) != 3 || infos[1].NickIdentifier != "node2" || infos[1].Statename != InstanceRunning {
		t.Fatalf("Instances: %v %v", infos, err)
	}
	// A unix client derives http URLs.
	u, err := New(Config{URL: "unix:///tmp/x.sock", InstanceURLs: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	u.cfg.URL = node1.URL() // look the instances up through node1
	u.ep, _ = parseEndpoint(node1.URL())
	u.ep.scheme = "unix"
	d, err := u.Instance(context.Background(), "node3")
	if err != nil || d.Endpoint() != "http://10.0.0.3:61003" {
		t.Fatalf("unix parent: %v %v", d, err)
	}
}

// waitServer simulates an application going through states, one per poll.
type waitServer struct {
	*fakeServer
	mu     sync.Mutex
	states []ApplicationState
	procs  [][]map[string]any
	jobs   []bool
	polls  int
}

func newWaitServer(t *testing.T) *waitServer {
	w := &waitServer{fakeServer: newFakeServer(t)}
	w.handle(supvisorsGetSupvisorsState, func([]any) (any, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		st := capturedState(StateOperation)
		if i := min(w.polls, len(w.jobs)-1); i >= 0 && w.jobs[i] {
			st["starting_jobs"] = []any{"127.0.0.1:61001"}
		}
		return st, nil
	})
	w.handle(supvisorsGetApplicationInfo, func(args []any) (any, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		i := min(w.polls, len(w.states)-1)
		return capturedApp(args[0].(string), w.states[i], true), nil
	})
	w.handle(supvisorsGetProcessInfo, func(args []any) (any, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		i := min(w.polls, len(w.procs)-1)
		w.polls++
		out := make([]any, len(w.procs[i]))
		for k, p := range w.procs[i] {
			out[k] = p
		}
		return out, nil
	})
	return w
}

func TestWaitApplication(t *testing.T) {
	t.Run("success", func(t *testing.T) {
		w := newWaitServer(t)
		run := []map[string]any{capturedProcess("web", "web_server", ProcessRunning, "127.0.0.1:61001")}
		start := []map[string]any{capturedProcess("web", "web_server", ProcessStarting, "127.0.0.1:61001")}
		stop := []map[string]any{capturedProcess("web", "web_server", ProcessStopped)}
		// wait=false semantics: still STOPPED with jobs queued, then STARTING, then RUNNING.
		w.states = []ApplicationState{ApplicationStopped, ApplicationStarting, ApplicationStarting, ApplicationRunning}
		w.procs = [][]map[string]any{stop, start, start, run}
		w.jobs = []bool{true, true, true, false}
		c := newTestClient(t, w.URL())
		begin := time.Now()
		info, procs, err := c.WaitApplication(context.Background(), "web", ApplicationRunning)
		if err != nil || info.Statename != ApplicationRunning || len(procs) != 1 || procs[0].Statename != ProcessRunning {
			t.Fatalf("%+v %+v %v", info, procs, err)
		}
		if w.polls != 4 {
			t.Fatalf("%d polls", w.polls)
		}
		// 3 x 100 ms of sleeps
		if d := time.Since(begin); d < 300*time.Millisecond || d > 2*time.Second {
			t.Fatalf("poll intervals: %s", d)
		}
	})
	t.Run("settle failure", func(t *testing.T) {
		w := newWaitServer(t)
		failed := []map[string]any{
			capturedProcess("faulty", "crasher", ProcessFatal),
			capturedProcess("faulty", "missing_bin", ProcessFatal),
		}
		w.states = []ApplicationState{ApplicationStarting, ApplicationStopped}
		w.procs = [][]map[string]any{failed, failed}
		w.jobs = []bool{true, false}
		w.handle(supvisorsGetInnerProcessInfo, func(args []any) (any, error) {
			id, ns := args[0].(string), args[1].(string)
			info := map[string]any{"name": strings.TrimPrefix(ns, "faulty:"), "group": "faulty", "statename": "FATAL", "identifier": id}
			switch {
			case ns == "faulty:missing_bin" && id == "127.0.0.1:61002":
				info["spawnerr"] = "can't find command '/nonexistent/lab/binary'"
			case ns == "faulty:crasher" && id == "127.0.0.1:61001":
				info["description"] = "Exited too quickly (process log may have details)"
			default:
				info["description"] = "Not started"
			}
			return []any{info}, nil
		})
		c := newTestClient(t, w.URL())
		info, _, err := c.WaitApplication(context.Background(), "faulty", ApplicationRunning)
		var se *SettleError
		if !errors.As(err, &se) {
			t.Fatalf("%T %v", err, err)
		}
		if info.Statename != ApplicationStopped || se.Got != "STOPPED" || se.Want != "RUNNING" || se.Subject != "application faulty" || len(se.Processes) != 2 {
			t.Fatalf("%#v", se)
		}
		if se.Processes[1].Spawnerr != "can't find command '/nonexistent/lab/binary'" || se.Processes[0].Statename != ProcessFatal {
			t.Fatalf("%#v", se.Processes)
		}
		msg := err.Error()
		for _, want := range []string{"faulty:crasher is FATAL", "Exited too quickly", "faulty:missing_bin is FATAL", "spawn error: can't find command"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message %q lacks %q", msg, want)
			}
		}
		// One request per poll plus one multicall for the spawn errors.
		if w.Requests() != 3 || w.countCalls(supvisorsGetInnerProcessInfo) != 6 {
			t.Fatalf("%d requests, %d inner calls", w.Requests(), w.countCalls(supvisorsGetInnerProcessInfo))
		}
	})
	t.Run("deadline", func(t *testing.T) {
		w := newWaitServer(t)
		w.states = []ApplicationState{ApplicationStarting}
		w.procs = [][]map[string]any{{capturedProcess("slow", "slow", ProcessStarting, "127.0.0.1:61001")}}
		w.jobs = []bool{true}
		c := newTestClient(t, w.URL())
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		begin := time.Now()
		_, _, err := c.WaitApplication(ctx, "slow", ApplicationRunning)
		if d := time.Since(begin); d > 1200*time.Millisecond {
			t.Fatalf("deadline ignored: %s", d)
		}
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "STARTING") || !strings.Contains(err.Error(), "slow STARTING") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("unknown application", func(t *testing.T) {
		w := newWaitServer(t)
		w.handle(supvisorsGetApplicationInfo, fault(FaultBadName, "BAD_NAME: application=nope unknown to Supvisors"))
		w.states = []ApplicationState{ApplicationStopped}
		w.procs = [][]map[string]any{{}}
		c := newTestClient(t, w.URL())
		if _, _, err := c.WaitApplication(context.Background(), "nope", ApplicationRunning); !IsFault(err, FaultBadName) {
			t.Fatalf("%v", err)
		}
	})
}

func TestWaitProcesses(t *testing.T) {
	w := newWaitServer(t)
	w.states = []ApplicationState{ApplicationRunning}
	w.procs = [][]map[string]any{
		{capturedProcess("batch", "batch_init", ProcessStarting), capturedProcess("batch", "batch_job", ProcessStopped)},
		{capturedProcess("batch", "batch_init", ProcessExited), capturedProcess("batch", "batch_job", ProcessRunning)},
	}
	w.jobs = []bool{true, false}
	c := newTestClient(t, w.URL())
	procs, err := c.WaitProcesses(context.Background(), "batch:*", true)
	if err != nil || len(procs) != 2 {
		t.Fatalf("EXITED with an expected exit counts as started: %v", err)
	}
	w.mu.Lock()
	w.polls = 0
	w.mu.Unlock()
	_, err = c.WaitProcesses(context.Background(), "batch:*", false)
	var se *SettleError
	if !errors.As(err, &se) || se.Got != "RUNNING" || len(se.Processes) != 1 || se.Processes[0].Namespec != "batch:batch_job" {
		t.Fatalf("%v", err)
	}
}

func TestWaitReady(t *testing.T) {
	f := newFakeServer(t)
	var n atomic.Int64
	f.handle(supvisorsGetSupvisorsState, func([]any) (any, error) {
		switch n.Add(1) {
		case 1:
			return nil, errors.New("crash") // HTTP 500: tolerated
		case 2:
			return capturedState(StateElection), nil
		}
		return capturedState(StateOperation), nil
	})
	c := newTestClient(t, f.URL())
	st, err := c.WaitReady(context.Background())
	if err != nil || st.FSMStatename != StateOperation {
		t.Fatalf("%v %v", st, err)
	}
	f.handle(supvisorsGetSupvisorsState, value(capturedState(StateConciliation)))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	st, err = c.WaitReady(ctx, StateOperation, StateDistribution)
	var nr *NotReadyError
	if !errors.As(err, &nr) || nr.State != StateConciliation || !errors.Is(err, context.DeadlineExceeded) || st.FSMStatename != StateConciliation {
		t.Fatalf("%v", err)
	}
	if !strings.Contains(err.Error(), "OPERATION, DISTRIBUTION") {
		t.Fatalf("%q", err.Error())
	}
	f.User = "x"
	if _, err := c.WaitReady(context.Background()); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("401 must end the wait: %v", err)
	}
}

// recordingLogger keeps every log record.
type recordingLogger struct {
	mu      sync.Mutex
	records []string
}

func (l *recordingLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, fmt.Sprintf("%s %v", msg, fields))
}

func TestPasswordNeverLeaks(t *testing.T) {
	const pw = "Pa55-w0rd-THAT-must-not-leak"
	f := newFakeServer(t)
	f.User, f.Pass = "lab", "other-password"
	log := &recordingLogger{}
	var errs []error
	mod := func(c *Config) {
		c.Username, c.Password, c.Logger, c.ReadyTimeout = "lab", pw, log, 300*time.Millisecond
	}

	// 401 with the password set, in the config and in the URL.
	c := newTestClient(t, f.URL(), mod)
	_, err := c.GetSupvisorsState(context.Background())
	errs = append(errs, err)
	cu := newTestClient(t, strings.Replace(f.URL(), "http://", "http://lab:"+pw+"@", 1), func(c *Config) { c.Logger = log })
	_, err = cu.GetSupvisorsState(context.Background())
	errs = append(errs, err)
	if strings.Contains(cu.Endpoint(), pw) {
		t.Fatal("Endpoint() holds the password")
	}
	// Transport error (closed port), read retried then mutating.
	addr := closedPort(t)
	ct := newTestClient(t, "http://lab:"+pw+"@"+addr, mod)
	_, err = ct.GetSupvisorsState(context.Background())
	errs = append(errs, err)
	errs = append(errs, ct.StartApplication(context.Background(), StrategyConfig, "web", true))
	// Detect, snapshot, waits.
	_, err = ct.Detect(context.Background())
	errs = append(errs, err)
	_, err = ct.Snapshot(context.Background())
	errs = append(errs, err)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, err = ct.WaitReady(ctx)
	cancel()
	errs = append(errs, err)
	// Timeout.
	slow := newFakeServer(t)
	slow.SetBefore(func(w http.ResponseWriter, r *http.Request) bool { time.Sleep(300 * time.Millisecond); return true })
	cs := newTestClient(t, "http://lab:"+pw+"@"+strings.TrimPrefix(slow.URL(), "http://"), func(c *Config) {
		c.RequestTimeout, c.ReadyTimeout, c.Logger = 50*time.Millisecond, -1, log
	})
	_, err = cs.GetAPIVersion(context.Background())
	errs = append(errs, err)
	// Invalid URLs with a password.
	for _, u := range []string{"http://lab:" + pw + "@host:badport/", "ftp://lab:" + pw + "@host/", "http://lab:" + pw + "@/x"} {
		_, err := New(Config{URL: u})
		errs = append(errs, err)
	}
	_, err = New(Config{URL: "http://h:1", Password: pw, InstanceURLs: map[string]string{"n": "gopher://u:" + pw + "@x"}})
	errs = append(errs, err)

	for i, err := range errs {
		if err == nil {
			t.Fatalf("case %d: no error", i)
		}
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(s, pw) {
				t.Fatalf("case %d: the password leaked into %q", i, s)
			}
		}
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.records) < 5 {
		t.Fatalf("only %d log records", len(log.records))
	}
	for _, r := range log.records {
		if strings.Contains(r, pw) {
			t.Fatalf("the password leaked into a log record: %q", r)
		}
	}
}

// TestEveryWrappedMethodHasATypedMethod calls every exported method of
// *Client, *SupervisorClient and *SystemClient with zero arguments against the
// fake server, and checks that the set of XML-RPC methods they call is exactly
// WrappedMethods(): the table cannot drift from the typed methods.
func TestEveryWrappedMethodHasATypedMethod(t *testing.T) {
	f := newFakeServer(t)
	for _, m := range WrappedMethods() {
		if m != systemMulticall {
			f.handle(m, value(true))
		}
	}
	// An endpoint listing every wrapped method (the address-era ones too).
	all := make([]any, 0, len(WrappedMethods()))
	for _, m := range WrappedMethods() {
		all = append(all, m)
	}
	f.handle(systemListMethods, value(all))
	f.handle(supvisorsGetAPIVersion, value("0.11"))
	c := newTestClient(t, f.URL(), func(c *Config) { c.ReadyTimeout = -1 })
	if _, err := c.Detect(context.Background()); err != nil {
		t.Fatal(err)
	}
	skip := map[string]bool{ // not single RPC wrappers
		"Call": true, "Detect": true, "Snapshot": true, "WaitApplication": true, "WaitProcesses": true,
		"WaitReady": true, "Instance": true, "Instances": true, "CheckStartingStrategy": true,
		// plain.go: views and multicalls of a plain supervisord
		"IsPlain": true, "RequireSupvisors": true, "PlainSnapshot": true, "PlainRead": true, "PlainStart": true,
		"PlainStop": true, "PlainWait": true,
	}
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	covered := map[string]bool{}
	for _, recv := range []any{c, c.Supervisor(), c.System()} {
		rv := reflect.ValueOf(recv)
		rt := rv.Type()
		for i := range rt.NumMethod() {
			m := rt.Method(i)
			if skip[m.Name] || m.Type.NumIn() < 2 || m.Type.In(1) != ctxType {
				continue
			}
			args := []reflect.Value{reflect.ValueOf(context.Background())}
			for k := 2; k < m.Type.NumIn(); k++ {
				if m.Type.In(k) == reflect.TypeOf(StrategyConfig) && m.Name != "ResolveStrategy" { // "" is refused before sending
					args = append(args, reflect.ValueOf(StrategyConfig))
					continue
				}
				args = append(args, reflect.Zero(m.Type.In(k)))
			}
			if m.Name == "Multicall" {
				args[1] = reflect.ValueOf([]MulticallCall{{Method: supervisorGetState}})
			}
			before := len(f.called())
			rv.Method(i).Call(args)
			after := f.called()
			if len(after) == before {
				t.Errorf("%s.%s made no call", rt, m.Name)
				continue
			}
			first := after[before]
			if first == systemMulticall && m.Name != "Multicall" && len(after) > before+1 {
				first = after[before+1] // a command sent in a request of the shared poll
			}
			covered[first] = true
		}
	}
	for _, m := range WrappedMethods() {
		if !covered[m] {
			t.Errorf("%s is in the method table but no typed method calls it", m)
		}
	}
	for m := range covered {
		if !slices.Contains(WrappedMethods(), m) {
			t.Errorf("%s is called by a typed method but missing from the table", m)
		}
	}
	// Supvisors 0.19 lists 85 methods (44 supvisors, 37 supervisor, 4 system);
	// 0.19.1 adds supvisors.get_core_identifiers; 0.10 / 0.11 have the three
	// address methods.
	count := map[string]int{}
	for _, m := range WrappedMethods() {
		ns, _, _ := strings.Cut(m, ".")
		count[ns]++
	}
	if count["supvisors"] != 48 || count["supervisor"] != 37 || count["system"] != 4 {
		t.Fatalf("wrapped %v", count)
	}
}

func TestIsReadOnlyMethod(t *testing.T) {
	for m, want := range map[string]bool{
		supvisorsGetAllProcessInfo: true, supvisorsTestStartApplication: false, supvisorsTestStartProcess: false, supervisorTailProcessLog: true, systemListMethods: true,
		supvisorsStartApplication: false, supvisorsUpdateNumprocs: false, supervisorStartProcess: false, systemMulticall: false, "x.y": false,
	} {
		if IsReadOnlyMethod(m) != want {
			t.Errorf("IsReadOnlyMethod(%s) != %v", m, want)
		}
	}
}

func TestConfigStringRedacts(t *testing.T) {
	const pw = "do-not-print-me"
	cfg := Config{URL: "http://u:" + pw + "@h:1", Username: "u", Password: pw,
		InstanceURLs: map[string]string{"node2": "http://u:" + pw + "@h:2", "bad": "http://u:" + pw + "@h:port:x"}}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", &cfg)} {
		if strings.Contains(s, pw) {
			t.Fatalf("password printed: %s", s)
		}
		if !strings.Contains(s, "Password:(set)") || !strings.Contains(s, "node2=http://h:2") {
			t.Fatalf("unexpected: %s", s)
		}
	}
}
