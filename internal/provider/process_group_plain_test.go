package provider

// Acceptance tests of supvisors_process_group, supvisors_state and supvisors_processes on the plain supervisord
// of the test binary (no Supvisors), and of the refusals of what needs Supvisors there. Each test owns its
// groups of the plain supervisord (pweb, psolo, pfaulty, pmulti, poneshot).

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

func plainPGConfig(lines ...string) string {
	cfg := testAccPlainProviderBlock() + "resource \"supvisors_process_group\" \"test\" {\n"
	for _, l := range lines {
		cfg += "  " + l + "\n"
	}
	return cfg + "}\n"
}

// plainCheckStates checks the Supervisor state of the given processes of the plain supervisord.
func plainCheckStates(t *testing.T, want supvisors.ProcessState, namespecs ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c := testAccPlainClient(t)
		for _, ns := range namespecs {
			info, err := c.Supervisor().GetProcessInfo(ctx, ns)
			if err != nil {
				return err
			}
			if info.Statename != want {
				return fmt.Errorf("%s is %s, want %s", ns, info.Statename, want)
			}
		}
		return nil
	}
}

func TestAccPlainProcessGroupLifecycle(t *testing.T) {
	testAccPlainPreCheck(t)
	var pids map[string]int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             plainCheckStates(t, supvisors.ProcessStopped, "pweb:server", "pweb:cache"),
		Steps: []resource.TestStep{
			{
				Config: plainPGConfig(`application = "pweb"`, `restart_triggers = { v = "1" }`),
				Check: resource.ComposeAggregateTestCheckFunc(
					plainCheckStates(t, supvisors.ProcessRunning, "pweb:server", "pweb:cache"),
					resource.TestCheckResourceAttr(pgAccName, "id", "pweb:*"),
					resource.TestCheckResourceAttr(pgAccName, "state", "running"),
					resource.TestCheckResourceAttr(pgAccName, "processes.#", "2"),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.namespec", "pweb:cache"),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.statename", "RUNNING"),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.identifiers.0", testAccPlainHost()),
					func(*terraform.State) error { pids = testAccPids(t, testAccPlainClient(t)); return nil },
				),
			},
			{
				ResourceName: pgAccName, ImportState: true, ImportStateId: "pweb:*", ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"timeouts", "restart_triggers"},
			},
			{
				// Drift made out of band: one process stopped. The plan shows it, the apply starts it again.
				PreConfig: func() {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					if err := testAccPlainClient(t).Supervisor().StopProcess(ctx, "pweb:cache", true); err != nil {
						t.Fatal(err)
					}
				},
				Config: plainPGConfig(`application = "pweb"`, `restart_triggers = { v = "1" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pgAccName, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(pgAccName, tfjsonpath.New("state"), knownvalue.StringExact("running")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					plainCheckStates(t, supvisors.ProcessRunning, "pweb:server", "pweb:cache"),
					func(*terraform.State) error {
						now := testAccPids(t, testAccPlainClient(t))
						if now["pweb:server"] != pids["pweb:server"] || now["pweb:cache"] == pids["pweb:cache"] {
							return fmt.Errorf("only pweb:cache should have started again: %v -> %v", pids, now)
						}
						pids = now
						return nil
					},
				),
			},
			{
				// A trigger change restarts every process.
				Config: plainPGConfig(`application = "pweb"`, `restart_triggers = { v = "2" }`),
				Check: func(*terraform.State) error {
					now := testAccPids(t, testAccPlainClient(t))
					for _, ns := range []string{"pweb:server", "pweb:cache"} {
						if now[ns] == 0 || now[ns] == pids[ns] {
							return fmt.Errorf("%s not restarted: %v -> %v", ns, pids, now)
						}
					}
					return nil
				},
			},
			{
				Config: plainPGConfig(`application = "pweb"`, `state = "stopped"`),
				Check: resource.ComposeAggregateTestCheckFunc(
					plainCheckStates(t, supvisors.ProcessStopped, "pweb:server", "pweb:cache"),
					resource.TestCheckResourceAttr(pgAccName, "state", "stopped"),
				),
			},
			{
				Config: plainPGConfig(`application = "pweb"`),
				Check:  plainCheckStates(t, supvisors.ProcessRunning, "pweb:server", "pweb:cache"),
			},
		},
	})
}

func testAccPlainHost() string {
	if testAccPlain == nil {
		return ""
	}
	return testAccPlain.URL()[len("http://"):]
}

// TestAccPlainProcessGroupPrograms: a program alone (adopted while it runs), a homogeneous program, a one-shot;
// TestAccPlainProcessGroupFailures: FATAL after BACKOFF and a missing binary, with Supervisor's words.
func TestAccPlainProcessGroupPrograms(t *testing.T) {
	testAccPlainPreCheck(t)
	var soloPid int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             plainCheckStates(t, supvisors.ProcessStopped, "psolo", "pmulti:pmulti_0", "pmulti:pmulti_1"),
		Steps: []resource.TestStep{
			{
				// psolo already runs: the create adopts it without a restart.
				PreConfig: func() {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					if err := testAccPlainClient(t).Supervisor().StartProcess(ctx, "psolo", true); err != nil {
						t.Fatal(err)
					}
					soloPid = testAccPids(t, testAccPlainClient(t))["psolo"]
				},
				Config: testAccPlainProviderBlock() + `
resource "supvisors_process_group" "solo" {
  application = "psolo"
  program     = "psolo"
}
resource "supvisors_process_group" "multi" {
  application = "pmulti"
  program     = "pmulti"
}
resource "supvisors_process_group" "oneshot" {
  application = "poneshot"
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					plainCheckStates(t, supvisors.ProcessRunning, "psolo", "pmulti:pmulti_0", "pmulti:pmulti_1"),
					resource.TestCheckResourceAttr("supvisors_process_group.multi", "processes.#", "2"),
					resource.TestCheckResourceAttr("supvisors_process_group.oneshot", "state", "running"),
					func(*terraform.State) error {
						if now := testAccPids(t, testAccPlainClient(t))["psolo"]; now != soloPid || now == 0 {
							return fmt.Errorf("psolo was restarted instead of adopted: pid %d -> %d", soloPid, now)
						}
						return nil
					},
				),
			},
			{
				ResourceName: "supvisors_process_group.solo", ImportState: true, ImportStateId: "psolo:psolo",
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

func TestAccPlainProcessGroupFailures(t *testing.T) {
	testAccPlainPreCheck(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: plainPGConfig(`application = "pfaulty"`, `program = "crasher"`),
				ExpectError: pgErr("Processes of pfaulty:crasher did not start", "settled in state FATAL",
					"pfaulty:crasher: FATAL", "Exited too quickly"),
			},
			{
				Config:      plainPGConfig(`application = "pfaulty"`, `program = "missing"`),
				ExpectError: pgErr("Could not start pfaulty:missing", "NO_FILE", "/nonexistent/lab/binary"),
			},
		},
	})
}

