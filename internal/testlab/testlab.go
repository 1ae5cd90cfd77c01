// Package testlab starts and stops a REAL Supvisors cluster on the local machine for tests, benchmarks and the
// demo: N supervisord instances (default 3) with the Supvisors plugin, listening on free 127.0.0.1 ports, with
// the lab applications of testdata/ (see testdata/README.md).
//
// Supvisors itself comes from a cached Python venv (see CacheDir and EnsureVenv) holding pinned versions. The
// self-identification trap of loopback clusters is handled with nss_wrapper when needed (see nss.go).
//
// Test binaries use Main in TestMain: the cluster starts once, its supervisord processes are children of the
// test binary (killed with it through Pdeathsig) and Stop leaves no process behind. The supvisors-lab command
// (cmd/supvisors-lab) starts a detached cluster for the demo and stops it later.
package testlab

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options configures Start. The zero value is a 3-instance cluster in a new temporary directory.
type Options struct {
	// Instances is the number of supervisord instances (default 3).
	Instances int
	// Username and Password protect every XML-RPC endpoint (default "lab" / "lab-secret-pw").
	Username, Password string
	// BenchApps adds generated managed applications bench_000 .. (one sleep program each, start_sequence 0).
	BenchApps int
	// Dir holds configurations, logs and state (default: a new temporary directory, removed by Stop unless
	// SUPVISORS_LAB_KEEP=1 is set).
	Dir string
	// Detach daemonizes supervisord and writes pidfiles (for `make demo`): the cluster outlives the caller and
	// Down(Dir) / `supvisors-lab down` stops it. Tests leave it false.
	Detach bool
	// Logf receives progress messages (default: stderr).
	Logf func(format string, args ...any)
	// Release is the Supvisors release to run (default DefaultRelease, 0.19.1; see Releases). Releases that
	// bind on all interfaces run inside a private network namespace (see Cluster.Namespace); an address-era
	// release (0.10) runs one instance.
	Release string
	// StartTimeout bounds the cluster start after the venv is ready (default 120s); the ctx given to Start
	// applies too.
	StartTimeout time.Duration
}

func (o *Options) defaults() {
	if o.Instances <= 0 {
		o.Instances = 3
	}
	if o.Username == "" {
		o.Username = "lab"
	}
	if o.Password == "" {
		o.Password = "lab-secret-pw"
	}
	if o.Logf == nil {
		o.Logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 120 * time.Second
	}
	if o.Release == "" {
		o.Release = DefaultRelease
	}
}

// Cluster is a running lab. Its methods are safe for concurrent use.
type Cluster struct {
	opts       Options
	id         string
	dir        string
	ownDir     bool
	sockDir    string
	ownSockDir bool
	python     string
	rel        Release
	hostname   string // the host name an address-era instance is known by (0.10)
	netns      string // private network namespace the lab runs in ("" when none)
	nssEnv     []string
	run        string
	inst       []*instance

	mu      sync.Mutex
	stopped bool
}

type instance struct {
	Nick         string `json:"nick"`
	Identifier   string `json:"identifier"`
	Port         int    `json:"port"`
	Host         string `json:"host,omitempty"`          // address-era instance name (the host name), 0.10
	InternalPort int    `json:"internal_port,omitempty"` // up to 0.17
	EventPort    int    `json:"event_port,omitempty"`    // up to 0.17
	Socket       string `json:"socket"`
	Conf         string `json:"conf"`
	Var          string `json:"var"`

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when the child supervisord exited (not detached)
}

func (in *instance) url() string       { return "http://127.0.0.1:" + strconv.Itoa(in.Port) }
func (in *instance) pidfile() string   { return filepath.Join(in.Var, "supervisord.pid") }
func (in *instance) logfile() string   { return filepath.Join(in.Var, "supervisord.log") }
func (in *instance) outfile() string   { return filepath.Join(in.Var, "supervisord.out") }
func (in *instance) socketURL() string { return "unix://" + in.Socket }

