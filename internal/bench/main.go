// Command bench measures the provider against a real local Supvisors cluster and prints Markdown tables:
//
//   - the plan curve: `terraform plan` over N supvisors_application resources (default N = 100, 300, 1000, adopted
//     stopped): HTTP requests sent to Supvisors (counted by a reverse proxy in front of one instance, which the
//     provider's url points at), wall time, the same plan with -refresh=false (terraform and the provider without
//     any request), the snapshot request and its decoding by the client;
//   - the apply curve: `terraform apply -parallelism=P` starting K stopped applications (default K = 10, 20, 50),
//     against a plain Go program that starts the same K applications directly over XML-RPC (start_application with
//     wait=true, P at a time), and a `terraform plan` of that configuration with nothing to change (terraform's own
//     fixed cost);
//   - the growth from each size to the next, the targets of each point, the client alone (get_application_info
//     calls per second over one connection) and, optionally, CPU profiles of the provider (-profile).
//
// It starts its own cluster (internal/testlab, max N + max K generated applications), builds the provider into a
// temporary directory and runs the terraform CLI found on PATH with a private CLI configuration (dev_overrides: no
// registry, no init). Run it with `make bench` or `go run ./internal/bench [-out FILE]`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

type options struct {
	planNs      []int // sizes of the planned configurations (the plan curve)
	startKs     []int // applications started by one apply (the apply curve)
	parallelism int
	runs        int
	instances   int
	rateFor     time.Duration
	out         string
	keep        bool
	diag        bool
	tfLog       bool
	strict      bool
	profile     bool
}

func main() {
	var o options
	var planList, startList string
	flag.StringVar(&planList, "plan", "100,300,1000", "sizes N of the planned configurations (supvisors_application resources), comma-separated")
	flag.StringVar(&startList, "start", "10,20,50", "numbers K of applications started by one apply and by the direct program, comma-separated")
	flag.IntVar(&o.parallelism, "parallelism", 10, "terraform -parallelism, and the direct program's concurrency")
	flag.IntVar(&o.runs, "runs", 3, "repetitions of each measurement (the tables show the median)")
	flag.IntVar(&o.instances, "instances", 0, "Supvisors instances (0 = the testlab default)")
	flag.DurationVar(&o.rateFor, "rate-for", 3*time.Second, "duration of the get_application_info calls/s measurement")
	flag.StringVar(&o.out, "out", "", "also write the Markdown report to this file")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (terraform workspaces, proxy log, profiles)")
	flag.BoolVar(&o.diag, "diag", true, "one extra, unmeasured apply (second K) that compares the provider's wait with the real settle times")
	flag.BoolVar(&o.tfLog, "tf-log", false, "write TF_LOG=DEBUG of every terraform run into the temporary directory (slows it down)")
	flag.BoolVar(&o.strict, "strict", false, "exit with status 2 when a target is not met")
	flag.BoolVar(&o.profile, "profile", false, "one extra, unmeasured apply (largest K) with the provider's CPU profile (TF_SUPVISORS_CPUPROFILE); implies -keep")
	flag.Parse()
	var err error
	if o.planNs, err = parseSizes("-plan", planList); err == nil {
		o.startKs, err = parseSizes("-start", startList)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if o.profile {
		o.keep = true
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		stop()
		if errors.Is(err, errTargetMissed) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "bench: FAILED:", err)
		os.Exit(1)
	}
}

