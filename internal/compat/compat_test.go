// Package compat_test is the compatibility acceptance suite: the same configurations, planned and applied by
// the real terraform CLI against a REAL cluster of one Supvisors release (internal/testlab), for every release
// the provider supports. `make test-compat` runs it once per tested release (SUPVISORS_COMPAT_RELEASE); a release
// that binds on all interfaces runs in a private network namespace that testlab.Main creates and removes.
//
// Without TF_ACC the tests skip (the Terraform convention); with TF_ACC and no cluster they fail.
package compat_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/supvisors/terraform-provider-supvisors/internal/provider"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

// envRelease selects the Supvisors release of this run (default: testlab.DefaultRelease).
const envRelease = "SUPVISORS_COMPAT_RELEASE"

var (
	lab     *testlab.Cluster
	release string
)

var factories = map[string]func() (tfprotov6.ProviderServer, error){
	"supvisors": providerserver.NewProtocol6WithError(provider.New("compat")()),
}

func TestMain(m *testing.M) {
	release = os.Getenv(envRelease)
	if release == "" {
		release = testlab.DefaultRelease
	}
	if os.Getenv("TF_ACC") == "" {
		os.Exit(m.Run())
	}
	os.Exit(testlab.Main(m, testlab.Options{Release: release}, func(c *testlab.Cluster) { lab = c }))
}

func preCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("compatibility acceptance test: set TF_ACC=1 (make test-compat does)")
	}
	if lab == nil {
		t.Fatal("no Supvisors test lab: TF_ACC is set, so TestMain should have started one")
	}
}

// era returns the client's era of the release under test.
func era(t *testing.T) supvisors.Era {
	t.Helper()
	api, err := client(t).Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return api.Era
}

// providerBlock configures the provider on the lab's first instance, with every instance URL (0.10/0.11 do
// not report host and port of their instances).
func providerBlock() string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider \"supvisors\" {\n  url = %q\n  username = %q\n  password = %q\n", lab.URL(0), lab.Username(), lab.Password())
	b.WriteString("  instance_urls = {\n")
	urls := lab.InstanceURLs()
	keys := make([]string, 0, len(urls))
	for k := range urls {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "    %q = %q\n", k, urls[k])
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

var clients = map[string]*supvisors.Client{}

// client is a client of the lab's first instance, for out-of-band changes and checks.
func client(t *testing.T) *supvisors.Client {
	t.Helper()
	if c, ok := clients[lab.URL(0)]; ok {
		return c
	}
	c, err := supvisors.New(supvisors.Config{URL: lab.URL(0), Username: lab.Username(), Password: lab.Password(),
		InstanceURLs: lab.InstanceURLs()})
	if err != nil {
		t.Fatal(err)
	}
	clients[lab.URL(0)] = c
	return c
}

// setApplication starts or stops an application out of band and waits for it.
func setApplication(t *testing.T, name string, running bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := client(t)
	want := supvisors.ApplicationStopped
	var err error
	if running {
		want = supvisors.ApplicationRunning
		err = c.StartApplication(ctx, supvisors.StrategyConfig, name, false)
		if supvisors.IsFault(err, supvisors.FaultAlreadyStarted) {
			err = nil
		}
	} else {
		err = c.StopApplication(ctx, name, false)
		if supvisors.IsFault(err, supvisors.FaultNotRunning) {
			err = nil
		}
	}
	if err == nil {
		_, _, err = c.WaitApplication(ctx, name, want)
	}
	if err != nil {
		t.Fatalf("set %s to %s out of band: %v", name, want, err)
	}
}

// checkApplication checks the state of an application on the cluster.
func checkApplication(t *testing.T, name string, want supvisors.ApplicationState) resource.TestCheckFunc {
	return func(*terraform.State) error {
		info, err := client(t).GetApplicationInfo(context.Background(), name)
		if err != nil {
			return err
		}
		if info.Statename != want {
			return fmt.Errorf("application %s is %s on Supvisors %s, want %s", name, info.Statename, release, want)
		}
		return nil
	}
}

