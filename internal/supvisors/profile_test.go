package supvisors

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Answers recorded on real clusters of the older releases (VERSIONS.md, and the
// lab of internal/testlab), played by the fake server.

func recordedState010() map[string]any {
	return map[string]any{"statecode": 2, "statename": "OPERATION"}
}

func recordedAddresses010() []any {
	return []any{map[string]any{"address_name": "vm", "loading": 0, "local_time": 1796161690,
		"remote_time": 1796161690, "sequence_counter": 5, "statecode": 2, "statename": "RUNNING"}}
}

func recordedApps010() []any {
	return []any{
		map[string]any{"application_name": "web", "statecode": 2, "statename": "RUNNING", "major_failure": false, "minor_failure": false},
		map[string]any{"application_name": "tools", "statecode": 0, "statename": "STOPPED", "major_failure": false, "minor_failure": false},
	}
}

func recordedProcs010() []any {
	return []any{
		map[string]any{"application_name": "web", "process_name": "web_server", "statecode": 20, "statename": "RUNNING",
			"expected_exit": true, "last_event_time": 1796161690, "addresses": []any{"vm"}},
		map[string]any{"application_name": "tools", "process_name": "tool", "statecode": 0, "statename": "STOPPED",
			"expected_exit": true, "last_event_time": 0, "addresses": []any{}},
	}
}

func rules010(args []any) (any, error) {
	name, _ := args[0].(string)
	switch name {
	case "web":
		return map[string]any{"managed": true, "distributed": false, "addresses": []any{"*"}, "start_sequence": 1,
			"stop_sequence": 1, "starting_strategy": "CONFIG", "starting_failure_strategy": "STOP",
			"running_failure_strategy": "CONTINUE"}, nil
	case "tools":
		return map[string]any{"managed": false}, nil
	}
	return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + name}
}

// fake010 plays a Supvisors 0.10 instance.
func fake010(t *testing.T) *fakeServer {
	f := newFakeServer(t)
	f.playRelease("0.10")
	f.handle(supvisorsGetSupvisorsState, value(recordedState010()))
	f.handle(supvisorsGetAllAddressesInfo, value(recordedAddresses010()))
	f.handle(supvisorsGetMasterAddress, value("vm"))
	f.handle(supvisorsGetAllApplicationsInfo, value(recordedApps010()))
	f.handle(supvisorsGetAllProcessInfo, value(recordedProcs010()))
	f.handle(supvisorsGetApplicationRules, rules010)
	return f
}

func TestProfileAddressEraSnapshot(t *testing.T) {
	f := fake010(t)
	c := newTestClient(t, f.URL())
	s, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.State.FSMStatename != StateOperation || s.State.InstanceStates["vm"] != string(InstanceRunning) ||
		s.State.MasterIdentifier != "vm" || s.State.Reports("starting_jobs") || !s.State.Reports("master_identifier") {
		t.Fatalf("state %+v", s.State)
	}
	if web, _ := s.Application("web"); !web.Managed || web.Statename != ApplicationRunning {
		t.Fatalf("web %+v", web)
	}
	if tools, _ := s.Application("tools"); tools.Managed {
		t.Fatalf("tools read as managed: %+v", tools)
	}
	if p := s.Match("web:web_server"); len(p) != 1 || !slices.Equal(p[0].Identifiers, []string{"vm"}) || p[0].LastEventMtime != 0 || p[0].Reports("last_event_mtime") {
		t.Fatalf("process %+v", p)
	}
	// detection in the first multicall, then one for the rules and one for the instances
	if c.Requests() != 3 {
		t.Fatalf("%d requests", c.Requests())
	}
	if f.countCalls(supvisorsGetAllInstancesInfo) != 0 || f.countCalls(supvisorsGetAllAddressesInfo) != 1 {
		t.Fatal("the address-era name must be used")
	}
	infos, err := c.GetAllInstancesInfo(context.Background())
	if err != nil || len(infos) != 1 || infos[0].Identifier != "vm" || infos[0].NodeName != "vm" ||
		infos[0].Statename != InstanceRunning || infos[0].Port != 0 || infos[0].Reports("port") || infos[0].RemoteSequenceCounter != 5 {
		t.Fatalf("instances %+v %v", infos, err)
	}
	old, err := c.GetAllAddressesInfo(context.Background())
	if err != nil || len(old) != 1 || old[0].Identifier != "vm" {
		t.Fatalf("GetAllAddressesInfo %+v %v", old, err)
	}
	m, err := c.GetMasterIdentifier(context.Background())
	if err != nil || m.Identifier != "vm" {
		t.Fatalf("master %+v %v", m, err)
	}
	if a, err := c.GetMasterAddress(context.Background()); err != nil || a != "vm" {
		t.Fatalf("GetMasterAddress %q %v", a, err)
	}
	r, err := c.GetApplicationRules(context.Background(), "web")
	if err != nil || r.Distribution != "SINGLE_INSTANCE" || !slices.Equal(r.Identifiers, []string{"*"}) {
		t.Fatalf("rules %+v %v", r, err)
	}
	// a method the release does not have is refused before sending
	before := c.Requests()
	if _, err := c.GetNetworkInfo(context.Background(), "vm"); !errors.Is(err, ErrUnsupported) || c.Requests() != before {
		t.Fatalf("network info on 0.10: %v", err)
	}
}