// parseSizes reads a comma-separated list of positive sizes, sorted ascending.
func parseSizes(flagName, list string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s %q: want positive integers separated by commas, e.g. 10,20,50", flagName, list)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// errTargetMissed ends a -strict run whose figures miss a target.
var errTargetMissed = errors.New("a target is not met")

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench %s: %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

// benchName is the name of the i-th generated application (testlab: bench_000, bench_001, ...).
func benchName(i int) string { return testlab.BenchAppName(i) }

// benchNames returns count generated names from index first.
func benchNames(first, count int) []string {
	out := make([]string, count)
	for i := range out {
		out[i] = benchName(first + i)
	}
	return out
}

// bench is one run's shared context: the CLI environment, the cluster, the proxy and the clients.
type bench struct {
	o        options
	env      *tfEnv
	tmp      string
	lab      *testlab.Cluster
	proxy    *countingProxy
	direct   *supvisors.Client // not through the proxy: setup, checks and the diagnostic watcher
	provider string            // the provider block of every workspace
	tfArgs   []string
}

// check rejects options that leave nothing to measure.
func (o options) check() error {
	if o.parallelism < 1 || o.runs < 1 || len(o.planNs) == 0 || len(o.startKs) == 0 {
		return errors.New("-plan, -start, -parallelism and -runs must be positive")
	}
	return nil
}

// run is the whole bench: it builds the provider, starts the cluster and the counting proxy, measures the two
// curves and the client alone, and prints the report (also to -out). A missed target fails the run with
// errTargetMissed under -strict only.
func run(ctx context.Context, o options) (err error) {
	if err := o.check(); err != nil {
		return err
	}
	maxN, maxK := slices.Max(o.planNs), slices.Max(o.startKs)
	apps := maxN + maxK
	tfBin, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("the terraform CLI is not on PATH: install Terraform (>= 1.6) and re-run")
	}
	machine := newMachineLine(ctx, tfBin, apps)
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "supvisors-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		logf("keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	env, err := prepareTerraform(ctx, root, tmp, tfBin, o.tfLog)
	if err != nil {
		return err
	}
	lab, err := startLab(ctx, o, tmp, apps, &machine)
	if err != nil {
		return err
	}
	defer func() {
		if serr := lab.Stop(); serr != nil && err == nil {
			logf("stopping the cluster: %v", serr)
		}
	}()

	proxy, closeProxy, err := startProxy(lab, tmp, o.keep)
	if err != nil {
		return err
	}
	defer closeProxy()

	b := &bench{o: o, env: env, tmp: tmp, lab: lab, proxy: proxy, direct: labClient(lab, 0),
		provider: providerBlock(proxy.URL(), lab.Username(), lab.Password()),
		tfArgs:   []string{"-input=false", "-no-color", "-lock=false", fmt.Sprintf("-parallelism=%d", o.parallelism)}}
	if err := b.identify(ctx, &machine, apps); err != nil {
		return err
	}
	rep := &report{opts: o, machine: &machine}
	if err := b.measure(ctx, rep, maxN, maxK); err != nil {
		return err
	}
	machine.LoadEnd = loadAvg()
	return finish(o, rep)
}

// newMachineLine describes, before anything runs, the machine, the tools and the size of the bench.
func newMachineLine(ctx context.Context, tfBin string, apps int) machineLine {
	return machineLine{Date: time.Now(), CPU: cpuModel(), Cores: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH,
		Go: runtime.Version(), Terraform: terraformVersion(ctx, tfBin), Apps: apps, LoadStart: loadAvg()}
}

// prepareTerraform builds the provider of the module at root into tmp/plugins and writes the private CLI
// configuration that points terraform there (dev_overrides); tfLog adds a TF_LOG file in tmp.
func prepareTerraform(ctx context.Context, root, tmp, tfBin string, tfLog bool) (*tfEnv, error) {
	pluginDir := filepath.Join(tmp, "plugins")
	if err := os.MkdirAll(pluginDir, 0o755); err != nil {
		return nil, err
	}
	logf("building the provider into %s", pluginDir)
	if err := buildProvider(ctx, root, pluginDir); err != nil {
		return nil, err
	}
	env := &tfEnv{bin: tfBin, rcFile: filepath.Join(tmp, "terraformrc")}
	if tfLog {
		env.logFile = filepath.Join(tmp, "terraform.log")
	}
	if err := writeTerraformRC(env.rcFile, pluginDir); err != nil {
		return nil, err
	}
	return env, nil
}

// startLab starts the cluster in tmp/lab with apps generated applications and records its start time and
// size in machine.
func startLab(ctx context.Context, o options, tmp string, apps int, machine *machineLine) (*testlab.Cluster, error) {
	logf("starting a Supvisors cluster with %d bench applications", apps)
	began := time.Now()
	lab, err := testlab.Start(ctx, testlab.Options{Instances: o.instances, BenchApps: apps, Dir: filepath.Join(tmp, "lab"),
		StartTimeout: 10 * time.Minute, Logf: func(format string, args ...any) { logf("testlab: "+format, args...) }})
	if err != nil {
		return nil, fmt.Errorf("starting the cluster with %d applications: %w", apps, err)
	}
	machine.ClusterStart = time.Since(began)
	machine.Instances = lab.Size()
	return lab, nil
}