// pids returns the pid of every process of an application, by namespec (from each instance's local view).
func pids(t *testing.T, app string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for i := 0; i < lab.Size(); i++ {
		ic, err := client(t).Instance(context.Background(), lab.Identifier(i))
		if err != nil {
			t.Fatal(err)
		}
		procs, err := ic.GetAllLocalProcessInfo(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range procs {
			if p.Group == app && p.Pid > 0 {
				out[p.Namespec()] = p.Pid
			}
		}
	}
	return out
}

func appConfig(name string, lines ...string) string {
	var b strings.Builder
	b.WriteString(providerBlock())
	fmt.Fprintf(&b, "resource \"supvisors_application\" \"test\" {\n  name = %q\n", name)
	for _, l := range lines {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	b.WriteString("}\n")
	return b.String()
}

const appAddr = "supvisors_application.test"

// TestCompatDataSources reads every data source.
func TestCompatDataSources(t *testing.T) {
	preCheck(t)
	cfg := providerBlock() + fmt.Sprintf(`
data "supvisors_state" "s" {}
data "supvisors_strategies" "s" {}
data "supvisors_instances" "s" {}
data "supvisors_instance" "s" {
  identifier = %q
}
data "supvisors_applications" "s" {}
data "supvisors_application" "s" {
  name = "web"
}
data "supvisors_application_rules" "s" {
  name = "web"
}
data "supvisors_process_rules" "s" {
  namespec = "batch:*"
}
data "supvisors_processes" "all" {}
data "supvisors_processes" "web" {
  namespec = "web:*"
}
data "supvisors_conflicts" "s" {}
data "supvisors_rpc" "s" {
  method = "supvisors.get_api_version"
}
`, lab.Identifier(0))
	apiVersion := client(t)
	api, err := apiVersion.Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checks := []resource.TestCheckFunc{
		resource.TestCheckResourceAttr("data.supvisors_state.s", "fsm_statename", "OPERATION"),
		resource.TestCheckResourceAttr("data.supvisors_state.s", "api_version", api.Version),
		resource.TestCheckResourceAttr("data.supvisors_state.s", "instance_states.%", fmt.Sprint(lab.Size())),
		resource.TestCheckResourceAttr("data.supvisors_strategies.s", "starting", "CONFIG"),
		resource.TestCheckResourceAttr("data.supvisors_strategies.s", "conciliation", "USER"),
		resource.TestCheckResourceAttr("data.supvisors_instances.s", "instances.#", fmt.Sprint(lab.Size())),
		resource.TestCheckResourceAttr("data.supvisors_instances.s", "instances.0.statename", "RUNNING"),
		resource.TestCheckResourceAttr("data.supvisors_instance.s", "instance.identifier", lab.Identifier(0)),
		resource.TestCheckResourceAttr("data.supvisors_application.s", "statename", "RUNNING"),
		resource.TestCheckResourceAttr("data.supvisors_application.s", "managed", "true"),
		resource.TestCheckResourceAttr("data.supvisors_application_rules.s", "managed", "true"),
		resource.TestCheckResourceAttr("data.supvisors_application_rules.s", "distribution", "SINGLE_INSTANCE"),
		resource.TestCheckResourceAttr("data.supvisors_process_rules.s", "rules.#", "2"),
		resource.TestCheckResourceAttr("data.supvisors_process_rules.s", "rules.0.wait_exit", "true"),
		resource.TestCheckResourceAttr("data.supvisors_processes.web", "processes.#", "2"),
		resource.TestCheckResourceAttr("data.supvisors_processes.web", "processes.0.statename", "RUNNING"),
		resource.TestCheckResourceAttr("data.supvisors_processes.web", "processes.0.identifiers.#", "1"),
		resource.TestCheckResourceAttr("data.supvisors_conflicts.s", "conflicts.#", "0"),
		resource.TestCheckResourceAttr("data.supvisors_rpc.s", "result", fmt.Sprintf("%q", api.Version)),
		checkUnmanagedListed("data.supvisors_applications.s", "tools"),
	}
	if api.Era < supvisors.EraHostPort {
		checks = append(checks, resource.TestCheckNoResourceAttr("data.supvisors_strategies.s", "host_stats"))
	} else {
		checks = append(checks, resource.TestCheckResourceAttrSet("data.supvisors_strategies.s", "host_stats"))
	}
	if api.Era < supvisors.EraCurrent {
		checks = append(checks,
			resource.TestCheckNoResourceAttr("data.supvisors_instance.s", "network"),
			resource.TestCheckNoResourceAttr("data.supvisors_strategies.s", "supvisors_failure"))
	}
	checks = append(checks, reportedChecks(api.Era)...)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: cfg,
			Check:  resource.ComposeAggregateTestCheckFunc(checks...),
		}},
	})
}

