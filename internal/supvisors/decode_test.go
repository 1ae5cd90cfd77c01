package supvisors

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
)

// TestTypedDecodingOfCapturedAnswers serves the answers captured on a real
// Supvisors 0.19 lab (shared API.md §7) and checks every decoded field.
func TestTypedDecodingOfCapturedAnswers(t *testing.T) {
	f := newFakeServer(t)
	f.handle(supvisorsGetSupvisorsState, value(capturedState(StateOperation)))
	f.handle(supvisorsGetInstanceStateModes, value([]any{map[string]any{
		"identifier": "127.0.0.1:61002", "nick_identifier": "node2", "now_monotonic": 408.13756046, "fsm_statecode": 4,
		"fsm_statename": "OPERATION", "degraded_mode": false, "discovery_mode": false, "master_identifier": "127.0.0.1:61001",
		"starting_jobs": false, "stopping_jobs": true, "instance_states": map[string]any{"127.0.0.1:61001": "RUNNING"},
	}}))
	f.handle(supvisorsGetMasterIdentifier, value(map[string]any{"identifier": "127.0.0.1:61001", "nick_identifier": "node1"}))
	f.handle(supvisorsGetStrategies, value(map[string]any{"auto-fencing": false, "starting": "CONFIG", "conciliation": "USER", "supvisors_failure": "CONTINUE"}))
	f.handle(supvisorsGetStatisticsStatus, value(map[string]any{"host_stats": true, "process_stats": true, "collecting_period": 10.0}))
	f.handle(supvisorsGetInstanceInfo, value([]any{map[string]any{
		"identifier": "127.0.0.1:61001", "nick_identifier": "node1", "node_name": "127.0.0.1", "port": 61001,
		"statecode": 3, "statename": "RUNNING", "loading": 35, "process_failure": false,
		"remote_sequence_counter": 9, "remote_time": 1795234500, "remote_mtime": 408.122385642,
		"local_sequence_counter": 9, "local_time": 1795234500, "local_mtime": 408.122385642,
	}}))
	network := map[string]any{
		"identifier": "127.0.0.1:61002", "nick_identifier": "node2", "host_id": "127.0.0.1", "http_port": 61002, "stereotypes": []any{},
		"network": map[string]any{"machine_id": "02:fc:00:00:00:01", "fqdn": "localhost",
			"addresses": map[string]any{"eth0": map[string]any{"host_name": "nic-192-0-2-2", "aliases": []any{"127.0.0.1"},
				"ipv4_addresses": []any{"192.0.2.2"},
				"nic_info":       map[string]any{"nic_name": "eth0", "ipv4_address": "192.0.2.2", "netmask": "255.255.255.0"}}}},
	}
	f.handle(supvisorsGetNetworkInfo, value(network))
	f.handle(supvisorsGetApplicationRules, func(args []any) (any, error) {
		if args[0] == "tools" {
			return map[string]any{"managed": false, "application_name": "tools"}, nil
		}
		return map[string]any{"managed": true, "distribution": "SINGLE_INSTANCE", "identifiers": []any{"node1", "node2"},
			"start_sequence": 1, "stop_sequence": 2, "starting_strategy": "LESS_LOADED", "starting_failure_strategy": "STOP",
			"running_failure_strategy": "RESTART_PROCESS", "status_formula": "all('web_.*')", "application_name": "web"}, nil
	})
	f.handle(supvisorsGetProcessRules, value([]any{map[string]any{"identifiers": []any{"node3"}, "start_sequence": 1, "stop_sequence": 1,
		"required": true, "wait_exit": true, "expected_loading": 0, "starting_failure_strategy": "ABORT",
		"running_failure_strategy": "CONTINUE", "application_name": "batch", "process_name": "batch_init"}}))
	local := map[string]any{"name": "web_cache", "group": "web", "state": 20, "statename": "RUNNING", "start": 1795234480,
		"stop": 0, "now": 1795234511, "pid": 24634, "description": "pid 24634, uptime 0:00:31", "spawnerr": "", "expected": true,
		"start_monotonic": 388.550999008, "stop_monotonic": 0.0, "now_monotonic": 419.568567768, "extra_args": "",
		"startsecs": 1, "stopwaitsecs": 5, "process_index": 0, "program_name": "web_cache", "disabled": false,
		"has_stdout": true, "has_stderr": true}
	f.handle(supvisorsGetLocalProcessInfo, value(local))
	inner := map[string]any{}
	for k, v := range local {
		inner[k] = v
	}
	inner["start"], inner["now"] = 1795234480.25, 1795234511.75 // doubles in get_inner_process_info
	inner["local_mtime"], inner["event_time"], inner["uptime"], inner["has_crashed"] = 389.575139632, 389.575040684, 29.567139967999992, false
	inner["identifier"], inner["nick_identifier"] = "127.0.0.1:61001", "node1"
	f.handle(supvisorsGetInnerProcessInfo, value([]any{inner}))
	f.handle(supvisorsTestStartApplication, value([]any{map[string]any{"application_name": "batch", "process_name": "batch_init",
		"state": "EXITED", "forced_reason": "", "running_identifiers": []any{"127.0.0.1:61003"}}}))
	f.handle(supvisorsGetProcessInfo, value([]any{capturedProcess("worker", "worker_0", ProcessRunning, "127.0.0.1:61001")}))
	f.handle(supvisorsStartAnyProcess, value("batch:batch_init"))
	f.handle(supvisorsConciliate, value(false))
	f.handle(supervisorGetState, value(map[string]any{"statecode": 1, "statename": "RUNNING"}))
	f.handle(supervisorStartProcessGroup, value([]any{map[string]any{"name": "tool", "group": "tools", "status": 80, "description": "OK"}}))
	f.handle(supervisorTailProcessStdout, value([]any{"log data", 1234, false}))
	f.handle(supervisorReloadConfig, value([]any{[]any{[]any{"new"}, []any{}, []any{"old"}}}))
	f.handle(supervisorGetPID, value(4242))
	f.handle(supervisorGetAllConfigInfo, value([]any{map[string]any{"name": "tool", "group": "tools", "uid": "none",
		"exitcodes": []any{0, 2}, "stopsignal": 15, "autostart": false, "serverurl": "AUTO", "stdout_logfile_maxbytes": 65536}}))
	f.handle(systemMethodSignature, value([]any{"bool", "StartingStrategies", "str", "str", "bool"}))

	ctx := context.Background()
	c := newTestClient(t, f.URL())
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %#v\nwant %#v", name, got, want)
		}
	}
	st, err := c.GetSupvisorsState(ctx)
	check("state", err, nil)
	if !st.Reports("degraded_mode") || !st.Reports("starting_jobs") || st.Reports("nope") {
		t.Errorf("reported keys of a 0.19 state: %v", st.reported)
	}
	st.reported = nil
	check("state", st, SupvisorsState{Identifier: "127.0.0.1:61001", NickIdentifier: "node1", NowMonotonic: 408.134344591,
		FSMStatecode: 4, FSMStatename: StateOperation, MasterIdentifier: "127.0.0.1:61001", StartingJobs: []string{}, StoppingJobs: []string{},
		InstanceStates: map[string]string{"127.0.0.1:61001": "RUNNING", "127.0.0.1:61002": "RUNNING", "127.0.0.1:61003": "RUNNING"}})
	sm, _ := c.GetInstanceStateModes(ctx, "node2")
	check("state modes", len(sm) == 1 && sm[0].NickIdentifier == "node2" && !sm[0].StartingJobs && sm[0].StoppingJobs && sm[0].FSMStatename == StateOperation, true)
	mi, _ := c.GetMasterIdentifier(ctx)
	check("master", mi, MasterIdentifier{Identifier: "127.0.0.1:61001", NickIdentifier: "node1"})
	strat, _ := c.GetStrategies(ctx)
	check("strategies", strat, Strategies{Starting: "CONFIG", Conciliation: "USER", SupvisorsFailure: "CONTINUE"})
	ss, _ := c.GetStatisticsStatus(ctx)
	check("stats", ss, StatisticsStatus{HostStats: true, ProcessStats: true, CollectingPeriod: 10})
	ii, _ := c.GetInstanceInfo(ctx, "node1")
	for i := range ii {
		if !ii[i].Reports("process_failure") || !ii[i].Reports("port") {
			t.Errorf("reported keys of a 0.19 instance: %v", ii[i].wireKeys)
		}
		ii[i].wireKeys = nil // compared below
	}
	check("instance", ii, []InstanceInfo{{Identifier: "127.0.0.1:61001", NickIdentifier: "node1", NodeName: "127.0.0.1", Port: 61001,
		Statecode: 3, Statename: InstanceRunning, Loading: 35, RemoteSequenceCounter: 9, RemoteTime: 1795234500, RemoteMtime: 408.122385642,
		LocalSequenceCounter: 9, LocalTime: 1795234500, LocalMtime: 408.122385642}})
	ni, _ := c.GetNetworkInfo(ctx, "127.0.0.1:61002")
	check("network", ni, NetworkInfo{Identifier: "127.0.0.1:61002", NickIdentifier: "node2", HostID: "127.0.0.1", HTTPPort: 61002,
		Stereotypes: []string{}, Network: LocalNetwork{MachineID: "02:fc:00:00:00:01", FQDN: "localhost",
			Addresses: map[string]NetworkAddress{"eth0": {HostName: "nic-192-0-2-2", Aliases: []string{"127.0.0.1"},
				IPv4Addresses: []string{"192.0.2.2"}, NICInfo: NICInfo{NICName: "eth0", IPv4Address: "192.0.2.2", Netmask: "255.255.255.0"}}}}})
	// 0.19.1 answers a list.
	f.handle(supvisorsGetNetworkInfo, value([]any{map[string]any{"identifier": "x:1", "nick_identifier": "nx"}, network}))
	ni2, _ := c.GetNetworkInfo(ctx, "node2")
	check("network list", ni2.Identifier, "127.0.0.1:61002")
	ar, _ := c.GetApplicationRules(ctx, "web")
	if !ar.Reports("status_formula") {
		t.Errorf("reported keys of 0.19 rules: %v", ar.wireKeys)
	}
	ar.wireKeys = nil
	check("rules web", ar, ApplicationRules{ApplicationName: "web", Managed: true, Distribution: "SINGLE_INSTANCE",
		Identifiers: []string{"node1", "node2"}, StartSequence: 1, StopSequence: 2, StartingStrategy: "LESS_LOADED",
		StartingFailureStrategy: "STOP", RunningFailureStrategy: "RESTART_PROCESS", StatusFormula: "all('web_.*')"})
	tr, _ := c.GetApplicationRules(ctx, "tools")
	tr.wireKeys = nil
	check("rules tools", tr, ApplicationRules{ApplicationName: "tools", Identifiers: []string{}})
	pr, _ := c.GetProcessRules(ctx, "batch:batch_init")
	for i := range pr {
		pr[i].wireKeys = nil
	}
	check("process rules", pr, []ProcessRules{{ApplicationName: "batch", ProcessName: "batch_init", Identifiers: []string{"node3"},
		StartSequence: 1, StopSequence: 1, Required: true, WaitExit: true, StartingFailureStrategy: "ABORT", RunningFailureStrategy: "CONTINUE"}})
	lp, _ := c.GetLocalProcessInfo(ctx, "web:web_cache")
	wantLocal := LocalProcessInfo{Name: "web_cache", Group: "web", State: 20, Statename: ProcessRunning, Start: 1795234480, Now: 1795234511,
		Pid: 24634, Description: "pid 24634, uptime 0:00:31", Expected: true, StartMonotonic: 388.550999008, NowMonotonic: 419.568567768,
		Startsecs: 1, Stopwaitsecs: 5, ProgramName: "web_cache", HasStdout: true, HasStderr: true}
	check("local", lp, wantLocal)
	check("local namespec", lp.Namespec(), "web:web_cache")
	ip, _ := c.GetInnerProcessInfo(ctx, "node1", "web:web_cache")
	check("inner", ip, []InnerProcessInfo{{LocalProcessInfo: wantLocal, LocalMtime: 389.575139632, EventTime: 389.575040684,
		Uptime: 29.567139967999992, Identifier: "127.0.0.1:61001", NickIdentifier: "node1"}})
	ts, _ := c.TestStartApplication(ctx, StrategyConfig, "batch")
	check("prediction", ts, []StartPrediction{{ApplicationName: "batch", ProcessName: "batch_init", State: ProcessExited,
		RunningIdentifiers: []string{"127.0.0.1:61003"}}})
	pi, _ := c.GetProcessInfo(ctx, "worker:*")
	check("process", pi[0].Identifiers, []string{"127.0.0.1:61001"})
	check("process namespec", pi[0].Namespec(), "worker:worker_0")
	ns, _ := c.StartAnyProcess(ctx, StrategyConfig, "batch:batch_", "", true)
	check("start_any_process", ns, "batch:batch_init")
	ok, err := c.Conciliate(ctx, ConciliationUser)
	check("conciliate", []any{ok, err}, []any{false, nil})
	sst, _ := c.Supervisor().GetState(ctx)
	check("supervisor state", sst, SupervisorState{Statecode: 1, Statename: SupervisorRunning})
	grp, _ := c.Supervisor().StartProcessGroup(ctx, "tools", true)
	check("group", len(grp) == 1 && grp[0].OK() && grp[0].Name == "tool", true)
	tail, _ := c.Supervisor().TailProcessStdoutLog(ctx, "tools:tool", 0, 100)
	check("tail", tail, LogTail{Bytes: "log data", Offset: 1234})
	rr, _ := c.Supervisor().ReloadConfig(ctx)
	check("reload", rr, ReloadResult{Added: []string{"new"}, Changed: []string{}, Removed: []string{"old"}})
	pid, _ := c.Supervisor().GetPID(ctx)
	check("pid", pid, 4242)
	ci, _ := c.Supervisor().GetAllConfigInfo(ctx)
	check("config", []any{ci[0].UID, ci[0].Exitcodes, ci[0].Stopsignal, ci[0].Serverurl, ci[0].StdoutLogfileMaxbytes, ci[0].Namespec()},
		[]any{"", []int{0, 2}, 15, "AUTO", int64(65536), "tools:tool"})
	sig, _ := c.System().MethodSignature(ctx, supvisorsStartProcess)
	check("signature", sig, []string{"bool", "StartingStrategies", "str", "str", "bool"})
}