// startProxy starts the counting proxy in front of the cluster's first instance. The function returned closes
// it, after writing its log to tmp/proxy.log when keep is set.
func startProxy(lab *testlab.Cluster, tmp string, keep bool) (*countingProxy, func(), error) {
	proxy, err := startCountingProxy(lab.URL(0))
	if err != nil {
		return nil, nil, err
	}
	t0 := time.Now()
	closeProxy := func() {
		if keep {
			if werr := proxy.writeLog(filepath.Join(tmp, "proxy.log"), t0); werr != nil {
				logf("writing the proxy log: %v", werr)
			}
		}
		_ = proxy.Close()
	}
	logf("counting proxy %s -> %s", proxy.URL(), lab.URL(0))
	return proxy, closeProxy, nil
}

// identify records in machine the Supvisors and Supervisor versions of the cluster and checks that it has the
// apps generated applications.
func (b *bench) identify(ctx context.Context, machine *machineLine, apps int) error {
	info, err := b.direct.Detect(ctx)
	if err != nil {
		return fmt.Errorf("detecting the Supvisors API: %w", err)
	}
	machine.Supvisors = info.Version
	if v, verr := b.direct.Supervisor().GetSupervisorVersion(ctx); verr == nil {
		machine.Supervisor = v
	}
	return checkApps(ctx, b.direct, benchNames(0, apps))
}

// measure fills rep with the plan curve over the first maxN generated applications, the apply curve over the
// next maxK and the client's call rate.
func (b *bench) measure(ctx context.Context, rep *report, maxN, maxK int) error {
	// (a) the plan curve over bench_000 .. bench_<maxN-1>, adopted stopped.
	if err := b.planCurve(ctx, rep, benchNames(0, maxN)); err != nil {
		return err
	}
	// (b) the apply curve: bench_<maxN> .. started by terraform and by the direct program.
	if err := b.applyCurve(ctx, rep, benchNames(maxN, maxK)); err != nil {
		return err
	}
	// (c) client alone: get_application_info over one connection.
	return measureRate(ctx, b.o, rep, b.lab, benchName(0))
}

// finish prints the report, writes it to -out when set and, under -strict, fails when a target is missed.
func finish(o options, rep *report) error {
	text := rep.markdown()
	fmt.Println(text)
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(text+"\n"), 0o644); err != nil {
			return err
		}
		logf("report written to %s", o.out)
	}
	if !rep.pass() {
		logf("at least one target is not met (see FAIL above)")
		if o.strict {
			return errTargetMissed
		}
	}
	return nil
}

// quiet lets the cluster's own bookkeeping (events between instances) calm down between measurements.
func quiet() { time.Sleep(time.Second) }

// checkApps fails clearly when the cluster lacks the generated applications.
func checkApps(ctx context.Context, c *supvisors.Client, names []string) error {
	apps, err := c.GetAllApplicationsInfo(ctx)
	if err != nil {
		return fmt.Errorf("get_all_applications_info: %w", err)
	}
	known := map[string]supvisors.ApplicationInfo{}
	for _, a := range apps {
		known[a.ApplicationName] = a
	}
	for _, n := range names {
		a, ok := known[n]
		if !ok {
			return fmt.Errorf("application %s is unknown to the cluster (testlab BenchApps generated %d applications)", n, len(apps))
		}
		if !a.Managed {
			return fmt.Errorf("application %s is not managed", n)
		}
	}
	return nil
}

