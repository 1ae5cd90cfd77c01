package supvisors_test

// Integration tests against a REAL 3-instance Supvisors cluster started once for
// this test binary by internal/testlab (skipped only with -short, as
// `make testunit` does). They call every typed method of the client at least
// once and check the decoded values. Every test restores what it changes; the
// last one (TestLabZZDisruptive) restarts and finally shuts the cluster down.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

var lab *testlab.Cluster

// The naming rule: a test needs the cluster when its name starts with
// TestLab. labTests reads those names from this file, so no list is kept by
// hand.
var labTests = sync.OnceValue(func() []string {
	src, err := os.ReadFile("integration_test.go")
	if err != nil {
		return nil
	}
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^func (TestLab[A-Za-z0-9_]*)\(t \*testing\.T\)`).FindAllStringSubmatch(string(src), -1) {
		names = append(names, m[1])
	}
	return names
})

func TestMain(m *testing.M) {
	flag.Parse()
	if !wantLab() {
		// -short (make testunit), fuzzing, or a -run that selects no lab
		// test (e.g. -run '^$' -bench .): unit tests only, no cluster.
		os.Exit(m.Run())
	}
	os.Exit(testlab.Main(m, testlab.Options{}, func(c *testlab.Cluster) { lab = c }))
}

// wantLab tells whether this run needs the cluster.
func wantLab() bool {
	if testing.Short() {
		return false
	}
	for _, name := range []string{"test.fuzz", "test.fuzzworker"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" && f.Value.String() != "false" {
			return false
		}
	}
	run := ""
	if f := flag.Lookup("test.run"); f != nil {
		run = f.Value.String()
	}
	if run == "" {
		return true
	}
	top, _, _ := strings.Cut(run, "/")
	re, err := regexp.Compile(top)
	if err != nil {
		return true // let the testing package report the bad pattern
	}
	return slices.ContainsFunc(labTests(), re.MatchString)
}

// needLab returns a context bounded by d, or skips in -short mode.
func needLab(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	if lab == nil {
		t.Skip("-short: no Supvisors cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func ok(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func expect(t *testing.T, what string, cond bool, got any) {
	t.Helper()
	if !cond {
		t.Errorf("%s: got %+v", what, got)
	}
}

// settle waits for the auto-started applications (web, worker) to be RUNNING.
func settle(t *testing.T, ctx context.Context, c *supvisors.Client) {
	t.Helper()
	for _, app := range []string{"web", "worker"} {
		if _, _, err := c.WaitApplication(ctx, app, supvisors.ApplicationRunning); err != nil {
			t.Fatalf("%s not RUNNING: %v", app, err)
		}
	}
}

func labIDs() []string {
	ids := make([]string, lab.Size())
	for i := range ids {
		ids[i] = lab.Identifier(i)
	}
	return ids
}

func TestLabSupvisorsReads(t *testing.T) {
	ctx := needLab(t, 2*time.Minute)
	c := lab.Client(0)
	settle(t, ctx, c)
	ids := labIDs()

	ver := must[string](t, "get_api_version")(c.GetAPIVersion(ctx))
	expect(t, "api version", strings.HasPrefix(ver, "0.19"), ver)

	st := must[supvisors.SupvisorsState](t, "get_supvisors_state")(c.GetSupvisorsState(ctx))
	expect(t, "state", st.FSMStatename == supvisors.StateOperation && st.Identifier == ids[0] && st.NickIdentifier == "node1" &&
		slices.Contains(ids, st.MasterIdentifier) && !st.DegradedMode && len(st.InstanceStates) == 3, st)
	for _, id := range ids {
		expect(t, "instance_states "+id, st.InstanceStates[id] == string(supvisors.InstanceRunning), st.InstanceStates)
	}

	modes := must[[]supvisors.InstanceStateModes](t, "get_all_instances_state_modes")(c.GetAllInstancesStateModes(ctx))
	expect(t, "state modes", len(modes) == 3, modes)
	for _, m := range modes {
		expect(t, "state modes "+m.Identifier, slices.Contains(ids, m.Identifier) && m.FSMStatename == supvisors.StateOperation, m)
	}
	one := must[[]supvisors.InstanceStateModes](t, "get_instance_state_modes")(c.GetInstanceStateModes(ctx, lab.Nick(1)))
	expect(t, "state modes node2", len(one) == 1 && one[0].Identifier == ids[1] && one[0].NickIdentifier == "node2", one)

	master := must[supvisors.MasterIdentifier](t, "get_master_identifier")(c.GetMasterIdentifier(ctx))
	expect(t, "master", master.Identifier == st.MasterIdentifier && strings.HasPrefix(master.NickIdentifier, "node"), master)

	core := must[[]supvisors.CoreIdentifier](t, "get_core_identifiers")(c.GetCoreIdentifiers(ctx))
	expect(t, "core identifiers (none configured)", len(core) == 0, core)

	strat := must[supvisors.Strategies](t, "get_strategies")(c.GetStrategies(ctx))
	expect(t, "strategies", strat == supvisors.Strategies{AutoFencing: false, Starting: "CONFIG", Conciliation: "USER", SupvisorsFailure: "CONTINUE"}, strat)

	stats := must[supvisors.StatisticsStatus](t, "get_statistics_status")(c.GetStatisticsStatus(ctx))
	expect(t, "statistics", stats.CollectingPeriod == 10, stats)

	netinfo := must[supvisors.NetworkInfo](t, "get_network_info")(c.GetNetworkInfo(ctx, ids[1]))
	expect(t, "network info", netinfo.Identifier == ids[1] && netinfo.NickIdentifier == "node2" &&
		fmt.Sprintf("%s:%d", netinfo.HostID, netinfo.HTTPPort) == ids[1], netinfo)

	infos := must[[]supvisors.InstanceInfo](t, "get_all_instances_info")(c.GetAllInstancesInfo(ctx))
	expect(t, "instances", len(infos) == 3, infos)
	for _, in := range infos {
		i := slices.Index(ids, in.Identifier)
		expect(t, "instance "+in.Identifier, i >= 0 && in.NickIdentifier == lab.Nick(i) && in.NodeName == "127.0.0.1" &&
			fmt.Sprintf("127.0.0.1:%d", in.Port) == ids[i] && in.Statename == supvisors.InstanceRunning && in.LocalTime > 0, in)
	}
	node3 := must[[]supvisors.InstanceInfo](t, "get_instance_info")(c.GetInstanceInfo(ctx, "node3"))
	expect(t, "instance node3", len(node3) == 1 && node3[0].Identifier == ids[2], node3)
	_, err := c.GetInstanceInfo(ctx, "node9")
	expect(t, "unknown instance is BAD_NAME", supvisors.IsFault(err, supvisors.FaultBadName), err)

	apps := must[[]supvisors.ApplicationInfo](t, "get_all_applications_info")(c.GetAllApplicationsInfo(ctx))
	byName := map[string]supvisors.ApplicationInfo{}
	for _, a := range apps {
		byName[a.ApplicationName] = a
	}
	for _, name := range []string{"web", "batch", "worker", "pool", "tools", "faulty", "slow", "app_a", "app_h", "pg_a", "pg_d"} {
		expect(t, "application "+name, byName[name].ApplicationName == name, byName[name])
	}
	expect(t, "tools unmanaged", !byName["tools"].Managed && byName["web"].Managed, byName["tools"])
	expect(t, "batch stopped", byName["batch"].Statename == supvisors.ApplicationStopped, byName["batch"])
	web := must[supvisors.ApplicationInfo](t, "get_application_info")(c.GetApplicationInfo(ctx, "web"))
	expect(t, "web", web.Statename == supvisors.ApplicationRunning && web.Managed && !web.MajorFailure && web.NowMonotonic > 0, web)
	_, err = c.GetApplicationInfo(ctx, "nope")
	expect(t, "unknown application is BAD_NAME", supvisors.IsFault(err, supvisors.FaultBadName), err)

	wr := must[supvisors.ApplicationRules](t, "get_application_rules web")(c.GetApplicationRules(ctx, "web"))
	expect(t, "rules web", wr.Managed && wr.Distribution == "SINGLE_INSTANCE" && wr.StartSequence == 1 && wr.StopSequence == 1 &&
		wr.StartingFailureStrategy == "STOP" && wr.RunningFailureStrategy == "CONTINUE" && wr.StatusFormula == "all('web_.*')" &&
		slices.Equal(wr.Identifiers, []string{"*"}) && wr.StartingStrategy == "CONFIG", wr)
	br := must[supvisors.ApplicationRules](t, "get_application_rules batch")(c.GetApplicationRules(ctx, "batch"))
	expect(t, "rules batch", br.Managed && br.Distribution == "ALL_INSTANCES" && br.StartSequence == 0 &&
		br.StartingFailureStrategy == "ABORT" && br.RunningFailureStrategy == "CONTINUE", br)
	tr := must[supvisors.ApplicationRules](t, "get_application_rules tools")(c.GetApplicationRules(ctx, "tools"))
	expect(t, "rules tools", !tr.Managed && tr.ApplicationName == "tools", tr)

	all := must[[]supvisors.ProcessInfo](t, "get_all_process_info")(c.GetAllProcessInfo(ctx))
	expect(t, "all processes", len(all) >= 20, len(all))
	workers := must[[]supvisors.ProcessInfo](t, "get_process_info")(c.GetProcessInfo(ctx, "worker:*"))
	expect(t, "worker:*", len(workers) == 3, workers)
	for i, p := range workers {
		expect(t, "worker process "+p.Namespec(), p.Namespec() == fmt.Sprintf("worker:worker_%d", i) &&
			p.Statename == supvisors.ProcessRunning && slices.Equal(p.Identifiers, []string{ids[i]}) && p.ExtraArgs == "", p)
	}

	locals := must[[]supvisors.LocalProcessInfo](t, "get_all_local_process_info")(c.GetAllLocalProcessInfo(ctx))
	expect(t, "local processes", slices.ContainsFunc(locals, func(p supvisors.LocalProcessInfo) bool { return p.Namespec() == "worker:worker_0" }), len(locals))
	w0 := must[supvisors.LocalProcessInfo](t, "get_local_process_info")(c.GetLocalProcessInfo(ctx, "worker:worker_0"))
	expect(t, "local worker_0", w0.Statename == supvisors.ProcessRunning && w0.ProgramName == "worker" && w0.ProcessIndex == 0 &&
		w0.Pid > 0 && w0.Start > 0 && w0.Startsecs == 1 && !w0.Disabled, w0)

	inner := must[[]supvisors.InnerProcessInfo](t, "get_all_inner_process_info")(c.GetAllInnerProcessInfo(ctx, "node2"))
	expect(t, "inner node2", len(inner) >= 20, len(inner))
	w1 := must[[]supvisors.InnerProcessInfo](t, "get_inner_process_info")(c.GetInnerProcessInfo(ctx, "node2", "worker:worker_1"))
	expect(t, "inner worker_1", len(w1) == 1 && w1[0].Statename == supvisors.ProcessRunning && w1[0].Identifier == ids[1] && w1[0].Pid > 0, w1)

	pr := must[[]supvisors.ProcessRules](t, "get_process_rules")(c.GetProcessRules(ctx, "batch:batch_init"))
	expect(t, "rules batch_init", len(pr) == 1 && pr[0].Required && pr[0].WaitExit && pr[0].StartSequence == 1 && pr[0].ProcessName == "batch_init", pr)
	wrules := must[[]supvisors.ProcessRules](t, "get_process_rules worker")(c.GetProcessRules(ctx, "worker:*"))
	for i, r := range wrules {
		expect(t, "rules "+r.Namespec(), slices.Equal(r.Identifiers, []string{ids[i]}), r)
	}

	conflicts := must[[]supvisors.ProcessInfo](t, "get_conflicts")(c.GetConflicts(ctx))
	expect(t, "no conflicts", len(conflicts) == 0, conflicts)

	pred := must[[]supvisors.StartPrediction](t, "test_start_application")(c.TestStartApplication(ctx, supvisors.StrategyConfig, "batch"))
	expect(t, "prediction batch", len(pred) == 2 && pred[0].ProcessName == "batch_init" && len(pred[1].RunningIdentifiers) == 1, pred)
	ppred := must[[]supvisors.StartPrediction](t, "test_start_process")(c.TestStartProcess(ctx, supvisors.StrategyLessLoaded, "pool:*"))
	expect(t, "prediction pool", len(ppred) == 2 && ppred[0].State == supvisors.ProcessRunning, ppred)

	_, err = c.GetLoggerLevels(ctx)
	expect(t, "get_logger_levels is listed but UNKNOWN_METHOD", supvisors.IsFault(err, supvisors.FaultUnknownMethod), err)
	expect(t, "get_logger_levels is not ErrNotSupvisors", !errors.Is(err, supvisors.ErrNotSupvisors), err)

	info := must[*supvisors.APIInfo](t, "Detect")(c.Detect(ctx))
	expect(t, "detect", info.Version == ver && info.Has("supvisors.start_application"), info.Version)
}

func TestLabSupervisorAndSystemReads(t *testing.T) {
	ctx := needLab(t, time.Minute)
	c := lab.Client(0)
	settle(t, ctx, c)
	s := c.Supervisor()
	expect(t, "getAPIVersion", must[string](t, "getAPIVersion")(s.GetAPIVersion(ctx)) == "3.0", nil)
	expect(t, "getVersion", must[string](t, "getVersion")(s.GetVersion(ctx)) == "3.0", nil)
	sv := must[string](t, "getSupervisorVersion")(s.GetSupervisorVersion(ctx))
	expect(t, "supervisor version", strings.HasPrefix(sv, "4."), sv)
	expect(t, "identification", must[string](t, "getIdentification")(s.GetIdentification(ctx)) == "node1", nil)
	st := must[supvisors.SupervisorState](t, "getState")(s.GetState(ctx))
	expect(t, "supervisor state", st.Statename == supvisors.SupervisorRunning && st.Statecode == 1, st)
	expect(t, "pid", must[int](t, "getPID")(s.GetPID(ctx)) > 1, nil)
	logText := must[string](t, "readLog")(s.ReadLog(ctx, -200, 0))
	expect(t, "readLog", len(logText) > 0, len(logText))
	_ = must[string](t, "readMainLog")(s.ReadMainLog(ctx, -100, 0))
	cfgs := must[[]supvisors.ConfigInfo](t, "getAllConfigInfo")(s.GetAllConfigInfo(ctx))
	i := slices.IndexFunc(cfgs, func(ci supvisors.ConfigInfo) bool { return ci.Namespec() == "worker:worker_0" })
	expect(t, "config worker_0", i >= 0 && cfgs[i].Startsecs == 1 && !cfgs[i].Autostart && cfgs[i].Inuse && cfgs[i].Stopsignal == 15, cfgs[max(i, 0)])
	pi := must[supvisors.SupervisorProcessInfo](t, "getProcessInfo")(s.GetProcessInfo(ctx, "worker:worker_0"))
	expect(t, "process worker_0", pi.Statename == supvisors.ProcessRunning && pi.Pid > 0 && pi.Group == "worker", pi)
	_, err := s.GetProcessInfo(ctx, "nope:x")
	expect(t, "BAD_NAME", supvisors.IsFault(err, supvisors.FaultBadName), err)
	allp := must[[]supvisors.SupervisorProcessInfo](t, "getAllProcessInfo")(s.GetAllProcessInfo(ctx))
	expect(t, "all supervisor processes", len(allp) == len(cfgs), len(allp))
	_ = must[string](t, "readProcessStdoutLog")(s.ReadProcessStdoutLog(ctx, "worker:worker_0", 0, 100))
	_ = must[string](t, "readProcessLog")(s.ReadProcessLog(ctx, "worker:worker_0", 0, 100))
	_, err = s.ReadProcessStderrLog(ctx, "worker:worker_0", 0, 100)
	expect(t, "stderr redirected: NO_FILE", supvisors.IsFault(err, supvisors.FaultNoFile), err)
	tail := must[supvisors.LogTail](t, "tailProcessStdoutLog")(s.TailProcessStdoutLog(ctx, "worker:worker_0", 0, 100))
	expect(t, "tail", tail.Offset >= 0, tail)
	_ = must[supvisors.LogTail](t, "tailProcessLog")(s.TailProcessLog(ctx, "worker:worker_0", 0, 100))
	// stderr is redirected: reading it is NO_FILE, tailing it gives nothing.
	etail, err := s.TailProcessStderrLog(ctx, "worker:worker_0", 0, 100)
	expect(t, "tail stderr", (err == nil && etail.Bytes == "") || supvisors.IsFault(err, supvisors.FaultNoFile), err)

	sys := c.System()
	sig := must[[]string](t, "methodSignature")(sys.MethodSignature(ctx, "supvisors.start_process"))
	expect(t, "signature", slices.Equal(sig, []string{"bool", "StartingStrategies", "str", "str", "bool"}), sig)
	help := must[string](t, "methodHelp")(sys.MethodHelp(ctx, "supvisors.start_application"))
	expect(t, "help", strings.Contains(help, "strategy"), help)
	res := must[[]supvisors.MulticallResult](t, "multicall")(sys.Multicall(ctx, []supvisors.MulticallCall{
		{Method: "supvisors.get_api_version"},
		{Method: "supvisors.get_application_info", Params: []any{"nope"}},
		{Method: "supervisor.getState"},
	}))
	var fa *supvisors.Fault
	expect(t, "multicall", len(res) == 3 && res[0].Err == nil && errors.As(res[1].Err, &fa) && fa.Code == supvisors.FaultBadName && res[2].Err == nil, res)
	raw := must[any](t, "Call")(c.Call(ctx, "supervisor.getState"))
	expect(t, "Call", raw.(map[string]any)["statename"] == "RUNNING", raw)
}

// TestLabWrappedMethodsCoverage compares system.listMethods on the live cluster
// with the methods the client wraps: every listed method must be wrapped.
func TestLabWrappedMethodsCoverage(t *testing.T) {
	ctx := needLab(t, time.Minute)
	listed := must[[]string](t, "listMethods")(lab.Client(0).System().ListMethods(ctx))
	wrapped := supvisors.WrappedMethods()
	var missing, extra []string
	for _, m := range listed {
		if !slices.Contains(wrapped, m) {
			missing = append(missing, m)
		}
	}
	oldNames := []string{"supvisors.get_address_info", "supvisors.get_all_addresses_info", "supvisors.get_master_address"}
	for _, m := range wrapped {
		if !slices.Contains(listed, m) && !slices.Contains(oldNames, m) { // the address API of 0.10 / 0.11
			extra = append(extra, m)
		}
	}
	if len(missing) > 0 {
		t.Errorf("listed by the server but not wrapped: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("wrapped but not listed by this server: %v", extra)
	}
	count := map[string]int{}
	for _, m := range listed {
		ns, _, _ := strings.Cut(m, ".")
		count[ns]++
	}
	t.Logf("system.listMethods: %d methods %v", len(listed), count)
	// supvisors.get_logger_levels is listed although the server cannot call it.
	expect(t, "get_logger_levels listed", slices.Contains(listed, "supvisors.get_logger_levels"), listed)
}

func TestLabUnixSocketAndAuth(t *testing.T) {
	ctx := needLab(t, time.Minute)
	for i := range lab.Size() {
		u := lab.Client(i, func(c *supvisors.Config) { c.URL = lab.SocketURL(i) })
		st := must[supvisors.SupvisorsState](t, "over "+lab.SocketURL(i))(u.GetSupvisorsState(ctx))
		expect(t, "unix identifier", st.Identifier == lab.Identifier(i), st.Identifier)
		expect(t, "unix endpoint", u.Endpoint() == lab.SocketURL(i), u.Endpoint())
	}
	bad := lab.Client(0, func(c *supvisors.Config) { c.Password = "wrong-password" })
	_, err := bad.GetSupvisorsState(ctx)
	var he *supvisors.HTTPError
	expect(t, "401", errors.Is(err, supvisors.ErrUnauthorized) && errors.As(err, &he) && he.StatusCode == 401, err)
	expect(t, "401 not retried", bad.Requests() == 1, bad.Requests())
	expect(t, "no password in the error", !strings.Contains(err.Error(), "wrong-password") && !strings.Contains(err.Error(), lab.Password()), err.Error())
	badUnix := lab.Client(0, func(c *supvisors.Config) { c.URL, c.Password = lab.SocketURL(0), "wrong-password" })
	_, err = badUnix.GetSupvisorsState(ctx)
	expect(t, "401 over the socket", errors.Is(err, supvisors.ErrUnauthorized), err)
	_, err = bad.Detect(ctx)
	expect(t, "Detect 401", errors.Is(err, supvisors.ErrUnauthorized) && !errors.Is(err, supvisors.ErrNotSupvisors), err)
	// A plain HTTP server that is not XML-RPC: 404 on the wrong path.
	nopath := lab.Client(0, func(c *supvisors.Config) { c.URL = lab.URL(0) + "/nope" })
	_, err = nopath.GetAPIVersion(ctx)
	t.Logf("wrong path answers: %v", err)
	expect(t, "wrong path is an HTTP error", errors.As(err, &he), err)
}

func TestLabSnapshotCost(t *testing.T) {
	ctx := needLab(t, time.Minute)
	c := lab.Client(0)
	ok(t, "detect", func() error { _, err := c.Detect(ctx); return err }())
	var wg sync.WaitGroup
	errs := make([]error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = c.Snapshot(ctx) }()
	}
	wg.Wait()
	for _, err := range errs {
		ok(t, "snapshot", err)
	}
	s := must[*supvisors.Snapshot](t, "snapshot")(c.Snapshot(ctx))
	expect(t, "requests (Detect + one snapshot multicall)", c.Requests() == 2, c.Requests())
	expect(t, "snapshot content", s.State.FSMStatename == supvisors.StateOperation && len(s.Match("worker:*")) == 3 &&
		slices.Contains(s.ManagedApplicationNames(), "web") && !slices.Contains(s.ManagedApplicationNames(), "tools"), s.ApplicationNames())
}

func TestLabStartStopApplication(t *testing.T) {
	ctx := needLab(t, 3*time.Minute)
	c := lab.Client(1) // commands sent to a non-master instance act cluster-wide
	settle(t, ctx, c)
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, app := range []string{"batch", "faulty"} {
			if err := c.StopApplication(cctx, app, true); err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
				t.Errorf("cleanup stop %s: %v", app, err)
			}
		}
	})

	begin := time.Now()
	ok(t, "start batch", c.StartApplication(ctx, supvisors.StrategyConfig, "batch", false))
	info, procs, err := c.WaitApplication(ctx, "batch", supvisors.ApplicationRunning)
	ok(t, "wait batch", err)
	t.Logf("batch RUNNING %s after start_application(wait=false)", time.Since(begin).Round(time.Millisecond))
	expect(t, "batch info", info.Statename == supvisors.ApplicationRunning && len(procs) == 2, info)
	expect(t, "batch_init exited", procs[0].Statename == supvisors.ProcessExited && procs[0].ExpectedExit, procs[0])
	expect(t, "batch_job running", procs[1].Statename == supvisors.ProcessRunning && len(procs[1].Identifiers) == 1, procs[1])

	err = c.StartApplication(ctx, supvisors.StrategyConfig, "batch", false)
	expect(t, "ALREADY_STARTED", supvisors.IsFault(err, supvisors.FaultAlreadyStarted), err)

	ok(t, "stop batch", c.StopApplication(ctx, "batch", false))
	info, _, err = c.WaitApplication(ctx, "batch", supvisors.ApplicationStopped)
	ok(t, "wait batch stopped", err)
	expect(t, "batch stopped", info.Statename == supvisors.ApplicationStopped, info)
	err = c.StopApplication(ctx, "batch", false)
	expect(t, "NOT_RUNNING", supvisors.IsFault(err, supvisors.FaultNotRunning), err)

	err = c.StartApplication(ctx, supvisors.StrategyConfig, "tools", false)
	expect(t, "NOT_MANAGED", supvisors.IsFault(err, supvisors.FaultNotManaged), err)
	err = c.StartApplication(ctx, supvisors.StrategyConfig, "nope", false)
	expect(t, "BAD_NAME", supvisors.IsFault(err, supvisors.FaultBadName), err)
	// A strategy the release does not accept is refused before sending (the server would say INCORRECT_PARAMETERS).
	err = c.StartApplication(ctx, supvisors.StartingStrategy("config"), "batch", false)
	expect(t, "refused before sending", errors.Is(err, supvisors.ErrUnsupported) && strings.Contains(err.Error(), `"config"`), err)

	// A start that fails: the settle error names each process and its spawn error.
	ok(t, "start faulty", c.StartApplication(ctx, supvisors.StrategyConfig, "faulty", false))
	_, _, err = c.WaitApplication(ctx, "faulty", supvisors.ApplicationRunning)
	var se *supvisors.SettleError
	if !errors.As(err, &se) {
		t.Fatalf("faulty: %v", err)
	}
	t.Logf("faulty: %v", err)
	expect(t, "settle error", se.Got == "STOPPED" && se.Want == "RUNNING" && len(se.Processes) == 2, se)
	for _, p := range se.Processes {
		expect(t, "failed "+p.Namespec, p.Statename == supvisors.ProcessFatal, p)
	}
	mi := slices.IndexFunc(se.Processes, func(p supvisors.ProcessFailure) bool { return p.Namespec == "faulty:missing_bin" })
	expect(t, "spawn error of missing_bin", mi >= 0 && strings.Contains(se.Processes[mi].Spawnerr, "/nonexistent/lab/binary"), se.Processes)

	// restart_application with wait=true on the running demo application.
	begin = time.Now()
	ok(t, "restart web", c.RestartApplication(ctx, supvisors.StrategyConfig, "web", true))
	t.Logf("restart_application(web, wait=true) took %s", time.Since(begin).Round(time.Millisecond))
	_, _, err = c.WaitApplication(ctx, "web", supvisors.ApplicationRunning)
	ok(t, "web after restart", err)
}

func TestLabProcesses(t *testing.T) {
	ctx := needLab(t, 3*time.Minute)
	c := lab.Client(0)
	settle(t, ctx, c)
	stop := func(ns string) {
		if err := c.StopProcess(ctx, ns, false); err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
			t.Fatalf("stop %s: %v", ns, err)
		}
		if _, err := c.WaitProcesses(ctx, ns, false); err != nil {
			t.Fatalf("wait stopped %s: %v", ns, err)
		}
	}
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, ns := range []string{"tools:*", "app_h:*"} {
			if err := c.StopProcess(cctx, ns, true); err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
				t.Errorf("cleanup %s: %v", ns, err)
			}
		}
	})

	// Unmanaged group: start_process works.
	ok(t, "start tools:tool", c.StartProcess(ctx, supvisors.StrategyLessLoaded, "tools:tool", "", false))
	procs, err := c.WaitProcesses(ctx, "tools:tool", true)
	ok(t, "wait tools:tool", err)
	expect(t, "tool running", len(procs) == 1 && procs[0].Statename == supvisors.ProcessRunning && len(procs[0].Identifiers) == 1, procs)
	ok(t, "restart tools:tool", c.RestartProcess(ctx, supvisors.StrategyConfig, "tools:tool", "", true))
	restarted, err := c.WaitProcesses(ctx, "tools:tool", true)
	ok(t, "wait restarted tool", err)
	expect(t, "tool restarted", restarted[0].LastEventMtime > procs[0].LastEventMtime, restarted)
	stop("tools:tool")
	err = c.StopProcess(ctx, "tools:tool", false)
	expect(t, "NOT_RUNNING", supvisors.IsFault(err, supvisors.FaultNotRunning), err)

	// start_any_process returns the namespec it started.
	ns := must[string](t, "start_any_process")(c.StartAnyProcess(ctx, supvisors.StrategyConfig, "^app_h:", "", true))
	expect(t, "start_any_process", ns == "app_h:main" || ns == "app_h:side", ns)
	stop("app_h:*")
	_, err = c.StartAnyProcess(ctx, supvisors.StrategyConfig, "zzz", "", true)
	expect(t, "FAILED", supvisors.IsFault(err, supvisors.FaultFailed), err)

	// start_args is local-only: it starts on the instance that receives it.
	node2 := must[*supvisors.Client](t, "Instance node2")(c.Instance(ctx, "node2"))
	ok(t, "start_args", node2.StartArgs(ctx, "tools:tool", "--lab-arg", true))
	procs, err = c.WaitProcesses(ctx, "tools:tool", true)
	ok(t, "wait start_args", err)
	expect(t, "start_args on node2 with its args", len(procs) == 1 && slices.Equal(procs[0].Identifiers, []string{lab.Identifier(1)}) &&
		procs[0].ExtraArgs == "--lab-arg", procs)
	stop("tools:tool")
	// Extra args stick in node2's program configuration: reset them.
	ok(t, "start_args reset", node2.StartArgs(ctx, "tools:tool", "", true))
	stop("tools:tool")

	// Process group of a managed application, with wait=false then a wait.
	ok(t, "start pg_a:*", c.StartProcess(ctx, supvisors.StrategyConfig, "pg_a:*", "", false))
	procs, err = c.WaitProcesses(ctx, "pg_a:*", true)
	ok(t, "wait pg_a", err)
	expect(t, "pg_a processes", len(procs) == 3, procs)
	stop("pg_a:*")

	// Process starts that fail give a SettleError too.
	ok(t, "start faulty:missing_bin", c.StartProcess(ctx, supvisors.StrategyConfig, "faulty:missing_bin", "", false))
	_, err = c.WaitProcesses(ctx, "faulty:missing_bin", true)
	var se *supvisors.SettleError
	expect(t, "missing_bin settle", errors.As(err, &se) && len(se.Processes) == 1 && strings.Contains(se.Processes[0].Spawnerr, "nonexistent"), err)
}

// TestLabUpdateNumprocsEveryInstance changes numprocs of the homogeneous
// program pool on every instance (update_numprocs is local-only), then
// restores it.
func TestLabUpdateNumprocsEveryInstance(t *testing.T) {
	ctx := needLab(t, 3*time.Minute)
	c := lab.Client(0)
	settle(t, ctx, c)
	set := func(n int) {
		for i := range lab.Size() {
			ic := must[*supvisors.Client](t, "Instance")(c.Instance(ctx, lab.Nick(i)))
			ok(t, fmt.Sprintf("update_numprocs(pool, %d) on %s", n, lab.Nick(i)), ic.UpdateNumprocs(ctx, "pool", n, true, false))
		}
	}
	restored := false
	t.Cleanup(func() {
		if !restored {
			set(2)
		}
	})
	set(3)
	for i := range lab.Size() {
		ic := must[*supvisors.Client](t, "Instance")(c.Instance(ctx, lab.Identifier(i)))
		lp, err := ic.GetLocalProcessInfo(ctx, "pool:pool_2")
		expect(t, "pool_2 on "+lab.Nick(i), err == nil && lp.ProgramName == "pool" && lp.ProcessIndex == 2, err)
	}
	procs := must[[]supvisors.ProcessInfo](t, "get_process_info")(c.GetProcessInfo(ctx, "pool:*"))
	expect(t, "3 pool processes", len(procs) == 3, procs)
	set(2)
	restored = true
	for i := range lab.Size() {
		ic := must[*supvisors.Client](t, "Instance")(c.Instance(ctx, lab.Nick(i)))
		_, err := ic.GetLocalProcessInfo(ctx, "pool:pool_2")
		expect(t, "pool_2 gone from "+lab.Nick(i), supvisors.IsFault(err, supvisors.FaultBadName), err)
	}
	// numprocs on a non-homogeneous program is refused.
	node1 := must[*supvisors.Client](t, "Instance")(c.Instance(ctx, "node1"))
	err := node1.UpdateNumprocs(ctx, "pool", 0, true, false)
	expect(t, "numprocs 0", supvisors.IsFault(err, supvisors.FaultIncorrectParameters), err)
}

func TestLabEnableDisable(t *testing.T) {
	ctx := needLab(t, 3*time.Minute)
	c := lab.Client(0)
	settle(t, ctx, c)
	each := func(f func(ic *supvisors.Client, i int)) {
		for i := range lab.Size() {
			f(must[*supvisors.Client](t, "Instance")(c.Instance(ctx, lab.Identifier(i))), i)
		}
	}
	enabled := false
	t.Cleanup(func() {
		if !enabled {
			each(func(ic *supvisors.Client, _ int) { _ = ic.Enable(context.Background(), "pool", true) })
		}
	})
	each(func(ic *supvisors.Client, i int) { ok(t, "disable on "+lab.Nick(i), ic.Disable(ctx, "pool", true)) })
	each(func(ic *supvisors.Client, i int) {
		lp := must[supvisors.LocalProcessInfo](t, "local pool_0")(ic.GetLocalProcessInfo(ctx, "pool:pool_0"))
		expect(t, "pool_0 disabled on "+lab.Nick(i), lp.Disabled, lp)
	})
	node2 := must[*supvisors.Client](t, "Instance")(c.Instance(ctx, "node2"))
	err := node2.Supervisor().StartProcess(ctx, "pool:pool_0", true)
	expect(t, "DISABLED", supvisors.IsFault(err, supvisors.FaultDisabled), err)
	err = node2.StartArgs(ctx, "pool:pool_0", "", true)
	expect(t, "start_args DISABLED", supvisors.IsFault(err, supvisors.FaultDisabled), err)
	each(func(ic *supvisors.Client, i int) { ok(t, "enable on "+lab.Nick(i), ic.Enable(ctx, "pool", true)) })
	enabled = true
	each(func(ic *supvisors.Client, i int) {
		lp := must[supvisors.LocalProcessInfo](t, "local pool_0")(ic.GetLocalProcessInfo(ctx, "pool:pool_0"))
		expect(t, "pool_0 enabled on "+lab.Nick(i), !lp.Disabled, lp)
	})
}

// TestLabConflictAndConciliate makes a conflict (the same process started by
// hand on two instances), sees CONCILIATION and the conflict, checks that a
// start is refused with a NotReadyError naming CONCILIATION, and conciliates
// back to OPERATION.
func TestLabConflictAndConciliate(t *testing.T) {
	ctx := needLab(t, 3*time.Minute)
	c := lab.Client(0)
	settle(t, ctx, c)
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		if _, err := c.WaitReady(cctx, supvisors.StateOperation, supvisors.StateConciliation); err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		if st, _ := c.GetSupvisorsState(cctx); st.FSMStatename == supvisors.StateConciliation {
			_, _ = c.Conciliate(cctx, supvisors.ConciliationSenicide)
			_, _ = c.WaitReady(cctx)
		}
		if err := c.StopProcess(cctx, "batch:batch_job", true); err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
			t.Errorf("cleanup stop: %v", err)
		}
	})
	for _, nick := range []string{"node2", "node3"} {
		ic := must[*supvisors.Client](t, "Instance")(c.Instance(ctx, nick))
		ok(t, "supervisor.startProcess on "+nick, ic.Supervisor().StartProcess(ctx, "batch:batch_job", true))
	}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	st, err := c.WaitReady(wctx, supvisors.StateConciliation)
	ok(t, "CONCILIATION", err)
	expect(t, "state", st.FSMStatename == supvisors.StateConciliation, st)

	conflicts := must[[]supvisors.ProcessInfo](t, "get_conflicts")(c.GetConflicts(ctx))
	expect(t, "conflict", len(conflicts) == 1 && conflicts[0].Namespec() == "batch:batch_job" && len(conflicts[0].Identifiers) == 2, conflicts)

	impatient := lab.Client(0, func(cfg *supvisors.Config) { cfg.ReadyTimeout = 500 * time.Millisecond })
	err = impatient.StartApplication(ctx, supvisors.StrategyConfig, "batch", false)
	var nr *supvisors.NotReadyError
	expect(t, "NotReadyError in CONCILIATION", errors.As(err, &nr) && nr.State == supvisors.StateConciliation &&
		strings.Contains(err.Error(), "supvisors_conflicts"), err)
	t.Logf("start in CONCILIATION: %v", err)

	applied := must[bool](t, "conciliate USER")(c.Conciliate(ctx, supvisors.ConciliationUser))
	expect(t, "USER does nothing", !applied, applied)
	applied = must[bool](t, "conciliate SENICIDE")(c.Conciliate(ctx, supvisors.ConciliationSenicide))
	expect(t, "SENICIDE applied", applied, applied)
	wctx2, cancel2 := context.WithTimeout(ctx, 60*time.Second)
	defer cancel2()
	_, err = c.WaitReady(wctx2)
	ok(t, "back to OPERATION", err)
	procs, err := c.WaitProcesses(ctx, "batch:batch_job", true)
	ok(t, "batch_job after conciliation", err)
	expect(t, "one instance left", len(procs) == 1 && len(procs[0].Identifiers) == 1, procs)
	expect(t, "no conflict left", len(must[[]supvisors.ProcessInfo](t, "get_conflicts")(c.GetConflicts(ctx))) == 0, nil)
}

func TestLabSettingsAndRefusals(t *testing.T) {
	ctx := needLab(t, 2*time.Minute)
	c := lab.Client(0)
	settle(t, ctx, c)
	stats := must[supvisors.StatisticsStatus](t, "stats")(c.GetStatisticsStatus(ctx))
	t.Cleanup(func() {
		_ = c.EnableHostStatistics(context.Background(), stats.HostStats)
		_ = c.EnableProcessStatistics(context.Background(), stats.ProcessStats)
		_ = c.UpdateCollectingPeriod(context.Background(), stats.CollectingPeriod)
		_ = c.ChangeLogLevel(context.Background(), supvisors.LogInfo)
	})
	if stats.HostStats { // psutil present
		ok(t, "enable_host_statistics", c.EnableHostStatistics(ctx, false))
		ok(t, "enable_process_statistics", c.EnableProcessStatistics(ctx, false))
		ok(t, "update_collecting_period", c.UpdateCollectingPeriod(ctx, 7))
		now := must[supvisors.StatisticsStatus](t, "stats")(c.GetStatisticsStatus(ctx))
		expect(t, "statistics changed", !now.HostStats && !now.ProcessStats && now.CollectingPeriod == 7, now)
	} else {
		err := c.EnableHostStatistics(ctx, true)
		expect(t, "NOT_INSTALLED", supvisors.IsFault(err, supvisors.FaultNotInstalled), err)
		_ = c.EnableProcessStatistics(ctx, true)
		_ = c.UpdateCollectingPeriod(ctx, 7)
	}
	ok(t, "change_log_level debug", c.ChangeLogLevel(ctx, supvisors.LogDebug))
	err := c.ChangeLogLevel(ctx, supvisors.LogLevel("verbose"))
	expect(t, "bad level", supvisors.IsFault(err, supvisors.FaultIncorrectParameters), err)
	ok(t, "change_log_level info", c.ChangeLogLevel(ctx, supvisors.LogInfo))

	// Refused in OPERATION: end_sync (SYNCHRONIZATION only), conciliate (CONCILIATION only).
	impatient := lab.Client(0, func(cfg *supvisors.Config) { cfg.ReadyTimeout = -1 })
	err = impatient.EndSync(ctx, "")
	var nr *supvisors.NotReadyError
	expect(t, "end_sync in OPERATION", errors.As(err, &nr) && nr.State == supvisors.StateOperation &&
		slices.Equal(nr.Accepted, []string{"SYNCHRONIZATION"}), err)
	_, err = impatient.Conciliate(ctx, supvisors.ConciliationSenicide)
	expect(t, "conciliate in OPERATION", errors.As(err, &nr) && slices.Equal(nr.Accepted, []string{"CONCILIATION"}), err)
	// restart_sequence: nothing to start (web and worker run) -> ABNORMAL_TERMINATION.
	err = c.RestartSequence(ctx, true)
	expect(t, "restart_sequence", err == nil || supvisors.IsFault(err, supvisors.FaultAbnormalTermination), err)
	settle(t, ctx, c)
}

// TestLabSupervisorMutations calls the supervisor.* actions that do not stop
// the cluster, on the unmanaged group tools of node3.
func TestLabSupervisorMutations(t *testing.T) {
	ctx := needLab(t, 2*time.Minute)
	c := lab.Client(0)
	settle(t, ctx, c)
	n3 := must[*supvisors.Client](t, "Instance")(c.Instance(ctx, "node3")).Supervisor()
	t.Cleanup(func() { _, _ = n3.StopProcessGroup(context.Background(), "tools", true) })

	res := must[[]supvisors.ProcessStatus](t, "startProcessGroup")(n3.StartProcessGroup(ctx, "tools", true))
	expect(t, "startProcessGroup", len(res) == 1 && res[0].OK() && res[0].Name == "tool", res)
	ok(t, "sendProcessStdin", n3.SendProcessStdin(ctx, "tools:tool", "hello\n"))
	ok(t, "signalProcess", n3.SignalProcess(ctx, "tools:tool", "CONT"))
	res = must[[]supvisors.ProcessStatus](t, "signalProcessGroup")(n3.SignalProcessGroup(ctx, "tools", "CONT"))
	expect(t, "signalProcessGroup", len(res) == 1 && res[0].OK(), res)
	ok(t, "clearProcessLogs", n3.ClearProcessLogs(ctx, "tools:tool"))
	ok(t, "clearProcessLog", n3.ClearProcessLog(ctx, "tools:tool"))
	// clearAllProcessLogs clears one process per supervisord main-loop tick
	// (up to 1 s when idle): with ~50 processes it outlasts the default
	// request timeout unless other requests wake the loop. Run it on node2
	// with a long timeout while polling node2.
	n2 := lab.Client(1, func(cfg *supvisors.Config) { cfg.RequestTimeout = 3 * time.Minute })
	type clearResult struct {
		res []supvisors.ProcessStatus
		err error
		d   time.Duration
	}
	cleared := make(chan clearResult, 1)
	go func() {
		begin := time.Now()
		r, err := n2.Supervisor().ClearAllProcessLogs(ctx)
		cleared <- clearResult{r, err, time.Since(begin)}
	}()
	var cr clearResult
poll:
	for {
		select {
		case cr = <-cleared:
			break poll
		case <-time.After(50 * time.Millisecond):
			if _, err := n2.Supervisor().GetState(ctx); err != nil {
				t.Fatalf("node2 while clearing logs: %v", err)
			}
		}
	}
	ok(t, "clearAllProcessLogs", cr.err)
	expect(t, "clearAllProcessLogs", len(cr.res) > 10 && cr.res[0].OK(), len(cr.res))
	t.Logf("clearAllProcessLogs of %d processes took %s (with polling)", len(cr.res), cr.d.Round(time.Millisecond))
	ok(t, "stopProcess", n3.StopProcess(ctx, "tools:tool", true))
	ok(t, "startProcess", n3.StartProcess(ctx, "tools:tool", true))
	res = must[[]supvisors.ProcessStatus](t, "stopProcessGroup")(n3.StopProcessGroup(ctx, "tools", true))
	expect(t, "stopProcessGroup", len(res) == 1 && res[0].OK(), res)
	ok(t, "sendRemoteCommEvent", n3.SendRemoteCommEvent(ctx, "lab", "data"))
	rr := must[supvisors.ReloadResult](t, "reloadConfig")(n3.ReloadConfig(ctx))
	expect(t, "reloadConfig: nothing changed", len(rr.Added)+len(rr.Changed)+len(rr.Removed) == 0, rr)
	err := n3.AddProcessGroup(ctx, "tools")
	expect(t, "ALREADY_ADDED", supvisors.IsFault(err, supvisors.FaultAlreadyAdded), err)
	ok(t, "removeProcessGroup app_g", n3.RemoveProcessGroup(ctx, "app_g"))
	ok(t, "addProcessGroup app_g", n3.AddProcessGroup(ctx, "app_g"))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = c.WaitReady(wctx)
	ok(t, "OPERATION after remove/add", err)
}

// TestLabZZDisruptive runs last (source order): the "all processes" actions of
// supervisor on one instance, a supervisord restart and shutdown of node3, the
// cluster-wide supvisors.restart, and finally supvisors.shutdown.
func TestLabZZDisruptive(t *testing.T) {
	ctx := needLab(t, 6*time.Minute)
	c := lab.Client(0)
	settle(t, ctx, c)
	n3c := must[*supvisors.Client](t, "Instance")(c.Instance(ctx, "node3"))
	n3 := n3c.Supervisor()
	// waitOperation waits until EVERY instance answers and sees OPERATION with
	// the 3 instances RUNNING (the view of one instance lags behind another's
	// restart).
	quick := make([]*supvisors.Client, lab.Size())
	for i := range quick {
		quick[i] = lab.Client(i, func(cfg *supvisors.Config) { cfg.ReadyTimeout, cfg.RequestTimeout = -1, 2*time.Second })
	}
	waitOperation := func(what string, d time.Duration) {
		t.Helper()
		begin := time.Now()
		deadline := begin.Add(d)
		last := ""
		for {
			ready := true
			for i, q := range quick {
				st, err := q.GetSupvisorsState(ctx)
				switch {
				case err != nil:
					last = fmt.Sprintf("%s: %v", lab.Nick(i), err)
				case st.FSMStatename != supvisors.StateOperation || st.DegradedMode || len(st.InstanceStates) != 3:
					last = fmt.Sprintf("%s: %s %v", lab.Nick(i), st.FSMStatename, st.InstanceStates)
				case slices.ContainsFunc(labIDs(), func(id string) bool { return st.InstanceStates[id] != string(supvisors.InstanceRunning) }):
					last = fmt.Sprintf("%s: %v", lab.Nick(i), st.InstanceStates)
				default:
					continue
				}
				ready = false
				break
			}
			if ready {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no OPERATION with 3 instances after %s; last: %s", what, d, last)
			}
			time.Sleep(250 * time.Millisecond)
		}
		t.Logf("%s: OPERATION with 3 instances after %s", what, time.Since(begin).Round(100*time.Millisecond))
	}

	step := time.Now()
	lap := func(what string) {
		t.Logf("%s took %s", what, time.Since(step).Round(time.Millisecond))
		step = time.Now()
	}
	res := must[[]supvisors.ProcessStatus](t, "signalAllProcesses")(n3.SignalAllProcesses(ctx, "CONT"))
	expect(t, "signalAllProcesses", len(res) >= 1, res)
	lap("signalAllProcesses")
	res = must[[]supvisors.ProcessStatus](t, "stopAllProcesses")(n3.StopAllProcesses(ctx, true))
	expect(t, "stopAllProcesses", len(res) >= 1, res)
	lap("stopAllProcesses(wait=true)")
	res = must[[]supvisors.ProcessStatus](t, "startAllProcesses")(n3.StartAllProcesses(ctx, false))
	expect(t, "startAllProcesses", len(res) > 10, len(res))
	lap("startAllProcesses(wait=false)")
	ok(t, "clearLog", n3.ClearLog(ctx))

	// Cluster-wide restart (accepted in OPERATION and CONCILIATION).
	begin := time.Now()
	ok(t, "supvisors.restart", c.Restart(ctx))
	time.Sleep(2 * time.Second) // leave OPERATION first
	waitOperation("supvisors.restart", 3*time.Minute)
	settle(t, ctx, c)
	t.Logf("supvisors.restart -> web and worker RUNNING again in %s", time.Since(begin).Round(100*time.Millisecond))

	// supervisor.restart of node3 (in place: same process, configuration
	// re-read): its Supvisors starts over and rejoins the cluster.
	n3quick := quick[2]
	before := must[supvisors.SupvisorsState](t, "node3 state")(n3quick.GetSupvisorsState(ctx))
	begin = time.Now()
	ok(t, "supervisor.restart node3", n3.Restart(ctx))
	seen := ""
	for left := time.Now().Add(30 * time.Second); seen == "" && time.Now().Before(left); time.Sleep(100 * time.Millisecond) {
		st, err := n3quick.GetSupvisorsState(ctx)
		switch {
		case err != nil:
			seen = "unreachable"
		case st.FSMStatename != supvisors.StateOperation || st.NowMonotonic < before.NowMonotonic:
			seen = string(st.FSMStatename)
		}
	}
	t.Logf("node3 seen %q %s after supervisor.restart", seen, time.Since(begin).Round(100*time.Millisecond))
	expect(t, "node3 restarting", seen != "", seen)
	waitOperation("supervisor.restart node3", 2*time.Minute)

	// supervisor.shutdown of node3, then the lab starts it again.
	begin = time.Now()
	ok(t, "supervisor.shutdown node3", n3.Shutdown(ctx))
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := n3quick.Supervisor().GetState(ctx); err != nil {
			var te *supvisors.TransportError
			expect(t, "node3 down", errors.As(err, &te), err)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("node3 still up after supervisor.shutdown")
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("node3 down %s after supervisor.shutdown", time.Since(begin).Round(100*time.Millisecond))
	// Its HTTP server stops first; the process exits once its programs are
	// stopped: let the lab reap it before starting it again.
	ok(t, "StopInstance node3", lab.StopInstance(2))
	begin = time.Now()
	ok(t, "StartInstance node3", lab.StartInstance(ctx, 2))
	waitOperation("node3 back", 2*time.Minute)
	t.Logf("node3 back after supervisor.shutdown in %s", time.Since(begin).Round(100*time.Millisecond))

	// Finally the whole cluster goes down.
	begin = time.Now()
	ok(t, "supvisors.shutdown", c.Shutdown(ctx))
	impatient := lab.Client(0, func(cfg *supvisors.Config) { cfg.ReadyTimeout = -1 })
	deadline = time.Now().Add(60 * time.Second)
	for {
		_, err := impatient.Supervisor().GetState(ctx)
		var te *supvisors.TransportError
		if errors.As(err, &te) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cluster still up after supvisors.shutdown: %v", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("supvisors.shutdown: node1 down after %s", time.Since(begin).Round(100*time.Millisecond))
}

// TestLabNamingRule checks that the naming rule finds the lab tests.
func TestLabNamingRule(t *testing.T) {
	if names := labTests(); len(names) < 10 || !slices.Contains(names, "TestLabZZDisruptive") {
		t.Fatalf("lab tests found by the naming rule: %v", names)
	}
}