func TestTolerantDecoding(t *testing.T) {
	// ints where doubles are expected and the reverse, numeric strings,
	// missing keys, nil for empty strings, booleans as ints.
	p := processInfoFrom(fields{
		"application_name": "a", "process_name": nil, "now_monotonic": int64(12), "statecode": 20.0,
		"statename": "RUNNING", "expected_exit": int64(1), "identifiers": "127.0.0.1:1",
	})
	if p.NowMonotonic != 12 || p.Statecode != 20 || !p.ExpectedExit || p.ProcessName != "" ||
		!slices.Equal(p.Identifiers, []string{"127.0.0.1:1"}) || p.LastEventMtime != 0 {
		t.Fatalf("%+v", p)
	}
	if p.Namespec() != "a:" {
		t.Fatalf("namespec %q", p.Namespec())
	}
	s := statisticsStatusFrom(fields{"collecting_period": int64(10), "host_stats": "true"})
	if s.CollectingPeriod != 10 || !s.HostStats {
		t.Fatalf("%+v", s)
	}
	i := instanceInfoFrom(fields{"port": "61001", "remote_time": 1.7e9, "loading": 1e300})
	if i.Port != 61001 || i.RemoteTime != 1700000000 || i.Loading != 0 {
		t.Fatalf("%+v", i)
	}
	if m, err := decodeMasterIdentifier("127.0.0.1:61001"); err != nil || m.Identifier != "127.0.0.1:61001" {
		t.Fatal("old string master identifier")
	}
	if m, err := decodeMasterIdentifier(map[string]any{}); err != nil || m != (MasterIdentifier{}) {
		t.Fatal("empty master identifier")
	}
	st := supvisorsStateFrom(fields{})
	if st.StartingJobs == nil || st.InstanceStates == nil || st.HasJobs() {
		t.Fatalf("zero state %+v", st)
	}
	if !jobsFlag([]any{"x"}) || jobsFlag([]any{}) || !jobsFlag(true) {
		t.Fatal("jobsFlag")
	}
	for _, v := range []any{int64(3), 3, int32(3), 3.0, "3", "3.0", true} {
		if n, ok := toInt64(v); !ok || (n != 3 && n != 1) {
			t.Fatalf("toInt64(%#v)", v)
		}
	}
	if _, ok := toInt64("x"); ok {
		t.Fatal("toInt64 of a word")
	}
	if _, err := decodeBool("x", "m"); err == nil {
		t.Fatal("decodeBool of a word")
	}
	if s, err := decodeString(nil, "m"); err != nil || s != "" {
		t.Fatal("nil string")
	}
}