// TestAccPlainRefusals: what needs Supvisors is refused at plan time, naming the attribute (and nothing is
// changed); unknown groups are refused with the list of known ones.
func TestAccPlainRefusals(t *testing.T) {
	testAccPlainPreCheck(t)
	v := testAccPlainVersion()
	steps := []resource.TestStep{
		{Config: plainPGConfig(`application = "pmulti"`, `program = "pmulti"`, `numprocs = 3`),
			ExpectError: pgErr("numprocs needs Supvisors", "plain Supervisor "+v, "update_numprocs")},
		{Config: plainPGConfig(`application = "psolo"`, `enabled = true`),
			ExpectError: pgErr("enabled needs Supvisors", "plain Supervisor "+v)},
		{Config: plainPGConfig(`application = "psolo"`, `extra_args = "-x"`),
			ExpectError: pgErr("extra_args needs Supvisors", "plain Supervisor "+v)},
		{Config: plainPGConfig(`application = "psolo"`, `strategy = "LESS_LOADED"`),
			ExpectError: pgErr("strategy needs Supvisors", "plain Supervisor "+v)},
		{Config: plainPGConfig(`application = "nope"`),
			ExpectError: pgErr(`Unknown application "nope"`, "pfaulty, pmulti, poneshot, psolo, pweb")},
		{Config: plainPGConfig(`application = "pweb"`, `program = "nope"`),
			ExpectError: pgErr(`Unknown program "nope" in application "pweb"`, "cache, server")},
		{Config: testAccPlainProviderBlock() + `resource "supvisors_application" "x" { name = "pweb" }`,
			ExpectError: pgErr("plain Supervisor "+v, "needs Supvisors", "supvisors_application")},
		{Config: testAccPlainProviderBlock() + `data "supvisors_applications" "x" {}`,
			ExpectError: pgErr("Could not read", "plain Supervisor "+v, "needs Supvisors")},
		{Config: testAccPlainProviderBlock() + `resource "supvisors_config_update" "x" { instances = ["node1"] }`,
			ExpectError: pgErr("instances needs Supvisors", "plain Supervisor "+v)},
		{Config: testAccPlainProviderBlock() + `resource "supvisors_config_update" "x" { groups = ["web_[*"] }`,
			ExpectError: pgErr("Invalid group pattern", `"web_[*" is not a valid group pattern`)},
	}
	for i := range steps {
		steps[i].PlanOnly = i < 6 || i >= 8 // refused at plan time
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}

func TestAccPlainDataSources(t *testing.T) {
	testAccPlainPreCheck(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccPlainProviderBlock() + `
data "supvisors_state" "s" {}
data "supvisors_processes" "web" { namespec = "pweb:*" }
data "supvisors_processes" "all" {}
data "supvisors_rpc" "version" { method = "supervisor.getSupervisorVersion" }
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.supvisors_state.s", tfjsonpath.New("api_version"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.supvisors_state.s", tfjsonpath.New("fsm_statename"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.supvisors_state.s", tfjsonpath.New("supervisor_version"),
					knownvalue.StringExact(testAccPlainVersion())),
				statecheck.ExpectKnownValue("data.supvisors_state.s", tfjsonpath.New("supervisor_identification"),
					knownvalue.StringExact("plain")),
				statecheck.ExpectKnownValue("data.supvisors_state.s", tfjsonpath.New("supervisor_statename"),
					knownvalue.StringExact("RUNNING")),
				statecheck.ExpectKnownValue("data.supvisors_rpc.version", tfjsonpath.New("result"),
					knownvalue.StringExact(`"`+testAccPlainVersion()+`"`)),
				statecheck.ExpectKnownValue("data.supvisors_processes.web", tfjsonpath.New("processes"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue("data.supvisors_processes.web",
					tfjsonpath.New("processes").AtSliceIndex(0).AtMapKey("extra_args"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.supvisors_processes.web",
					tfjsonpath.New("processes").AtSliceIndex(0).AtMapKey("namespec"), knownvalue.StringExact("pweb:cache")),
			},
			Check: resource.TestMatchResourceAttr("data.supvisors_processes.all", "processes.#", regexp.MustCompile(`^([7-9]|\d\d)$`)),
		}},
	})
}