// Start installs the cached venv when missing, handles the nss_wrapper trap, writes the configurations,
// starts every supervisord and waits until Supvisors is in OPERATION with every instance RUNNING. On failure
// nothing is left running and the error says why, with the tail of the supervisord logs and the last
// get_supvisors_state seen.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	rel, err := LookupRelease(opts.Release)
	if err != nil {
		return nil, err
	}
	if opts.Instances <= 0 && rel.MaxInstances > 0 {
		opts.Instances = rel.MaxInstances
	}
	opts.defaults()
	if err := checkOptions(rel, opts); err != nil {
		return nil, err
	}
	begin := time.Now()
	python, err := EnsureReleaseVenv(ctx, rel.Version, opts.Logf)
	if err != nil {
		return nil, fmt.Errorf("testlab: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()

	c := &Cluster{opts: opts, python: python, id: randomID(), rel: rel, netns: InNamespace()}
	if c.hostname, err = os.Hostname(); err != nil {
		return nil, fmt.Errorf("testlab: %w", err)
	}
	if err := c.makeDir(); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			c.cleanupFailed()
		}
	}()
	if err := c.prepare(ctx); err != nil {
		return nil, err
	}
	if err := c.startWithRetries(ctx); err != nil {
		return nil, err
	}
	ok = true
	where := ""
	if c.netns != "" {
		where = ", network namespace " + c.netns
	}
	opts.Logf("testlab: %d-instance Supvisors %s cluster in OPERATION after %s (dir %s%s)",
		len(c.inst), rel.Version, time.Since(begin).Round(100*time.Millisecond), c.dir, where)
	return c, nil
}

// checkOptions rejects, before anything is installed or written, the options a release cannot run: too many
// instances for an address-era release, a namespace-bound release outside a private network namespace,
// credentials the configuration files cannot hold, more than 9 instances.
func checkOptions(rel Release, opts Options) error {
	if rel.MaxInstances > 0 && opts.Instances > rel.MaxInstances {
		return fmt.Errorf("testlab: Supvisors %s runs %d instance(s) on one host address, not %d (an address-era "+
			"instance is its host name)", rel.Version, rel.MaxInstances, opts.Instances)
	}
	if rel.Namespace && InNamespace() == "" {
		return fmt.Errorf("testlab: Supvisors %s binds its internal port on all interfaces: run it inside a "+
			"private network namespace (testlab.Main does it, see RunInNamespace)", rel.Version)
	}
	if err := checkCredential("username", opts.Username); err != nil {
		return err
	}
	if err := checkCredential("password", opts.Password); err != nil {
		return err
	}
	if opts.Instances > 9 {
		return errors.New("testlab: at most 9 instances")
	}
	return nil
}

// makeDir sets the lab directory: a new temporary one (removed by Stop) when Options.Dir is empty, else
// Options.Dir made absolute and created, refused when a lab is still running there.
func (c *Cluster) makeDir() error {
	var err error
	if c.opts.Dir == "" {
		if c.dir, err = os.MkdirTemp("", "supvisors-lab-"); err != nil {
			return err
		}
		c.ownDir = true
		return nil
	}
	if c.dir, err = filepath.Abs(c.opts.Dir); err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	if old, err := Attach(c.dir); err == nil && old.Running() {
		return fmt.Errorf("testlab: a lab is already running in %s (stop it first: supvisors-lab down --dir %s)",
			c.dir, c.dir)
	}
	return nil
}