func TestNamespecs(t *testing.T) {
	for _, tc := range []struct{ ns, g, p string }{
		{"web:web_server", "web", "web_server"}, {"web:*", "web", ""}, {"web:", "web", ""}, {"slow", "slow", "slow"},
	} {
		if g, p := SplitNamespec(tc.ns); g != tc.g || p != tc.p {
			t.Errorf("SplitNamespec(%q) = %q %q", tc.ns, g, p)
		}
	}
	if MakeNamespec("slow", "slow") != "slow" || MakeNamespec("web", "web_cache") != "web:web_cache" {
		t.Fatal("MakeNamespec")
	}
}

func TestEnums(t *testing.T) {
	if len(StartingStrategies()) != 6 || len(ConciliationStrategies()) != 6 || len(LogLevels()) != 7 ||
		len(SupvisorsStates()) != 9 || len(InstanceStates()) != 6 || len(ProcessStates()) != 8 || len(ApplicationStates()) != 5 {
		t.Fatal("enum lists")
	}
	if !StrategyLessLoadedNode.Valid() || StartingStrategy("config").Valid() || !ConciliationSenicide.Valid() ||
		!LogBlather.Valid() || !StateElection.Valid() || SupvisorsStateName("DEPLOYMENT").Valid() {
		t.Fatal("Valid")
	}
	for s, want := range map[ProcessState][3]bool{ // running, stopped, transitional
		ProcessStarting: {true, false, true}, ProcessRunning: {true, false, false}, ProcessBackoff: {true, false, true},
		ProcessStopping: {false, false, true}, ProcessStopped: {false, true, false}, ProcessExited: {false, true, false},
		ProcessFatal: {false, true, false}, ProcessUnknown: {false, true, false},
	} {
		if got := [3]bool{s.IsRunning(), s.IsStopped(), s.IsTransitional()}; got != want {
			t.Errorf("%s: %v want %v", s, got, want)
		}
	}
	if !ApplicationStarting.IsTransitional() || ApplicationRunning.IsTransitional() {
		t.Fatal("application transitional")
	}
	if fmt.Sprintf("%v %v %v %v %v %v %v %v", StrategyConfig, ApplicationRunning, ProcessFatal, InstanceFailed, StateOperation, LogWarn, SupervisorRunning, ConciliationUser) !=
		"CONFIG RUNNING FATAL FAILED OPERATION warn RUNNING USER" {
		t.Fatal("String")
	}
	if len(StartingFailureStrategyNames()) != 3 || len(RunningFailureStrategyNames()) != 6 ||
		len(SupvisorsFailureStrategyNames()) != 3 || len(DistributionRuleNames()) != 3 {
		t.Fatal("names")
	}
}