func TestProfileAddressEraCommands(t *testing.T) {
	f := fake010(t)
	var mu sync.Mutex
	var startArgs []any
	f.handle(supvisorsStartApplication, func(args []any) (any, error) {
		mu.Lock()
		startArgs = args
		mu.Unlock()
		return args[1] != "tools", nil // 0.10 answers False for an unmanaged group
	})
	c := newTestClient(t, f.URL())
	ctx := context.Background()
	err := c.StartApplication(ctx, StrategyConfig, "tools", false)
	if !IsFault(err, FaultNotManaged) || !strings.Contains(err.Error(), "tools") {
		t.Fatalf("unmanaged start on 0.10: %v", err)
	}
	if err := c.StartApplication(ctx, StrategyLessLoaded, "web", false); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(startArgs) != 3 || startArgs[2] != true {
		t.Fatalf("no jobs reported before 0.13: the start must block (wait=true), sent %v", startArgs)
	}
	mu.Unlock()
	// strategies of 0.12 and later are refused before any request, with the valid ones
	before := c.Requests()
	err = c.RestartApplication(ctx, StrategyLessLoadedNode, "web", false)
	var ue *UnsupportedError
	if !errors.As(err, &ue) || !errors.Is(err, ErrUnsupported) || c.Requests() != before ||
		!strings.Contains(err.Error(), "LESS_LOADED_NODE") || !strings.Contains(err.Error(), "CONFIG, LESS_LOADED, MOST_LOADED, LOCAL") ||
		!strings.Contains(err.Error(), "Supvisors 0.10") {
		t.Fatalf("strategy on 0.10: %v (%d requests)", err, c.Requests()-before)
	}
	if err := c.CheckStartingStrategy(ctx, StrategyMostLoadedNode); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("CheckStartingStrategy(MOST_LOADED_NODE) on 0.10: %v", err)
	}
	if err := c.CheckStartingStrategy(ctx, StrategyLocal); err != nil {
		t.Fatalf("CheckStartingStrategy(LOCAL) on 0.10: %v", err)
	}
	if err := c.StartProcess(ctx, "FOO", "web:*", "", false); !errors.Is(err, ErrUnsupported) || f.countCalls(supvisorsStartProcess) != 0 {
		t.Fatalf("unknown strategy: %v", err)
	}
	// 0.10 prefixes BAD_SUPVISORS_STATE with UNKNOWN: and says "not in state"
	f.handle(supvisorsStopApplication, fault(FaultBadSupvisorsState,
		"UNKNOWN: Supvisors (state=INITIALIZATION) not in state ['OPERATION', 'CONCILIATION'] to perform request"))
	c2 := newTestClient(t, f.URL(), func(c *Config) { c.ReadyTimeout = -1 })
	err = c2.StopApplication(ctx, "web", false)
	var nr *NotReadyError
	if !errors.As(err, &nr) || nr.State != StateSynchronization || !slices.Equal(nr.Accepted, []string{"OPERATION", "CONCILIATION"}) ||
		!strings.HasPrefix(nr.Err.Error(), "BAD_SUPVISORS_STATE: ") {
		t.Fatalf("0.10 state fault: %#v", err)
	}
}