// prepare does what every start attempt shares: the socket directory, the nss_wrapper environment of the
// current release, the Pdeathsig prefix and the instances' paths (their ports come with each attempt).
func (c *Cluster) prepare(ctx context.Context) error {
	var err error
	// unix socket paths are limited to 107 bytes: use a short directory when Dir is deep
	if len(filepath.Join(c.dir, "var", "node1", "supervisor.sock")) > 100 {
		if c.sockDir, err = os.MkdirTemp("/tmp", "svlab-"); err != nil {
			return err
		}
		c.ownSockDir = true
	}
	if c.rel.Version == SupvisorsVersion { // older releases identify themselves otherwise (VERSIONS.md §1)
		if c.nssEnv, err = selfIdentifyEnv(ctx, c.python, c.dir, c.opts.Logf); err != nil {
			return fmt.Errorf("testlab: %w", err)
		}
	}
	c.run = pdeathsigPrefix()
	for i := 0; i < c.opts.Instances; i++ {
		nick := "node" + strconv.Itoa(i+1)
		in := &instance{Nick: nick, Var: filepath.Join(c.dir, "var", nick), Conf: filepath.Join(c.dir, "etc", nick+".conf")}
		if c.sockDir != "" {
			in.Socket = filepath.Join(c.sockDir, nick+".sock")
		} else {
			in.Socket = filepath.Join(in.Var, "supervisor.sock")
		}
		c.inst = append(c.inst, in)
	}
	return nil
}

// startAttempts is how many times Start tries when a port picked free was taken before supervisord bound it.
const startAttempts = 3

// startWithRetries runs startOnce, killing everything after a failure, and tries again with other ports when
// the failure was a bind error (up to startAttempts, while ctx lasts).
func (c *Cluster) startWithRetries(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		err := c.startOnce(ctx)
		if err == nil {
			return nil
		}
		c.killEverything()
		var bind *bindError
		if errors.As(err, &bind) && attempt < startAttempts && ctx.Err() == nil {
			c.opts.Logf("testlab: %v; retrying with other ports", err)
			continue
		}
		return fmt.Errorf("testlab: start the Supvisors lab in %s: %w", c.dir, err)
	}
}

type bindError struct{ msg string }

func (e *bindError) Error() string { return e.msg }

// startOnce picks free ports, writes the configurations, launches every instance and waits for OPERATION.
func (c *Cluster) startOnce(ctx context.Context) error {
	perInstance := 1
	if c.rel.Era < EraHTTP {
		perInstance = 3 // http, internal and event ports
	}
	ports, err := pickPorts(len(c.inst) * perInstance)
	if err != nil {
		return err
	}
	for i, in := range c.inst {
		in.Port = ports[i]
		in.Identifier = "127.0.0.1:" + strconv.Itoa(ports[i])
		if perInstance > 1 {
			in.InternalPort, in.EventPort = ports[len(c.inst)+i], ports[2*len(c.inst)+i]
		}
		switch c.rel.Era {
		case EraAddress: // an instance is its host name
			in.Host = c.hostname
			in.Identifier = c.hostname
		case EraIdentifier011, EraInternalPort: // the identifier is the nickname
			in.Identifier = in.Nick
		}
		_ = os.Remove(in.Socket)
		_ = os.Remove(in.pidfile())
	}
	if err := c.writeConfigs(); err != nil {
		return err
	}
	// saved before launching, so that `supvisors-lab down` finds the daemons even if this process dies now
	if err := c.save(); err != nil {
		return err
	}
	for _, in := range c.inst {
		if err := c.launch(in); err != nil {
			return err
		}
	}
	return c.waitOperation(ctx, nil)
}

// pickPorts is freePorts; tests replace it to provoke a port clash.
var pickPorts = freePorts

// freePorts returns n distinct free TCP ports of 127.0.0.1 (listen on :0, then close).
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	var ports []int
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		ls = append(ls, l)
		p := l.Addr().(*net.TCPAddr).Port
		if p < 1024 { // supvisors_list wants 4-5 digit ports
			continue
		}
		ports = append(ports, p)
	}
	return ports, nil
}

func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// spawner runs every fork on one OS thread that never exits: Pdeathsig fires when the THREAD that forked the
// child dies, so the children must not be forked from a thread the Go runtime might retire.
var (
	spawnOnce sync.Once
	spawnCh   chan func()
)