// reportedChecks: what the release cannot report is null, what it reports is set (the attributes whose
// description says "Reported from Supvisors X").
func reportedChecks(e supvisors.Era) []resource.TestCheckFunc {
	var checks []resource.TestCheckFunc
	expect := func(reported bool, addr, attr string) {
		if reported {
			checks = append(checks, checkAttrPresent(addr, attr))
		} else {
			checks = append(checks, resource.TestCheckNoResourceAttr(addr, attr))
		}
	}
	for _, addr := range []string{"data.supvisors_processes.web", "data.supvisors_processes.all"} {
		expect(e >= supvisors.EraCurrent, addr, "processes.0.last_event_mtime")
		expect(true, addr, "processes.0.extra_args")
	}
	for _, inst := range []struct{ addr, prefix string }{
		{"data.supvisors_instances.s", "instances.0."}, {"data.supvisors_instance.s", "instance."},
	} {
		expect(e != supvisors.EraAlias, inst.addr, inst.prefix+"node_name") // 0.10: the address name (host name)
		expect(e >= supvisors.EraNick, inst.addr, inst.prefix+"port")
		for _, k := range []string{"process_failure", "local_sequence_counter", "remote_mtime", "local_mtime"} {
			expect(e >= supvisors.EraHostPort, inst.addr, inst.prefix+k)
		}
		for _, k := range []string{"loading", "remote_sequence_counter", "remote_time", "local_time"} {
			expect(true, inst.addr, inst.prefix+k)
		}
	}
	expect(e >= supvisors.EraHostPort, "data.supvisors_application_rules.s", "status_formula")
	expect(e >= supvisors.EraNick, "data.supvisors_process_rules.s", "rules.0.starting_failure_strategy")
	expect(true, "data.supvisors_process_rules.s", "rules.0.running_failure_strategy")
	return checks
}

// checkAttrPresent checks that an attribute is not null (an empty string counts, unlike TestCheckResourceAttrSet).
func checkAttrPresent(addr, attr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		if _, ok := rs.Primary.Attributes[attr]; !ok {
			return fmt.Errorf("%s: %s is null on Supvisors %s, want a value", addr, attr, release)
		}
		return nil
	}
}

// checkUnmanagedListed checks that the applications data source lists app with managed = false.
func checkUnmanagedListed(addr, app string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		for k, v := range rs.Primary.Attributes {
			if strings.HasSuffix(k, ".application_name") && v == app {
				prefix := strings.TrimSuffix(k, ".application_name")
				if got := rs.Primary.Attributes[prefix+".managed"]; got != "false" {
					return fmt.Errorf("%s: %s.managed = %q, want false", addr, app, got)
				}
				return nil
			}
		}
		return fmt.Errorf("%s does not list %s", addr, app)
	}
}