// forEach runs f on every name, at most limit at a time, and returns the first error.
func forEach(names []string, limit int, f func(name string) error) error {
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, n := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := f(n); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

// stopApps stops the applications (wait=true; already stopped is fine) and checks they are all STOPPED.
func stopApps(ctx context.Context, c *supvisors.Client, names []string, limit int) error {
	err := forEach(names, limit, func(n string) error {
		if err := c.StopApplication(ctx, n, true); err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
			return fmt.Errorf("stop_application(%s): %w", n, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return checkState(ctx, c, names, supvisors.ApplicationStopped)
}

// checkState waits (up to 30 s) until every application is in the wanted state and no job is pending.
func checkState(ctx context.Context, c *supvisors.Client, names []string, want supvisors.ApplicationState) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		bad, err := notInState(ctx, c, names, want)
		if err != nil {
			return err
		}
		if bad == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still not %s after 30 s: %s", want, bad)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func notInState(ctx context.Context, c *supvisors.Client, names []string, want supvisors.ApplicationState) (string, error) {
	state, err := c.GetSupvisorsState(ctx)
	if err != nil {
		return "", err
	}
	if len(state.StartingJobs) > 0 || len(state.StoppingJobs) > 0 {
		return fmt.Sprintf("jobs pending (starting %v, stopping %v)", state.StartingJobs, state.StoppingJobs), nil
	}
	apps, err := c.GetAllApplicationsInfo(ctx)
	if err != nil {
		return "", err
	}
	got := map[string]supvisors.ApplicationState{}
	for _, a := range apps {
		got[a.ApplicationName] = a.Statename
	}
	var bad []string
	for _, n := range names {
		if got[n] != want {
			bad = append(bad, n+"="+string(got[n]))
		}
	}
	return strings.Join(bad, ", "), nil
}

// startDirect is the reference program: start_application(CONFIG, name, wait=true) for every name, limit
// at a time, through one client. It returns the wall time and when each call was sent and returned.
func startDirect(ctx context.Context, c *supvisors.Client, names []string, limit int) (time.Duration, map[string][2]time.Time, error) {
	var mu sync.Mutex
	times := map[string][2]time.Time{}
	start := time.Now()
	err := forEach(names, limit, func(n string) error {
		sent := time.Now()
		if err := c.StartApplication(ctx, supvisors.StrategyConfig, n, true); err != nil {
			return fmt.Errorf("direct start_application(CONFIG, %s, true): %w", n, err)
		}
		mu.Lock()
		times[n] = [2]time.Time{sent, time.Now()}
		mu.Unlock()
		return nil
	})
	return time.Since(start), times, err
}

// measureRate calls get_application_info in a loop over one client, through a TCP relay that counts the
// connections the client opened.
func measureRate(ctx context.Context, o options, rep *report, lab *testlab.Cluster, app string) error {
	hostport := strings.TrimPrefix(lab.URL(0), "http://")
	relay, err := startTCPRelay(hostport)
	if err != nil {
		return err
	}
	defer relay.Close()
	c := labClient(lab, 0, func(cfg *supvisors.Config) { cfg.URL = relay.URL() })
	if _, err := c.GetApplicationInfo(ctx, app); err != nil { // warm-up (and API detection, if the client does it)
		return fmt.Errorf("get_application_info(%s): %w", app, err)
	}
	reqBefore := c.Requests()
	var calls int64
	start := time.Now()
	for time.Since(start) < o.rateFor {
		if _, err := c.GetApplicationInfo(ctx, app); err != nil {
			return fmt.Errorf("get_application_info(%s): %w", app, err)
		}
		calls++
	}
	el := time.Since(start)
	rep.rateCalls = calls
	rep.rateWall = el
	rep.rateReqs = c.Requests() - reqBefore
	rep.rateConns = relay.conns.Load()
	logf("get_application_info: %d calls in %s (%d HTTP requests, %d connection(s))", calls, secs(el), rep.rateReqs, rep.rateConns)
	return nil
}

// labClient is a client of instance i of the lab with its credentials; mod adjusts the configuration.
func labClient(lab *testlab.Cluster, i int, mod ...func(*supvisors.Config)) *supvisors.Client {
	cfg := supvisors.Config{URL: lab.URL(i), Username: lab.Username(), Password: lab.Password(),
		RequestTimeout: time.Minute, ReadyTimeout: time.Minute}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := supvisors.New(cfg)
	if err != nil {
		panic(fmt.Sprintf("bench: client of %s: %v", cfg.URL, err)) // the URLs are built here: a bug
	}
	return c
}