func onSpawnerThread(f func()) {
	spawnOnce.Do(func() {
		spawnCh = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked: this thread lives as long as the process
			for f := range spawnCh {
				f()
			}
		}()
	})
	done := make(chan struct{})
	spawnCh <- func() { defer close(done); f() }
	<-done
}

// env is the environment of one supervisord.
func (c *Cluster) env(in *instance) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "LAB_"), strings.HasPrefix(k, "SUPVISORS_LAB_"), strings.HasPrefix(k, "NSS_WRAPPER_"),
			k == "LD_PRELOAD", k == "PYTHONPATH", k == "PYTHONHOME":
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"LAB_NODE="+in.Nick,
		"LAB_PORT="+strconv.Itoa(in.Port),
		"LAB_VAR="+in.Var,
		"LAB_SOCK="+in.Socket,
		envLabID+"="+c.id,
		envLabNode+"="+in.Nick,
	)
	return append(env, c.nssEnv...)
}

// launch starts the supervisord of one instance (as a child, or daemonized when Detach).
func (c *Cluster) launch(in *instance) error {
	if err := os.MkdirAll(filepath.Join(in.Var, "childlogs"), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(in.outfile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer func() { _ = out.Close() }()
	fmt.Fprintf(out, "---- %s testlab: starting %s (%s)\n", time.Now().Format(time.RFC3339), in.Nick, in.Identifier)
	cmd := exec.Command(c.python, "-m", "supervisor.supervisord", "-c", in.Conf)
	cmd.Env = c.env(in)
	cmd.Dir = in.Var
	cmd.Stdout, cmd.Stderr = out, out
	if c.opts.Detach {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	} else {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	}
	onSpawnerThread(func() { err = cmd.Start() })
	if err != nil {
		return fmt.Errorf("start supervisord %s: %w", in.Nick, err)
	}
	if c.opts.Detach {
		// supervisord forks after binding its servers: the first process exits 0 once the daemon is up
		if err := cmd.Wait(); err != nil {
			return c.exitError(in, err)
		}
		return nil
	}
	done := make(chan struct{})
	in.mu.Lock()
	in.cmd, in.done = cmd, done
	in.mu.Unlock()
	go func() { _ = cmd.Wait(); close(done) }()
	return nil
}

// exitError describes a supervisord that exited during start-up.
func (c *Cluster) exitError(in *instance, err error) error {
	out, _ := os.ReadFile(in.outfile())
	s := string(out)
	if strings.Contains(s, "already listening") || strings.Contains(s, "Address already in use") {
		return &bindError{msg: fmt.Sprintf("supervisord %s could not bind %s", in.Nick, in.Identifier)}
	}
	return fmt.Errorf("supervisord %s exited: %v\n%s", in.Nick, err, c.logTails())
}

// pid returns the supervisord pid of an instance (child or pidfile), 0 when unknown.
func (in *instance) pid() int {
	in.mu.Lock()
	cmd := in.cmd
	in.mu.Unlock()
	if cmd != nil && cmd.Process != nil {
		return cmd.Process.Pid
	}
	b, err := os.ReadFile(in.pidfile())
	if err != nil {
		return 0
	}
	p, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return p
}

// exited returns the channel closed when the child supervisord of an instance exits, nil when it is not a
// child (detached, or not launched).
func (in *instance) exited() chan struct{} {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.done
}

// running tells whether the supervisord of an instance is alive.
func (in *instance) running() bool {
	if done := in.exited(); done != nil {
		select {
		case <-done:
			return false
		default:
			return true
		}
	}
	return alive(in.pid())
}

// waitOperation polls get_supvisors_state on every instance until all report OPERATION with every instance
// RUNNING (only: the given instances when not nil must be up; the others may be anything).
func (c *Cluster) waitOperation(ctx context.Context, only []int) error {
	interval := 250 * time.Millisecond
	for {
		// liveness first: a bind failure must not wait for RPC timeouts
		if err := c.checkAlive(only); err != nil {
			return err
		}
		ready, last := c.pollStates(ctx, only)
		if ready {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no OPERATION (%w); last get_supvisors_state:\n  %s\n%s",
				ctx.Err(), strings.Join(last, "\n  "), c.logTails())
		case <-time.After(interval):
		}
	}
}

// mustRun tells whether instance i must be up: every instance when only is nil, else those listed.
func mustRun(only []int, i int) bool {
	ok := only == nil
	for _, j := range only {
		ok = ok || i == j
	}
	return ok
}

// checkAlive returns an error, with the logs, when the supervisord of an instance that must run is gone (a
// detached daemon whose pidfile remains, or a child that exited).
func (c *Cluster) checkAlive(only []int) error {
	for i, in := range c.inst {
		if !mustRun(only, i) {
			continue
		}
		if c.opts.Detach {
			if !alive(in.pid()) && fileExists(in.pidfile()) {
				return fmt.Errorf("supervisord %s (%s) died\n%s", in.Nick, in.Identifier, c.logTails())
			}
		} else if !in.running() {
			return c.exitError(in, errors.New("exited before OPERATION"))
		}
	}
	return nil
}

// pollStates reads get_supvisors_state on every instance that must run and tells whether all are ready (see
// stateReady), with one line per instance read (its state or its error) for the timeout message.
func (c *Cluster) pollStates(ctx context.Context, only []int) (ready bool, last []string) {
	ready = true
	for i, in := range c.inst {
		if !mustRun(only, i) {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		st, err := c.readState(rctx, in)
		cancel()
		if err != nil {
			ready = false
			last = append(last, fmt.Sprintf("%s: %v", in.Nick, err))
			continue
		}
		last = append(last, fmt.Sprintf("%s: %v", in.Nick, st))
		if !c.stateReady(st, only) {
			ready = false
		}
	}
	return ready, last
}

// stateReady tells whether one instance's view is the awaited one: OPERATION, knowing every instance of the
// lab, with every instance that must run RUNNING.
func (c *Cluster) stateReady(st supvisorsState, only []int) bool {
	if st.FSMStatename != "OPERATION" || len(st.InstanceStates) != len(c.inst) {
		return false
	}
	for id, s := range st.InstanceStates {
		want := only == nil
		for _, j := range only {
			want = want || c.inst[j].Identifier == id
		}
		if want && s != "RUNNING" {
			return false
		}
	}
	return true
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// logTails returns the last lines of every instance's supervisord log, plus what supervisord printed
// elsewhere (start-up errors, tracebacks: its stdout repeats the log when nodaemon is set).
func (c *Cluster) logTails() string {
	var b strings.Builder
	for _, in := range c.inst {
		logData, _ := os.ReadFile(in.logfile())
		outData, _ := os.ReadFile(in.outfile())
		var extra []string
		for _, l := range strings.Split(string(outData), "\n") {
			if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "---- ") && !strings.Contains(string(logData), l) {
				extra = append(extra, l)
			}
		}
		if len(extra) > 0 {
			fmt.Fprintf(&b, "---- tail of %s\n%s\n", in.outfile(), tail(strings.Join(extra, "\n"), 15))
		}
		if len(strings.TrimSpace(string(logData))) > 0 {
			fmt.Fprintf(&b, "---- tail of %s\n%s\n", in.logfile(), tail(string(logData), 15))
		}
	}
	return b.String()
}

func (c *Cluster) index(in *instance) int {
	for i, x := range c.inst {
		if x == in {
			return i
		}
	}
	return 0
}

// LogTail returns the last n lines of the supervisord log of instance i (for test diagnostics).
func (c *Cluster) LogTail(i, n int) string {
	data, _ := os.ReadFile(c.inst[i].logfile())
	return tail(string(data), n)
}

// URL returns the XML-RPC base URL of instance i (0-based), "http://127.0.0.1:PORT", without credentials.
func (c *Cluster) URL(i int) string { return c.inst[i].url() }

// SocketURL returns the unix socket URL of instance i, "unix:///.../nodeN.sock".
func (c *Cluster) SocketURL(i int) string { return c.inst[i].socketURL() }

// Identifier returns the Supvisors identifier of instance i: "127.0.0.1:PORT" from 0.18, the nickname for
// 0.11 .. 0.17, the host name for 0.10.
func (c *Cluster) Identifier(i int) string { return c.inst[i].Identifier }

// Nick returns the nickname of instance i, "node1" .. "nodeN".
func (c *Cluster) Nick(i int) string { return c.inst[i].Nick }

// InstanceURLs maps every identifier and nickname to its URL (for supvisors.Config.InstanceURLs).
func (c *Cluster) InstanceURLs() map[string]string {
	m := map[string]string{}
	for _, in := range c.inst {
		m[in.Identifier] = in.url()
		m[in.Nick] = in.url()
	}
	return m
}

// Username returns the XML-RPC user name of every instance.
func (c *Cluster) Username() string { return c.opts.Username }

// Password returns the XML-RPC password of every instance.
func (c *Cluster) Password() string { return c.opts.Password }

// Dir returns the lab directory (configurations under etc/, logs under var/nodeN/).
func (c *Cluster) Dir() string { return c.dir }

// IncludeDir returns the directory whose *.conf files every instance includes ([include] section): empty at
// start, for tests that write program files and roll them out with supervisor.reloadConfig. Tests that write
// there must remove their files and roll out again when they are done.
func (c *Cluster) IncludeDir() string { return filepath.Join(c.dir, "etc", "conf.d") }

// Size returns the number of instances.
func (c *Cluster) Size() int { return len(c.inst) }

// BenchApps returns the number of generated bench_NNN applications.
func (c *Cluster) BenchApps() int { return c.opts.BenchApps }

// Running tells whether at least one supervisord of the lab is alive.
func (c *Cluster) Running() bool {
	for _, in := range c.inst {
		if in.running() {
			return true
		}
	}
	return false
}

// stopGrace is how long a supervisord gets after SIGTERM (it stops its programs first; slow needs 3 s) before
// SIGKILL.
const stopGrace = 5 * time.Second

// stopInstance stops one supervisord: SIGTERM, wait up to grace, SIGKILL its process group, then kill every
// process left with the instance's marker. A grace <= 0 kills at once.
func (c *Cluster) stopInstance(in *instance, grace time.Duration) error {
	pid := in.pid()
	if pid > 0 && in.running() && grace > 0 {
		// supervisord stops its groups one per main-loop tick on SIGTERM (~0.5 s each, so 15 s and more for
		// the lab), but exits at once when nothing runs: signal every program first, all together.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = rpcCall(ctx, in.url(), c.opts.Username, c.opts.Password, "supervisor.stopAllProcesses", nil, false)
		cancel()
		_ = syscall.Kill(pid, syscall.SIGTERM)
		deadline := time.Now().Add(grace)
		for in.running() && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if in.running() {
			c.opts.Logf("testlab: supervisord %s still running %s after SIGTERM: SIGKILL; its log ends with:\n%s",
				in.Nick, grace, c.LogTail(c.index(in), 12))
		}
	}
	if pid > 0 && in.running() {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	if done := in.exited(); done != nil {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
	if left := killAll(c.id, in.Nick, 5*time.Second); len(left) > 0 {
		return fmt.Errorf("testlab: processes of %s still alive after SIGKILL: %v", in.Nick, left)
	}
	_ = os.Remove(in.pidfile())
	return nil
}

// StopInstance kills the supervisord of instance i (SIGKILL, like a crash or a lost host) and every program
// it ran. The rest of the cluster stays in OPERATION and notices the loss after a few seconds (the instance
// shows FAILED, then STOPPED; its processes lose their identifiers). StartInstance brings it back.
func (c *Cluster) StopInstance(i int) error {
	if i < 0 || i >= len(c.inst) {
		return fmt.Errorf("testlab: no instance %d", i)
	}
	return c.stopInstance(c.inst[i], 0)
}

// StartInstance starts again the supervisord of instance i (same port and configuration) and waits until it
// is RUNNING in the cluster and the cluster is back in OPERATION. The ctx deadline applies, else StartTimeout.
func (c *Cluster) StartInstance(ctx context.Context, i int) error {
	if i < 0 || i >= len(c.inst) {
		return fmt.Errorf("testlab: no instance %d", i)
	}
	in := c.inst[i]
	if in.running() {
		return fmt.Errorf("testlab: instance %s is already running", in.Nick)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.StartTimeout)
		defer cancel()
	}
	_ = os.Remove(in.Socket)
	if err := c.launch(in); err != nil {
		return fmt.Errorf("testlab: %w", err)
	}
	var up []int
	for j, other := range c.inst {
		if other.running() {
			up = append(up, j)
		}
	}
	if err := c.waitOperation(ctx, up); err != nil {
		return fmt.Errorf("testlab: restart %s: %w", in.Nick, err)
	}
	return nil
}

// killEverything stops all instances fast (start failures).
func (c *Cluster) killEverything() {
	var wg sync.WaitGroup
	for _, in := range c.inst {
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.stopInstance(in, 0) }()
	}
	wg.Wait()
	killAll(c.id, "", 5*time.Second)
}

// cleanupFailed is run when Start fails: everything is killed, the directory is kept for diagnosis.
func (c *Cluster) cleanupFailed() {
	c.killEverything()
	if c.ownSockDir {
		_ = os.RemoveAll(c.sockDir)
	}
}

// Stop stops every supervisord (SIGTERM, SIGKILL after a grace period) and every program they ran, and
// removes the temporary directory Start created (kept when SUPVISORS_LAB_KEEP=1). It returns an error when
// a process of the lab is still alive. Calling it again does nothing.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return nil
	}
	c.stopped = true
	c.mu.Unlock()
	begin := time.Now()
	errs := make([]error, len(c.inst))
	var wg sync.WaitGroup
	for i, in := range c.inst {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = c.stopInstance(in, stopGrace) }()
	}
	wg.Wait()
	if left := killAll(c.id, "", 5*time.Second); len(left) > 0 {
		errs = append(errs, fmt.Errorf("testlab: lab processes still alive: %v", left))
	}
	if c.ownSockDir {
		_ = os.RemoveAll(c.sockDir)
	}
	_ = os.Remove(filepath.Join(c.dir, stateFile))
	if c.ownDir && os.Getenv("SUPVISORS_LAB_KEEP") == "" {
		_ = os.RemoveAll(c.dir)
	}
	c.opts.Logf("testlab: lab stopped in %s", time.Since(begin).Round(100*time.Millisecond))
	return errors.Join(errs...)
}