// TestCompatApplication: create, import, stop, drift out of band then converge, restart trigger, destroy.
func TestCompatApplication(t *testing.T) {
	preCheck(t)
	const app = "app_a"
	setApplication(t, app, false)
	var before map[string]int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkApplication(t, app, supvisors.ApplicationStopped),
		Steps: []resource.TestStep{
			{
				Config: appConfig(app, `timeouts { create = "2m" }`),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkApplication(t, app, supvisors.ApplicationRunning),
					resource.TestCheckResourceAttr(appAddr, "statename", "RUNNING"),
					resource.TestCheckResourceAttr(appAddr, "managed", "true"),
					resource.TestCheckResourceAttr(appAddr, "processes.#", "2"),
					resource.TestCheckResourceAttr(appAddr, "processes.0.statename", "RUNNING"),
				),
			},
			{
				ResourceName:            appAddr,
				ImportState:             true,
				ImportStateId:           app,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"restart_triggers", "timeouts", "strategy"},
			},
			{
				Config: appConfig(app, `state = "stopped"`),
				Check:  checkApplication(t, app, supvisors.ApplicationStopped),
			},
			{
				// started behind Terraform's back: the refresh shows it, the plan stops it again
				PreConfig:          func() { setApplication(t, app, true) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              resource.TestCheckResourceAttr(appAddr, "state", "running"),
			},
			{
				Config: appConfig(app, `state = "stopped"`),
				Check:  checkApplication(t, app, supvisors.ApplicationStopped),
			},
			{
				Config: appConfig(app, `restart_triggers = { conf = "v1" }`),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkApplication(t, app, supvisors.ApplicationRunning),
					func(*terraform.State) error { before = pids(t, app); return nil },
				),
			},
			{
				Config: appConfig(app, `restart_triggers = { conf = "v2" }`),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkApplication(t, app, supvisors.ApplicationRunning),
					func(*terraform.State) error {
						after := pids(t, app)
						if len(after) != 2 {
							return fmt.Errorf("after the restart: processes %v", after)
						}
						for ns, pid := range after {
							if before[ns] == pid {
								return fmt.Errorf("%s kept pid %d: not restarted", ns, pid)
							}
						}
						return nil
					},
				),
			},
		},
	})
}

// TestCompatAdopt creates the resource of a running application: adopted, nothing restarted.
func TestCompatAdopt(t *testing.T) {
	preCheck(t)
	const app = "app_b"
	setApplication(t, app, true)
	before := pids(t, app)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkApplication(t, app, supvisors.ApplicationStopped),
		Steps: []resource.TestStep{{
			Config: appConfig(app),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkApplication(t, app, supvisors.ApplicationRunning),
				func(*terraform.State) error {
					if after := pids(t, app); !mapsEqual(before, after) || len(after) != 2 {
						return fmt.Errorf("adoption restarted processes: %v -> %v", before, after)
					}
					return nil
				},
			),
		}},
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCompatProcessGroup: start, extra_args, stop of one program.
func TestCompatProcessGroup(t *testing.T) {
	preCheck(t)
	const ns = "pg_a:pg_a_plain"
	cfg := func(lines ...string) string {
		return providerBlock() + "resource \"supvisors_process_group\" \"test\" {\n  application = \"pg_a\"\n  program = \"pg_a_plain\"\n" +
			strings.Join(lines, "\n") + "\n}\n"
	}
	checkProc := func(want supvisors.ProcessState, args string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			procs, err := client(t).GetProcessInfo(context.Background(), ns)
			if err != nil {
				return err
			}
			if len(procs) != 1 || procs[0].Statename != want {
				return fmt.Errorf("%s on Supvisors %s: %+v, want %s", ns, release, procs, want)
			}
			if args != "" && procs[0].Identifiers != nil {
				ic, err := client(t).Instance(context.Background(), procs[0].Identifiers[0])
				if err != nil {
					return err
				}
				lp, err := ic.GetLocalProcessInfo(context.Background(), ns)
				if err != nil {
					return err
				}
				if !strings.Contains(lp.Description+" "+lp.ExtraArgs, args) && lp.ExtraArgs != args {
					return fmt.Errorf("%s runs with extra args %q, want %q", ns, lp.ExtraArgs, args)
				}
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: cfg(),
				Check: resource.ComposeAggregateTestCheckFunc(checkProc(supvisors.ProcessRunning, ""),
					resource.TestCheckResourceAttr("supvisors_process_group.test", "processes.#", "1")),
			},
			{
				Config: cfg(`  extra_args = "-x 2"`),
				Check:  checkProc(supvisors.ProcessRunning, "-x 2"),
			},
			{
				Config: cfg(`  extra_args = "-x 2"`, `  state = "stopped"`),
				Check:  checkProc(supvisors.ProcessStopped, ""),
			},
		},
	})
}