func TestProfileAliasEra(t *testing.T) {
	f := newFakeServer(t)
	f.playRelease("0.11")
	f.handle(supvisorsGetInstanceInfo, value(map[string]any{"address_name": "node2", "identifier": "node2", "statecode": 3, "statename": "SILENT"}))
	f.handle(supvisorsGetProcessInfo, value([]any{map[string]any{"application_name": "web", "process_name": "web_server",
		"statename": "RUNNING", "addresses": []any{"node1"}, "identifiers": []any{"node1"}}}))
	var stopArgs []any
	f.handle(supvisorsStopProcess, func(args []any) (any, error) { stopArgs = args; return true, nil })
	c := newTestClient(t, f.URL())
	ctx := context.Background()
	infos, err := c.GetInstanceInfo(ctx, "node2")
	if err != nil || len(infos) != 1 || infos[0].Identifier != "node2" || infos[0].NickIdentifier != "node2" ||
		infos[0].Statename != InstanceStopped {
		t.Fatalf("a struct answer becomes a list of one, SILENT is STOPPED: %+v %v", infos, err)
	}
	if procs, err := c.GetProcessInfo(ctx, "web:*"); err != nil || !slices.Equal(procs[0].Identifiers, []string{"node1"}) {
		t.Fatalf("%+v %v", procs, err)
	}
	if err := c.StopProcess(ctx, "web:*", false); err != nil || len(stopArgs) != 2 || stopArgs[1] != true {
		t.Fatalf("stop must block on 0.11: %v %v", stopArgs, err)
	}
	if f.countCalls(supvisorsGetInstanceInfo) != 1 || f.countCalls(supvisorsGetAddressInfo) != 0 {
		t.Fatal("0.11 has the identifier names")
	}
}

func TestProfileJobsEraStates(t *testing.T) {
	f := newFakeServer(t)
	f.playRelease("0.15")
	f.handle(supvisorsGetSupvisorsState, value(map[string]any{"fsm_statecode": 1, "fsm_statename": "INITIALIZATION",
		"starting_jobs": []any{}, "stopping_jobs": []any{}}))
	f.handle(supvisorsGetAllInstancesInfo, value([]any{map[string]any{"identifier": "node1", "node_name": "127.0.0.1", "port": 62001,
		"statecode": 1, "statename": "CHECKING"}}))
	f.handle(supvisorsGetMasterIdentifier, value(""))
	var startArgs []any
	f.handle(supvisorsStartApplication, func(args []any) (any, error) { startArgs = args; return true, nil })
	c := newTestClient(t, f.URL())
	ctx := context.Background()
	st, err := c.GetSupvisorsState(ctx)
	if err != nil || st.FSMStatename != StateSynchronization || st.InstanceStates["node1"] != string(InstanceChecking) {
		t.Fatalf("%+v %v", st, err)
	}
	if st.Reports("degraded_mode") || st.Reports("discovery_mode") || !st.Reports("starting_jobs") || !st.Reports("instance_states") {
		t.Fatalf("reported keys of a 0.15 state: %v", st.reported)
	}
	if err := c.StartApplication(ctx, StrategyLessLoadedNode, "web", false); err != nil || startArgs[2] != false {
		t.Fatalf("0.15 reports jobs: wait=false goes as it is, *_NODE is accepted: %v %v", startArgs, err)
	}
	for _, name := range []string{"DEPLOYMENT", "RESTART", "SHUTDOWN", "OPERATION"} {
		m := map[string]any{"fsm_statename": name}
		normalizeState(m)
		if !StateName(name).Valid() || m["fsm_statename"] != string(StateName(name)) {
			t.Fatalf("%s -> %v", name, m["fsm_statename"])
		}
	}
}

func TestProfileUnsupportedVersions(t *testing.T) {
	for _, v := range []string{"0.5", "0.9", "0.20", "1.0", "x"} {
		f := newFakeServer(t)
		f.playRelease(v)
		c := newTestClient(t, f.URL())
		err := c.StartApplication(context.Background(), StrategyConfig, "web", false)
		var ve *VersionError
		if !errors.As(err, &ve) || !errors.Is(err, ErrUnsupportedVersion) || ve.Version != v ||
			!strings.Contains(err.Error(), "Supvisors "+v+" at") || !strings.Contains(err.Error(), "0.10 to 0.19.x") {
			t.Fatalf("%s: %v", v, err)
		}
		if _, err := c.Snapshot(context.Background()); !errors.Is(err, ErrUnsupportedVersion) {
			t.Fatalf("%s: snapshot %v", v, err)
		}
		if _, err := c.Call(context.Background(), "supvisors.get_api_version"); !errors.Is(err, ErrUnsupportedVersion) {
			t.Fatalf("%s: Call %v", v, err)
		}
		if f.countCalls(supvisorsStartApplication) != 0 || f.countCalls(systemMulticall) != 1 {
			t.Fatalf("%s: calls %v", v, f.called())
		}
	}
}