// ProcessesLeft returns the pids of the processes of this lab that are still alive (supervisord and the
// programs); empty after a successful Stop.
func (c *Cluster) ProcessesLeft() []int { return labProcesses(c.id, "") }

// stateFile is the lab description in Dir, read by Attach and the supvisors-lab command.
const stateFile = "lab.json"

type labState struct {
	ID         string      `json:"id"`
	Dir        string      `json:"dir"`
	SockDir    string      `json:"sock_dir,omitempty"`
	OwnSockDir bool        `json:"own_sock_dir,omitempty"`
	Username   string      `json:"username"`
	Password   string      `json:"password"`
	Detached   bool        `json:"detached"`
	BenchApps  int         `json:"bench_apps"`
	Release    string      `json:"release,omitempty"`
	Netns      string      `json:"netns,omitempty"`
	Python     string      `json:"python"`
	NSSEnv     []string    `json:"nss_env,omitempty"`
	Run        string      `json:"run,omitempty"`
	Instances  []*instance `json:"instances"`
	Started    time.Time   `json:"started"`
}

func (c *Cluster) save() error {
	st := labState{
		ID: c.id, Dir: c.dir, SockDir: c.sockDir, OwnSockDir: c.ownSockDir, Username: c.opts.Username,
		Password: c.opts.Password, Detached: c.opts.Detach, BenchApps: c.opts.BenchApps, Python: c.python,
		Release: c.rel.Version, Netns: c.netns,
		NSSEnv: c.nssEnv, Run: c.run, Instances: c.inst, Started: time.Now(),
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(c.dir, stateFile), b, 0o600)
}

