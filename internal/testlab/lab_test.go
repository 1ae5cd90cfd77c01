package testlab

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// state reads supvisors.get_supvisors_state from instance i.
func state(t *testing.T, c *Cluster, i int) supvisorsState {
	t.Helper()
	var st supvisorsState
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rpcCall(ctx, c.URL(i), c.Username(), c.Password(), "supvisors.get_supvisors_state", &st); err != nil {
		t.Fatalf("get_supvisors_state on %s: %v", c.Nick(i), err)
	}
	return st
}

// waitFor polls cond every 250ms until it holds or the timeout expires.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		var ok bool
		if ok, last = cond(); ok {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("timeout waiting for %s; last: %s", what, last)
}

// TestLab starts a real cluster, checks OPERATION, the lab applications and the transports, stops and
// restarts one instance, and checks that Stop leaves no process behind.
func TestLab(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real Supvisors cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), strings.Repeat("a-rather-long-directory-name-", 3)) // forces the short socket dir
	// the first attempt gets a port that is already taken: Start must retry with other ports
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = busy.Close() }()
	calls := 0
	pickPorts = func(n int) ([]int, error) {
		calls++
		ports, err := freePorts(n)
		if calls == 1 && err == nil {
			ports[1] = busy.Addr().(*net.TCPAddr).Port
		}
		return ports, err
	}
	defer func() { pickPorts = freePorts }()

	begin := time.Now()
	c, err := Start(ctx, Options{Dir: dir, BenchApps: 3, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("start to OPERATION: %s", time.Since(begin).Round(100*time.Millisecond))
	if calls != 2 {
		t.Errorf("ports picked %d times, want 2 (one clash, one retry)", calls)
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = c.Stop()
		}
	}()

	if c.Size() != 3 || c.Nick(2) != "node3" || !strings.HasPrefix(c.Identifier(0), "127.0.0.1:") ||
		c.URL(0) != "http://"+c.Identifier(0) || !strings.HasPrefix(c.SocketURL(0), "unix:///tmp/svlab-") {
		t.Fatalf("unexpected accessors: size %d nick %s id %s url %s socket %s",
			c.Size(), c.Nick(2), c.Identifier(0), c.URL(0), c.SocketURL(0))
	}
	for i := 0; i < c.Size(); i++ {
		st := state(t, c, i)
		if st.FSMStatename != "OPERATION" || st.Identifier != c.Identifier(i) || st.Nick != c.Nick(i) {
			t.Fatalf("instance %d: %v", i, st)
		}
		for j := 0; j < c.Size(); j++ {
			if st.InstanceStates[c.Identifier(j)] != "RUNNING" {
				t.Fatalf("instance %d sees %s as %q", i, c.Nick(j), st.InstanceStates[c.Identifier(j)])
			}
		}
	}

	// wrong credentials are refused
	var st supvisorsState
	if err := rpcCall(ctx, c.URL(0), c.Username(), "wrong", "supvisors.get_supvisors_state", &st); err == nil ||
		!strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong password: want HTTP 401, got %v", err)
	}

	// every lab application is known; web and worker run, the rest is stopped; tools is unmanaged
	var apps []applicationInfo
	if err := rpcCall(ctx, c.URL(1), c.Username(), c.Password(), "supvisors.get_all_applications_info", &apps); err != nil {
		t.Fatal(err)
	}
	got := map[string]applicationInfo{}
	for _, a := range apps {
		got[a.Name] = a
	}
	want := append([]string{"web", "batch", "worker", "pool", "tools", "faulty", "slow", "spread"}, Apps...)
	want = append(append(want, ProcessGroups...), BenchAppName(0), BenchAppName(2))
	for _, name := range want {
		a, ok := got[name]
		if !ok {
			t.Errorf("application %s missing", name)
			continue
		}
		if a.Managed != (name != "tools") {
			t.Errorf("application %s: managed=%v", name, a.Managed)
		}
	}
	waitFor(t, 30*time.Second, "web and worker RUNNING", func() (bool, string) {
		var apps []applicationInfo
		if err := rpcCall(ctx, c.URL(0), c.Username(), c.Password(), "supvisors.get_all_applications_info", &apps); err != nil {
			return false, err.Error()
		}
		var s []string
		ok := true
		for _, a := range apps {
			run := a.Name == "web" || a.Name == "worker"
			if (a.Statename == "RUNNING") != run {
				ok = false
			}
			s = append(s, a.Name+"="+a.Statename)
		}
		return ok, strings.Join(s, " ")
	})
	var procs []processInfo
	if err := rpcCall(ctx, c.URL(0), c.Username(), c.Password(), "supvisors.get_process_info", &procs, "worker:*"); err != nil {
		t.Fatal(err)
	}
	for i, p := range procs {
		if p.Process != "worker_"+string(rune('0'+i)) || len(p.Identifiers) != 1 || p.Identifiers[0] != c.Identifier(i) {
			t.Errorf("worker process %d: %+v (want worker_%d on %s)", i, p, i, c.Identifier(i))
		}
	}

	// the unix socket answers too, with the same credentials
	if err := rpcCallUnix(ctx, c.inst[0].Socket, c.Username(), c.Password(), "supvisors.get_supvisors_state", &st); err != nil ||
		st.Identifier != c.Identifier(0) {
		t.Fatalf("unix socket: %v %v", err, st)
	}

	// the project client works against the lab, over TCP and over the unix socket
	for _, cl := range []*supvisors.Client{c.Client(2), c.Client(1, func(cfg *supvisors.Config) { cfg.URL = c.SocketURL(1) })} {
		st, err := cl.GetSupvisorsState(ctx)
		if err != nil || st.FSMStatename != supvisors.StateOperation {
			t.Fatalf("client of %s: %v %+v", cl.Endpoint(), err, st)
		}
	}

	// a started program keeps running (its pdeathsig is tied to supervisord, not to a thread that may exit)
	if err := rpcCall(ctx, c.URL(0), c.Username(), c.Password(), "supvisors.start_application", nil, "CONFIG", "app_a", true); err != nil {
		t.Fatalf("start app_a: %v", err)
	}

	// one instance goes away and comes back
	begin = time.Now()
	if err := c.StopInstance(2); err != nil {
		t.Fatal(err)
	}
	t.Logf("StopInstance: %s", time.Since(begin).Round(100*time.Millisecond))
	if left := labProcesses(c.id, c.Nick(2)); len(left) != 0 {
		t.Fatalf("processes of node3 left after StopInstance: %v", left)
	}
	begin = time.Now()
	waitFor(t, 30*time.Second, "node3 STOPPED seen from node1, worker_2 no longer RUNNING there", func() (bool, string) {
		st := state(t, c, 0)
		var w2 []processInfo
		if err := rpcCall(ctx, c.URL(0), c.Username(), c.Password(), "supvisors.get_process_info", &w2, "worker:worker_2"); err != nil {
			return false, err.Error()
		}
		return st.FSMStatename == "OPERATION" && st.InstanceStates[c.Identifier(2)] == "STOPPED" &&
			len(w2) == 1 && w2[0].Statename != "RUNNING" && len(w2[0].Identifiers) == 0, fmt.Sprintf("%v %+v", st, w2)
	})
	t.Logf("loss of node3 noticed after %s", time.Since(begin).Round(100*time.Millisecond))
	begin = time.Now()
	if err := c.StartInstance(ctx, 2); err != nil {
		t.Fatal(err)
	}
	t.Logf("StartInstance to OPERATION: %s", time.Since(begin).Round(100*time.Millisecond))
	for i := 0; i < c.Size(); i++ {
		st := state(t, c, i)
		if st.FSMStatename != "OPERATION" || st.InstanceStates[c.Identifier(2)] != "RUNNING" {
			t.Fatalf("after StartInstance, instance %d: %v", i, st)
		}
	}
	var app applicationInfo
	if err := rpcCall(ctx, c.URL(0), c.Username(), c.Password(), "supvisors.get_application_info", &app, "app_a"); err != nil ||
		app.Statename != "RUNNING" {
		t.Fatalf("app_a after the restart of node3: %v %+v", err, app)
	}

	// Stop leaves nothing behind
	if len(c.ProcessesLeft()) < 3+2+2+3 { // 3 supervisord + web + app_a + worker
		t.Fatalf("expected the lab processes before Stop, got %v", c.ProcessesLeft())
	}
	sock := c.inst[0].Socket
	begin = time.Now()
	stopped = true
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Stop: %s", time.Since(begin).Round(100*time.Millisecond))
	if left := c.ProcessesLeft(); len(left) != 0 {
		t.Fatalf("processes left after Stop: %v", left)
	}
	if _, err := os.Stat(filepath.Dir(sock)); !os.IsNotExist(err) {
		t.Errorf("short socket directory %s not removed: %v", filepath.Dir(sock), err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// TestFreePorts checks that the ports are distinct and usable in supvisors_list (4-5 digits).
func TestFreePorts(t *testing.T) {
	ports, err := freePorts(5)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if seen[p] || p < 1024 || p > 65535 {
			t.Fatalf("bad ports %v", ports)
		}
		seen[p] = true
	}
}

// TestConfigs renders the configurations without starting anything.
func TestConfigs(t *testing.T) {
	dir := t.TempDir()
	rel, _ := LookupRelease("")
	c := &Cluster{opts: Options{Username: "u", Password: "p", BenchApps: 2}, dir: dir, run: "/usr/bin/setpriv --pdeathsig KILL -- ",
		rel: rel}
	for i, nick := range []string{"node1", "node2"} {
		c.inst = append(c.inst, &instance{Nick: nick, Identifier: "127.0.0.1:" + string(rune('5'+i)) + "0000",
			Var: filepath.Join(dir, "var", nick), Conf: filepath.Join(dir, "etc", nick+".conf")})
	}
	if err := c.writeConfigs(); err != nil {
		t.Fatal(err)
	}
	conf, _ := os.ReadFile(c.inst[0].Conf)
	for _, s := range []string{
		"supvisors_list = <node1>127.0.0.1:50000,<node2>127.0.0.1:60000",
		"[program:app_h_side]\nprocess_name = side",
		"[program:pg_d_multi]", "[program:bench_001]", "[group:tools]", "nodaemon = true",
		`command = /usr/bin/setpriv --pdeathsig KILL -- /bin/sh -c "exec sleep 100000"`,
		"command = /nonexistent/lab/binary",
		"[include]", "files = " + filepath.Join(dir, "etc", "conf.d") + "/*.conf",
	} {
		if !strings.Contains(string(conf), s) {
			t.Errorf("node1.conf lacks %q", s)
		}
	}
	if strings.Count(string(conf), "startsecs") != strings.Count(string(conf), "[program:") {
		t.Errorf("every program needs exactly one startsecs")
	}
	rules, _ := os.ReadFile(filepath.Join(dir, "etc", "rules.xml"))
	if !strings.Contains(string(rules), `pattern="^bench_[0-9]+$"`) || strings.Contains(string(rules), `name="tools"`) {
		t.Errorf("rules.xml:\n%s", rules)
	}
	if err := checkCredential("password", "a b"); err == nil {
		t.Error("a password with a space must be refused")
	}
}

// TestConfigsPerRelease renders the configuration of every release the lab runs and checks each era's format
// (VERSIONS.md §1).
func TestConfigsPerRelease(t *testing.T) {
	want := map[string][]string{
		"0.10":   {"address_list = vm\n", "rules_file = ", "internal_port = 50001", "event_port = 50002"},
		"0.11":   {"supvisors_list = <node1>127.0.0.1:50000:50001", "rules_files = ", "event_port = 50002"},
		"0.15":   {"supvisors_list = <node1>127.0.0.1:50000:50001", "disabilities_file = "},
		"0.18.7": {"supvisors_list = <node1>127.0.0.1:50000\n", "[unix_http_server]", "synchro_options = "},
		"0.19.1": {"supvisors_list = <node1>127.0.0.1:50000\n", "[unix_http_server]", "supvisors_failure_strategy = "},
	}
	rules := map[string]string{"0.10": "<addresses>", "0.11": "<distributed>false", "0.15": "<distribution>SINGLE_INSTANCE",
		"0.18.7": `pattern="^app_[a-z]$"`, "0.19.1": "<programs>"}
	for _, v := range Releases() {
		rel, err := LookupRelease(v)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		c := &Cluster{opts: Options{Username: "u", Password: "p"}, dir: dir, rel: rel, hostname: "vm"}
		in := &instance{Nick: "node1", Identifier: "127.0.0.1:50000", Port: 50000, InternalPort: 50001, EventPort: 50002,
			Host: "vm", Var: filepath.Join(dir, "var", "node1"), Conf: filepath.Join(dir, "etc", "node1.conf")}
		c.inst = []*instance{in}
		if err := c.writeConfigs(); err != nil {
			t.Fatal(err)
		}
		conf, _ := os.ReadFile(in.Conf)
		for _, s := range want[v] {
			s = strings.ReplaceAll(s, "\\n", "\n")
			if !strings.Contains(string(conf), s) {
				t.Errorf("%s: node1.conf lacks %q", v, s)
			}
		}
		if rel.Era < EraHTTP && strings.Contains(string(conf), "\n[unix_http_server]") {
			t.Errorf("%s: no unix server before 0.18 (0.11 hangs with two HTTP servers)", v)
		}
		r, _ := os.ReadFile(filepath.Join(dir, "etc", "rules.xml"))
		if !strings.Contains(string(r), rules[v]) || strings.Contains(string(r), `name="tools"`) {
			t.Errorf("%s: rules.xml lacks %q:\n%s", v, rules[v], r)
		}
	}
}

// TestStartFailureSaysWhy checks that a start that cannot reach OPERATION in time fails with the last state
// seen and the log tails, and leaves no process behind.
func TestStartFailureSaysWhy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real Supvisors cluster")
	}
	dir := t.TempDir()
	_, err := Start(context.Background(), Options{Dir: dir, StartTimeout: 4 * time.Second, Logf: t.Logf})
	if err == nil {
		t.Fatal("Start reached OPERATION in 4s?")
	}
	msg := err.Error()
	t.Log(msg)
	for _, want := range []string{"no OPERATION", "last get_supvisors_state", "fsm_statename=", "tail of " + dir} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	// nothing left: no process runs a configuration of this directory
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmd), dir) && !isZombie(atoi(e.Name())) {
			t.Errorf("process %s left: %s", e.Name(), strings.ReplaceAll(string(cmd), "\x00", " "))
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}