// TestProfileMalformedAnswers: answers of the wrong shape or type, of any era,
// give a clear error or zero values, never a panic.
func TestProfileMalformedAnswers(t *testing.T) {
	bad := []any{nil, "x", int64(3), true, []any{"x", int64(1)}, map[string]any{"statename": int64(2), "addresses": "vm",
		"address_name": []any{}, "instance_states": "x", "distributed": "maybe", "identifiers": map[string]any{}}}
	for _, v := range []string{"0.10", "0.11", "0.12", "0.15", "0.18.7", "0.19.1"} {
		for _, answer := range bad {
			f := newFakeServer(t)
			f.playRelease(v)
			for _, m := range WrappedMethods() {
				if !strings.HasPrefix(m, "system.") && m != supvisorsGetAPIVersion {
					f.handle(m, value(answer))
				}
			}
			c := newTestClient(t, f.URL(), func(c *Config) { c.ReadyTimeout = -1 })
			ctx := context.Background()
			_, _ = c.Snapshot(ctx)
			_, _ = c.GetSupvisorsState(ctx)
			_, _ = c.GetAllInstancesInfo(ctx)
			_, _ = c.GetInstanceInfo(ctx, "x")
			_, _ = c.GetApplicationInfo(ctx, "x")
			_, _ = c.GetApplicationRules(ctx, "x")
			_, _ = c.GetProcessRules(ctx, "x:*")
			_, _ = c.GetMasterIdentifier(ctx)
			_ = c.StartApplication(ctx, StrategyConfig, "x", false)
		}
	}
}

// TestProfileBlockingCommandBounds: before 0.13 a command is sent blocking; the
// exchange is bounded by the caller's context, not by the request timeout,
// and a cancellation ends it at once.
func TestProfileBlockingCommandBounds(t *testing.T) {
	f := newFakeServer(t)
	f.playRelease("0.11")
	f.handle(supvisorsStartApplication, func(args []any) (any, error) {
		time.Sleep(2 * time.Second) // the job, far longer than the request timeout
		return args[2] == true, nil
	})
	c := newTestClient(t, f.URL(), func(c *Config) { c.RequestTimeout = 200 * time.Millisecond })
	if _, err := c.Detect(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.StartApplication(ctx, StrategyConfig, "web", false); err != nil {
		t.Fatalf("a blocking start within the context's deadline: %v", err)
	}
	cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
	go func() { time.Sleep(100 * time.Millisecond); ccancel() }()
	start := time.Now()
	err := c.StartApplication(cctx, StrategyConfig, "web", false)
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Fatalf("cancelled blocking start: %v after %s", err, time.Since(start))
	}
	// without a deadline, the request timeout still applies
	if err := c.StartApplication(context.Background(), StrategyConfig, "web", false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("no deadline: %v", err)
	}
}

// A plan checks the strategy after its snapshot read: the release is known from that read, so the check costs
// no request.
func TestProfileStrategyCheckAfterSnapshot(t *testing.T) {
	f := fake010(t)
	c := newTestClient(t, f.URL())
	ctx := context.Background()
	if _, err := c.Snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	before := c.Requests()
	err := c.CheckStartingStrategy(ctx, StrategyLessLoadedNode)
	var ue *UnsupportedError
	if !errors.As(err, &ue) || ue.Version != "0.10" || !slices.Contains(ue.Valid, "LOCAL") || c.Requests() != before {
		t.Fatalf("%v (%d requests)", err, c.Requests()-before)
	}
	if err := c.CheckStartingStrategy(ctx, StrategyLessLoaded); err != nil || c.Requests() != before {
		t.Fatalf("%v (%d requests)", err, c.Requests()-before)
	}
}