// Attach returns the lab described in dir (written by Start, typically a detached one). Stop on it stops that
// lab; it never removes dir.
func Attach(dir string) (*Cluster, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, fmt.Errorf("testlab: no lab in %s (start one: supvisors-lab up --dir %s): %w", dir, dir, err)
	}
	var st labState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("testlab: read %s: %w", filepath.Join(dir, stateFile), err)
	}
	c := &Cluster{
		opts: Options{Instances: len(st.Instances), Username: st.Username, Password: st.Password,
			BenchApps: st.BenchApps, Dir: st.Dir, Detach: true},
		id: st.ID, dir: st.Dir, sockDir: st.SockDir, ownSockDir: st.OwnSockDir, python: st.Python,
		nssEnv: st.NSSEnv, run: st.Run, inst: st.Instances,
	}
	c.opts.defaults()
	if c.rel, err = LookupRelease(st.Release); err != nil {
		return nil, err
	}
	c.opts.Release, c.netns = c.rel.Version, st.Netns
	return c, nil
}

// Main is a TestMain helper: it starts the lab once, calls set (may be nil) and m.Run, then stops the lab.
// When the lab cannot start it prints the reason and returns 1: the tests FAIL, they are never skipped.
//
//	func TestMain(m *testing.M) {
//		os.Exit(testlab.Main(m, testlab.Options{}, func(c *testlab.Cluster) { lab = c }))
//	}
//
// With SUPVISORS_LAB_DIR=dir set, Main reuses the detached lab running in dir (`supvisors-lab up --dir dir`)
// instead of starting one, and leaves it running: quicker edit-test loops, at the price of tests sharing state
// with earlier runs.
func Main(m *testing.M, opts Options, set func(*Cluster)) int {
	if NeedsNamespace(opts.Release) && InNamespace() == "" {
		return RunInNamespace()
	}
	if dir := os.Getenv("SUPVISORS_LAB_DIR"); dir != "" {
		c, err := reuse(dir, opts)
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAIL: SUPVISORS_LAB_DIR=%s: %v\n", dir, err)
			return 1
		}
		if set != nil {
			set(c)
		}
		return m.Run()
	}
	c, err := Start(context.Background(), opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: the Supvisors test lab did not start: %v\n", err)
		return 1
	}
	if set != nil {
		set(c)
	}
	code := m.Run()
	if err := c.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "testlab: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// reuse attaches to the lab running in dir and checks that it is in OPERATION and fits opts.
func reuse(dir string, opts Options) (*Cluster, error) {
	c, err := Attach(dir)
	if err != nil {
		return nil, err
	}
	opts.defaults()
	if c.Size() != opts.Instances || c.BenchApps() < opts.BenchApps {
		return nil, fmt.Errorf("the lab has %d instances and %d bench apps, the tests want %d and %d",
			c.Size(), c.BenchApps(), opts.Instances, opts.BenchApps)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := c.waitOperation(ctx, nil); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "testlab: reusing the lab in %s (SUPVISORS_LAB_DIR)\n", c.Dir())
	return c, nil
}

// Release returns the Supvisors release the lab runs, e.g. "0.18.7".
func (c *Cluster) Release() string { return c.rel.Version }