// TestCompatUnmanagedGroup: a process group of an unmanaged application starts and stops.
func TestCompatUnmanagedGroup(t *testing.T) {
	preCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: providerBlock() + "resource \"supvisors_process_group\" \"test\" {\n  application = \"tools\"\n}\n",
			Check:  resource.TestCheckResourceAttr("supvisors_process_group.test", "processes.0.statename", "RUNNING"),
		}},
	})
}

// TestCompatBadInputs: an unknown application, an unmanaged group and a strategy the release refuses each give
// a clear error, and nothing changes on the cluster.
func TestCompatBadInputs(t *testing.T) {
	preCheck(t)
	const app = "app_c"
	setApplication(t, app, false)
	steps := []resource.TestStep{
		{
			Config:      appConfig("nope"),
			ExpectError: regexp.MustCompile(`(?s)Unknown Supvisors application.*no application named "nope"`),
		},
		{
			Config:      appConfig("tools"),
			ExpectError: regexp.MustCompile(`(?s)Unmanaged Supvisors application.*"tools" is an unmanaged group`),
		},
		{
			Config:      appConfig(app, `strategy = "FOO"`),
			ExpectError: regexp.MustCompile(`(?s)FOO`),
		},
	}
	if era(t) < supvisors.EraNick {
		// refused at plan time (PlanOnly: nothing is applied), naming the value, the release and the valid ones
		refused := regexp.MustCompile(`(?s)Starting strategy not supported.*"LESS_LOADED_NODE"\s+is\s+not\s+supported\s+by\s+Supvisors\s+` +
			regexp.QuoteMeta(release) + `.*CONFIG,\s+LESS_LOADED,\s+MOST_LOADED,\s+LOCAL`)
		steps = append(steps,
			resource.TestStep{Config: appConfig(app, `strategy = "LESS_LOADED_NODE"`), PlanOnly: true, ExpectError: refused},
			resource.TestStep{
				Config: providerBlock() + "resource \"supvisors_process_group\" \"test\" {\n  application = \"" + app +
					"\"\n  strategy = \"MOST_LOADED_NODE\"\n}\n",
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(strings.ReplaceAll(refused.String(), "LESS_LOADED_NODE", "MOST_LOADED_NODE")),
			},
			resource.TestStep{Config: appConfig(app, `strategy = "LESS_LOADED_NODE"`), ExpectError: refused})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps:                    steps,
		CheckDestroy: func(s *terraform.State) error {
			if err := checkApplication(t, app, supvisors.ApplicationStopped)(s); err != nil {
				return fmt.Errorf("a refused configuration changed the cluster: %w", err)
			}
			return checkApplication(t, "tools", supvisors.ApplicationStopped)(s)
		},
	})
}

// TestCompatStartFailure: an application whose processes cannot start fails with each process and its state
// (Supvisors answers 40 up to 0.17 and 70 from 0.18), and the next apply does not pretend it runs.
func TestCompatStartFailure(t *testing.T) {
	preCheck(t)
	setApplication(t, "faulty", false)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkApplication(t, "faulty", supvisors.ApplicationStopped),
		Steps: []resource.TestStep{{
			Config:      appConfig("faulty", `timeouts { create = "1m" }`),
			ExpectError: regexp.MustCompile(`(?s)Could not start application "faulty".*faulty:crasher: FATAL.*faulty:missing_bin: FATAL`),
		}},
	})
}
