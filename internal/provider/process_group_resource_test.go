package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// Acceptance tests of supvisors_process_group against the lab cluster. Each parallel test owns one of the
// lab applications pg_a .. pg_d (a homogeneous program pg_x_multi with numprocs 2 and a plain program
// pg_x_plain); the tests on the shared groups tools and faulty run alone (resource.Test).

// pgAccConfig renders the provider block and one supvisors_process_group "test" with the given body lines.
func pgAccConfig(lines ...string) string {
	var b strings.Builder
	b.WriteString(testAccProviderBlock())
	b.WriteString("resource \"supvisors_process_group\" \"test\" {\n")
	for _, l := range lines {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

const pgAccName = "supvisors_process_group.test"

// pgErr matches an error output that holds the given parts in this order; Terraform wraps long lines, so any
// space in a part matches any run of white space.
func pgErr(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, p := range parts {
		quoted[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, `.*`))
}

func pgAccCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 90*time.Second)
}

// pgAccProcesses reads the processes of a namespec (app:* or app:proc) from the cluster.
func pgAccProcesses(t *testing.T, namespec string) []supvisors.ProcessInfo {
	t.Helper()
	ctx, cancel := pgAccCtx()
	defer cancel()
	ps, err := testAccClient(t).GetProcessInfo(ctx, namespec)
	if err != nil {
		t.Fatalf("get_process_info(%s): %v", namespec, err)
	}
	return ps
}

// pgAccCheckStates checks that every process of the given namespecs is in state want on the cluster.
func pgAccCheckStates(t *testing.T, want supvisors.ProcessState, namespecs ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, ns := range namespecs {
			for _, p := range pgAccProcesses(t, ns) {
				if p.Statename != want {
					return fmt.Errorf("%s is %s, want %s", p.Namespec(), p.Statename, want)
				}
			}
		}
		return nil
	}
}

// pgAccCheckArgs checks the extra arguments of every process of the namespecs.
func pgAccCheckArgs(t *testing.T, want string, namespecs ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, ns := range namespecs {
			for _, p := range pgAccProcesses(t, ns) {
				if p.ExtraArgs != want {
					return fmt.Errorf("%s has extra_args %q, want %q", p.Namespec(), p.ExtraArgs, want)
				}
			}
		}
		return nil
	}
}

// pgAccInstances calls f with the local processes of every lab instance.
func pgAccInstances(t *testing.T, f func(id string, procs []supvisors.LocalProcessInfo) error) error {
	t.Helper()
	ctx, cancel := pgAccCtx()
	defer cancel()
	c := testAccClient(t)
	for i := 0; i < testAccLab.Size(); i++ {
		id := testAccLab.Identifier(i)
		inst, err := c.Instance(ctx, id)
		if err != nil {
			return fmt.Errorf("instance %s: %w", id, err)
		}
		procs, err := inst.GetAllLocalProcessInfo(ctx)
		if err != nil {
			return fmt.Errorf("get_all_local_process_info on %s: %w", id, err)
		}
		if err := f(id, procs); err != nil {
			return err
		}
	}
	return nil
}

// pgAccCheckNumprocs checks, on EACH instance, that program prog of group app has n processes.
func pgAccCheckNumprocs(t *testing.T, app, prog string, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		return pgAccInstances(t, func(id string, procs []supvisors.LocalProcessInfo) error {
			if got := len(reconcile.ProgramProcesses(procs, app, prog)); got != n {
				return fmt.Errorf("instance %s has %d processes of %s:%s, want %d", id, got, app, prog, n)
			}
			return nil
		})
	}
}

// pgAccCheckDisabled checks, on EACH instance, the disabled flag of every process of program prog.
func pgAccCheckDisabled(t *testing.T, app, prog string, disabled bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		return pgAccInstances(t, func(id string, procs []supvisors.LocalProcessInfo) error {
			ps := reconcile.ProgramProcesses(procs, app, prog)
			if len(ps) == 0 {
				return fmt.Errorf("instance %s has no process of %s:%s", id, app, prog)
			}
			for _, p := range ps {
				if p.Disabled != disabled {
					return fmt.Errorf("instance %s: %s:%s disabled=%v, want %v", id, app, p.Name, p.Disabled, disabled)
				}
			}
			return nil
		})
	}
}

// pgAccRestore puts numprocs and enabled of a program back on every instance and stops the group, whatever the
// test left behind, so that the other tests of the binary see the lab as configured.
func pgAccRestore(t *testing.T, app, prog string, numprocs int) {
	t.Helper()
	if testAccLab == nil {
		return // skipped: no lab
	}
	ctx, cancel := pgAccCtx()
	defer cancel()
	c := testAccClient(t)
	if err := c.StopProcess(ctx, app+":*", true); err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
		t.Errorf("restore: stop %s:*: %v", app, err)
	}
	for i := 0; i < testAccLab.Size(); i++ {
		inst, err := c.Instance(ctx, testAccLab.Identifier(i))
		if err != nil {
			t.Errorf("restore: instance %d: %v", i, err)
			continue
		}
		if err := inst.Enable(ctx, prog, true); err != nil {
			t.Errorf("restore: enable %s on %d: %v", prog, i, err)
		}
		if numprocs > 0 {
			err := inst.UpdateNumprocs(ctx, prog, numprocs, true, false)
			if err != nil && !supvisors.IsFault(err, supvisors.FaultFailed) {
				t.Errorf("restore: update_numprocs %s on %d: %v", prog, i, err)
			}
		}
	}
}

// pgAccMtimes records last_event_mtime of the processes of a namespec, to detect restarts.
func pgAccMtimes(t *testing.T, namespec string, into map[string]float64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, p := range pgAccProcesses(t, namespec) {
			into[p.Namespec()] = p.LastEventMtime
		}
		return nil
	}
}

// pgAccCheckRestarted checks that every process recorded in before had a new event since (was restarted).
func pgAccCheckRestarted(t *testing.T, namespec string, before map[string]float64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if len(before) == 0 {
			return fmt.Errorf("nothing recorded before the change")
		}
		for _, p := range pgAccProcesses(t, namespec) {
			if old, ok := before[p.Namespec()]; ok && p.LastEventMtime == old {
				return fmt.Errorf("%s was not restarted (last_event_mtime unchanged: %v)", p.Namespec(), old)
			}
		}
		return nil
	}
}

// pgAccCheckNotRestarted checks that no process recorded in before had an event since.
func pgAccCheckNotRestarted(t *testing.T, namespec string, before map[string]float64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if len(before) == 0 {
			return fmt.Errorf("nothing recorded before the change")
		}
		for _, p := range pgAccProcesses(t, namespec) {
			if old, ok := before[p.Namespec()]; ok && p.LastEventMtime != old {
				return fmt.Errorf("%s was restarted (last_event_mtime %v -> %v)", p.Namespec(), old, p.LastEventMtime)
			}
		}
		return nil
	}
}

// TestAccProcessGroup_program manages one plain program: create, import, out-of-band stop re-converged, stop,
// destroy.
func TestAccProcessGroup_program(t *testing.T) {
	const ns = "pg_a:pg_a_plain"
	t.Cleanup(func() { pgAccRestore(t, "pg_a", "pg_a_plain", 0) })
	before := map[string]float64{}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             func(*terraform.State) error { return pgAccCheckStates(t, supvisors.ProcessStopped, ns)(nil) },
		Steps: []resource.TestStep{
			{
				Config: pgAccConfig(`application = "pg_a"`, `program = "pg_a_plain"`,
					`timeouts {`, `  create = "2m"`, `  update = "2m"`, `  delete = "1m"`, `}`),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "id", ns),
					resource.TestCheckResourceAttr(pgAccName, "timeouts.create", "2m"),
					resource.TestCheckResourceAttr(pgAccName, "state", "running"),
					resource.TestCheckNoResourceAttr(pgAccName, "strategy"), // unset: the rules' strategy
					resource.TestCheckResourceAttr(pgAccName, "extra_args", ""),
					resource.TestCheckResourceAttr(pgAccName, "processes.#", "1"),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.namespec", ns),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.statename", "RUNNING"),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.identifiers.#", "1"),
					pgAccCheckStates(t, supvisors.ProcessRunning, ns),
					// the other processes of the application are not touched
					pgAccCheckStates(t, supvisors.ProcessStopped, "pg_a:pg_a_multi_0", "pg_a:pg_a_multi_1"),
				),
			},
			{
				ResourceName:            pgAccName,
				ImportState:             true,
				ImportStateId:           ns,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// drift: stopped out of band, seen by the refresh, started again by the apply
				PreConfig: func() {
					ctx, cancel := pgAccCtx()
					defer cancel()
					if err := testAccClient(t).StopProcess(ctx, ns, true); err != nil {
						t.Fatalf("out-of-band stop: %v", err)
					}
				},
				Config: pgAccConfig(`application = "pg_a"`, `program = "pg_a_plain"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pgAccName, plancheck.ResourceActionUpdate),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "state", "running"),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.statename", "RUNNING"),
					pgAccCheckStates(t, supvisors.ProcessRunning, ns),
				),
			},
			{
				Config: pgAccConfig(`application = "pg_a"`, `program = "pg_a_plain"`, `state = "stopped"`),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "state", "stopped"),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.statename", "STOPPED"),
					pgAccCheckStates(t, supvisors.ProcessStopped, ns),
				),
			},
			{
				// back to running for the destroy to stop it
				Config: pgAccConfig(`application = "pg_a"`, `program = "pg_a_plain"`, `strategy = "LESS_LOADED"`),
				Check: resource.ComposeAggregateTestCheckFunc(
					pgAccCheckStates(t, supvisors.ProcessRunning, ns),
					pgAccMtimes(t, ns, before),
				),
			},
			{
				// restart_triggers added to an existing resource: recorded, nothing restarts
				Config: pgAccConfig(`application = "pg_a"`, `program = "pg_a_plain"`, `strategy = "LESS_LOADED"`,
					`restart_triggers = { conf = "one" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pgAccName, plancheck.ResourceActionUpdate),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "restart_triggers.conf", "one"),
					pgAccCheckNotRestarted(t, ns, before),
				),
			},
		},
	})
}

// TestAccProcessGroup_wholeApplication manages every process of an application (app:*): create, import,
// drift on one process, restart_triggers, destroy.
func TestAccProcessGroup_wholeApplication(t *testing.T) {
	const ns = "pg_b:*"
	t.Cleanup(func() { pgAccRestore(t, "pg_b", "pg_b_multi", 0) })
	before := map[string]float64{}
	cfg := func(trigger string) string {
		return pgAccConfig(`application = "pg_b"`, `restart_triggers = { conf = "`+trigger+`" }`)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             func(*terraform.State) error { return pgAccCheckStates(t, supvisors.ProcessStopped, ns)(nil) },
		Steps: []resource.TestStep{
			{
				Config: cfg("one"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "id", ns),
					resource.TestCheckNoResourceAttr(pgAccName, "program"),
					resource.TestCheckResourceAttr(pgAccName, "state", "running"),
					resource.TestCheckResourceAttr(pgAccName, "processes.#", "3"),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.namespec", "pg_b:pg_b_multi_0"),
					resource.TestCheckResourceAttr(pgAccName, "processes.1.namespec", "pg_b:pg_b_multi_1"),
					resource.TestCheckResourceAttr(pgAccName, "processes.2.namespec", "pg_b:pg_b_plain"),
					pgAccCheckStates(t, supvisors.ProcessRunning, ns),
				),
			},
			{
				ResourceName:            pgAccName,
				ImportState:             true,
				ImportStateId:           ns,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "restart_triggers"},
			},
			{
				// one process stopped out of band: a refresh-only run stores "partial" (the plan shows the drift)
				PreConfig: func() {
					ctx, cancel := pgAccCtx()
					defer cancel()
					if err := testAccClient(t).StopProcess(ctx, "pg_b:pg_b_multi_1", true); err != nil {
						t.Fatalf("out-of-band stop: %v", err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              resource.TestCheckResourceAttr(pgAccName, "state", "partial"),
			},
			{
				// the next refresh, still mixed, still reads "partial": the drift stays visible, the apply converges
				Config: cfg("one"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pgAccName, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(pgAccName, tfjsonpath.New("state"), knownvalue.StringExact("running")),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					pgAccCheckStates(t, supvisors.ProcessRunning, ns),
					resource.TestCheckResourceAttr(pgAccName, "processes.1.statename", "RUNNING"),
					pgAccMtimes(t, ns, before),
				),
			},
			{
				// a new trigger value restarts every process
				Config: cfg("two"),
				Check: resource.ComposeAggregateTestCheckFunc(
					pgAccCheckStates(t, supvisors.ProcessRunning, ns),
					pgAccCheckRestarted(t, ns, before),
				),
			},
			{
				// only strategy and stop_on_destroy change: nothing happens on the cluster, the plan keeps processes
				Config: pgAccConfig(`application = "pg_b"`, `restart_triggers = { conf = "two" }`, `strategy = "MOST_LOADED"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pgAccName, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(pgAccName, tfjsonpath.New("processes"), knownvalue.ListSizeExact(3)),
					},
				},
			},
		},
	})
}

// TestAccProcessGroup_numprocsEnabled changes numprocs up and down and enabled off and on, checked on EACH
// instance, with extra arguments given to every process including the new ones; then out-of-band numprocs drift.
func TestAccProcessGroup_numprocsEnabled(t *testing.T) {
	const app, prog = "pg_c", "pg_c_multi"
	t.Cleanup(func() { pgAccRestore(t, app, prog, 2) })
	base := []string{`application = "pg_c"`, `program = "pg_c_multi"`, `extra_args = "5"`}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return resource.ComposeAggregateTestCheckFunc(
				pgAccCheckStates(t, supvisors.ProcessStopped, app+":*"),
				pgAccCheckNumprocs(t, app, prog, 2),
				pgAccCheckDisabled(t, app, prog, false),
			)(nil)
		},
		Steps: []resource.TestStep{
			{
				Config: pgAccConfig(append(base, `numprocs = 3`)...),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "id", "pg_c:pg_c_multi"),
					resource.TestCheckResourceAttr(pgAccName, "numprocs", "3"),
					resource.TestCheckResourceAttr(pgAccName, "processes.#", "3"),
					resource.TestCheckResourceAttr(pgAccName, "processes.2.namespec", "pg_c:pg_c_multi_2"),
					resource.TestCheckResourceAttr(pgAccName, "processes.2.statename", "RUNNING"),
					resource.TestCheckResourceAttr(pgAccName, "processes.2.extra_args", "5"),
					pgAccCheckNumprocs(t, app, prog, 3),
					pgAccCheckStates(t, supvisors.ProcessRunning, "pg_c:pg_c_multi_0", "pg_c:pg_c_multi_1", "pg_c:pg_c_multi_2"),
					pgAccCheckArgs(t, "5", "pg_c:pg_c_multi_0", "pg_c:pg_c_multi_1", "pg_c:pg_c_multi_2"),
					pgAccCheckStates(t, supvisors.ProcessStopped, "pg_c:pg_c_plain"),
				),
			},
			{
				ResourceName:            pgAccName,
				ImportState:             true,
				ImportStateId:           "pg_c:pg_c_multi",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "numprocs"},
			},
			{
				Config: pgAccConfig(append(base, `numprocs = 2`)...),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "numprocs", "2"),
					resource.TestCheckResourceAttr(pgAccName, "processes.#", "2"),
					pgAccCheckNumprocs(t, app, prog, 2),
					pgAccCheckStates(t, supvisors.ProcessRunning, "pg_c:pg_c_multi_0", "pg_c:pg_c_multi_1"),
				),
			},
			{
				Config: pgAccConfig(append(base, `numprocs = 2`, `enabled = false`, `state = "stopped"`)...),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "enabled", "false"),
					resource.TestCheckResourceAttr(pgAccName, "state", "stopped"),
					pgAccCheckDisabled(t, app, prog, true),
					pgAccCheckStates(t, supvisors.ProcessStopped, "pg_c:pg_c_multi_0", "pg_c:pg_c_multi_1"),
				),
			},
			{
				Config: pgAccConfig(append(base, `numprocs = 2`, `enabled = true`)...),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "enabled", "true"),
					resource.TestCheckResourceAttr(pgAccName, "state", "running"),
					pgAccCheckDisabled(t, app, prog, false),
					pgAccCheckStates(t, supvisors.ProcessRunning, "pg_c:pg_c_multi_0", "pg_c:pg_c_multi_1"),
				),
			},
			{
				// drift: the program is disabled out of band on one instance (which stops its processes there);
				// the refresh sees it on that instance and the apply enables it again before starting
				PreConfig: func() {
					ctx, cancel := pgAccCtx()
					defer cancel()
					inst, err := testAccClient(t).Instance(ctx, testAccLab.Identifier(1))
					if err == nil {
						err = inst.Disable(ctx, prog, true)
					}
					if err != nil {
						t.Fatalf("out-of-band disable: %v", err)
					}
				},
				Config: pgAccConfig(append(base, `numprocs = 2`, `enabled = true`)...),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pgAccName, plancheck.ResourceActionUpdate),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "enabled", "true"),
					pgAccCheckDisabled(t, app, prog, false),
					pgAccCheckStates(t, supvisors.ProcessRunning, "pg_c:pg_c_multi_0", "pg_c:pg_c_multi_1"),
				),
			},
			{
				// drift: one instance gets numprocs 3 out of band; the refresh reads every instance and the apply
				// sets it back there
				PreConfig: func() {
					ctx, cancel := pgAccCtx()
					defer cancel()
					inst, err := testAccClient(t).Instance(ctx, testAccLab.Identifier(2))
					if err == nil {
						err = inst.UpdateNumprocs(ctx, prog, 3, true, false)
					}
					if err != nil {
						t.Fatalf("out-of-band update_numprocs: %v", err)
					}
				},
				Config: pgAccConfig(append(base, `numprocs = 2`, `enabled = true`)...),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pgAccName, plancheck.ResourceActionUpdate),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "numprocs", "2"),
					pgAccCheckNumprocs(t, app, prog, 2),
				),
			},
		},
	})
}

// TestAccProcessGroup_extraArgs gives extra arguments, changes them (restart), repairs an out-of-band start with
// other arguments, then removes them.
func TestAccProcessGroup_extraArgs(t *testing.T) {
	const ns = "pg_d:pg_d_plain"
	t.Cleanup(func() { pgAccRestore(t, "pg_d", "pg_d_plain", 0) })
	before := map[string]float64{}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             func(*terraform.State) error { return pgAccCheckStates(t, supvisors.ProcessStopped, ns)(nil) },
		Steps: []resource.TestStep{
			{
				Config: pgAccConfig(`application = "pg_d"`, `program = "pg_d_plain"`, `extra_args = "7"`),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "extra_args", "7"),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.extra_args", "7"),
					pgAccCheckStates(t, supvisors.ProcessRunning, ns),
					pgAccCheckArgs(t, "7", ns),
					pgAccMtimes(t, ns, before),
				),
			},
			{
				Config: pgAccConfig(`application = "pg_d"`, `program = "pg_d_plain"`, `extra_args = "8 '9 10'"`),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "extra_args", "8 '9 10'"),
					pgAccCheckStates(t, supvisors.ProcessRunning, ns),
					pgAccCheckArgs(t, "8 '9 10'", ns),
					pgAccCheckRestarted(t, ns, before),
				),
			},
			{
				// drift: restarted out of band with other arguments
				PreConfig: func() {
					ctx, cancel := pgAccCtx()
					defer cancel()
					c := testAccClient(t)
					if err := c.StopProcess(ctx, ns, true); err != nil {
						t.Fatalf("out-of-band stop: %v", err)
					}
					if err := c.StartProcess(ctx, supvisors.StrategyConfig, ns, "42", true); err != nil {
						t.Fatalf("out-of-band start: %v", err)
					}
				},
				Config: pgAccConfig(`application = "pg_d"`, `program = "pg_d_plain"`, `extra_args = "8 '9 10'"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pgAccName, plancheck.ResourceActionUpdate),
					},
				},
				Check: pgAccCheckArgs(t, "8 '9 10'", ns),
			},
			{
				Config: pgAccConfig(`application = "pg_d"`, `program = "pg_d_plain"`),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "extra_args", ""),
					pgAccCheckStates(t, supvisors.ProcessRunning, ns),
					pgAccCheckArgs(t, "", ns),
				),
			},
		},
	})
}

// TestAccProcessGroup_badInput checks that bad input gets a clear diagnostic at plan time and changes nothing.
func TestAccProcessGroup_badInput(t *testing.T) {
	steps := []resource.TestStep{
		{
			Config:      pgAccConfig(`application = "nope"`),
			ExpectError: pgErr(`Unknown application "nope"`, `Known applications:`, `pg_d`),
		},
		{
			Config:      pgAccConfig(`application = "pg_d"`, `program = "nope"`),
			ExpectError: pgErr(`Unknown program "nope" in application "pg_d"`, `pg_d_plain`, `Homogeneous programs`, `pg_d_multi`),
		},
		{
			Config:      pgAccConfig(`application = "pg_d"`, `program = "pg_d_plain"`, `numprocs = 2`),
			ExpectError: pgErr(`numprocs is not applicable to pg_d:pg_d_plain`, `NOT_APPLICABLE`),
		},
		{
			Config:      pgAccConfig(`application = "pg_d"`, `program = "pg_d_multi"`, `numprocs = 0`),
			ExpectError: pgErr(`numprocs`, `between 1 and 10000`),
		},
		{
			Config:      pgAccConfig(`application = "pg_d"`, `numprocs = 2`),
			ExpectError: pgErr(`numprocs needs program`),
		},
		{
			Config:      pgAccConfig(`application = "pg_d"`, `program = "pg_d_plain"`, `extra_args = "'unbalanced"`),
			ExpectError: pgErr(`Invalid extra_args`, `single quote`),
		},
		{
			Config:      pgAccConfig(`application = "pg_d"`, `program = "pg_d_plain"`, `enabled = false`),
			ExpectError: pgErr(`A disabled program cannot run`, `state = "stopped"`),
		},
		{
			Config:      pgAccConfig(`application = "pg_d"`, `program = "*"`),
			ExpectError: pgErr(`Invalid program`, `omit program`),
		},
		{
			Config:      pgAccConfig(`application = "pg_d"`, `strategy = "FASTEST"`),
			ExpectError: pgErr(`strategy`, `LESS_LOADED`),
		},
		{
			Config:        pgAccConfig(`application = "pg_d"`),
			ResourceName:  pgAccName,
			ImportState:   true,
			ImportStateId: "pg_d",
			ExpectError:   pgErr(`Invalid import ID`, `"pg_d:*"`),
		},
		{
			Config:        pgAccConfig(`application = "pg_d"`),
			ResourceName:  pgAccName,
			ImportState:   true,
			ImportStateId: "pg_d:",
			ExpectError:   pgErr(`Invalid import ID`, `empty program part`),
		},
		{
			// a valid configuration of the same group plans fine
			Config:   pgAccConfig(`application = "pg_d"`, `program = "pg_d_multi"`, `state = "stopped"`),
			PlanOnly: true, ExpectNonEmptyPlan: true,
		},
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
	// Nothing above reached the cluster: pg_d_plain still has one process on every instance (a refused
	// update_numprocs would have changed the instance it reached) and pg_d_multi still has two.
	for prog, n := range map[string]int{"pg_d_plain": 1, "pg_d_multi": 2} {
		if err := pgAccCheckNumprocs(t, "pg_d", prog, n)(nil); err != nil {
			t.Error(err)
		}
	}
}

// TestAccProcessGroup_unmanaged manages the processes of the unmanaged group tools (not in the Supvisors rules).
func TestAccProcessGroup_unmanaged(t *testing.T) {
	const ns = "tools:*"
	t.Cleanup(func() {
		if testAccLab == nil {
			return
		}
		ctx, cancel := pgAccCtx()
		defer cancel()
		_ = testAccLab.Client(0).StopProcess(ctx, ns, true)
	})
	before := map[string]float64{}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// stop_on_destroy = false in the last step: the destroy leaves the processes running
		CheckDestroy: func(*terraform.State) error { return pgAccCheckStates(t, supvisors.ProcessRunning, ns)(nil) },
		Steps: []resource.TestStep{
			{
				// already running as wanted: the create adopts it without a restart
				PreConfig: func() {
					ctx, cancel := pgAccCtx()
					defer cancel()
					err := testAccClient(t).StartProcess(ctx, supvisors.StrategyConfig, ns, "", true)
					if err != nil && !supvisors.IsFault(err, supvisors.FaultAlreadyStarted) {
						t.Fatalf("out-of-band start: %v", err)
					}
					_ = pgAccMtimes(t, ns, before)(nil)
				},
				Config: pgAccConfig(`application = "tools"`),
				Check: resource.ComposeAggregateTestCheckFunc(
					pgAccCheckNotRestarted(t, ns, before),
					resource.TestCheckResourceAttr(pgAccName, "id", ns),
					resource.TestCheckResourceAttr(pgAccName, "processes.#", "1"),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.namespec", "tools:tool"),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.statename", "RUNNING"),
					pgAccCheckStates(t, supvisors.ProcessRunning, ns),
				),
			},
			{
				// the other ID form: one program of the group
				ResourceName:  pgAccName,
				ImportState:   true,
				ImportStateId: "tools:tool",
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("imported %d resources, want 1", len(states))
					}
					want := map[string]string{"id": "tools:tool", "application": "tools", "program": "tool",
						"state": "running", "strategy": "", "extra_args": "", "stop_on_destroy": "true",
						"processes.#": "1", "processes.0.namespec": "tools:tool", "processes.0.statename": "RUNNING"}
					for k, v := range want {
						if got := states[0].Attributes[k]; got != v {
							return fmt.Errorf("imported %s = %q, want %q", k, got, v)
						}
					}
					return nil
				},
			},
			{
				ResourceName:            pgAccName,
				ImportState:             true,
				ImportStateId:           ns,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				Config: pgAccConfig(`application = "tools"`, `state = "stopped"`),
				Check:  pgAccCheckStates(t, supvisors.ProcessStopped, ns),
			},
			{
				Config: pgAccConfig(`application = "tools"`, `extra_args = "3"`, `stop_on_destroy = false`),
				Check: resource.ComposeAggregateTestCheckFunc(
					pgAccCheckStates(t, supvisors.ProcessRunning, ns),
					pgAccCheckArgs(t, "3", ns),
				),
			},
		},
	})
}

// TestAccProcessGroup_startFailure: processes that cannot start give an error naming each one with its state
// and spawn error.
func TestAccProcessGroup_startFailure(t *testing.T) {
	t.Cleanup(func() {
		if testAccLab == nil {
			return
		}
		ctx, cancel := pgAccCtx()
		defer cancel()
		_ = testAccLab.Client(0).StopProcess(ctx, "faulty:*", true)
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      pgAccConfig(`application = "faulty"`, `program = "missing_bin"`),
				ExpectError: pgErr(`Processes of faulty:missing_bin did not start`, `faulty:missing_bin: FATAL`, `spawn error:`, `/nonexistent/lab/binary`),
			},
			{
				// The failed create was saved before the wait (issue #10): the resource is in the state, tainted, so
				// the next apply replaces it (stops what the create started) instead of creating it again beside
				// processes that no state knows.
				Config: pgAccConfig(`application = "faulty"`, `program = "missing_bin"`, `state = "stopped"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pgAccName, plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				Check: resource.TestCheckResourceAttr(pgAccName, "state", "stopped"),
			},
			{
				Config:      pgAccConfig(`application = "faulty"`),
				ExpectError: pgErr(`Processes of faulty:* did not start`, `faulty:crasher:`, `faulty:missing_bin: FATAL`, `/nonexistent/lab/binary`),
			},
		},
	})
}

// TestAccProcessGroup_downInstanceWarning reads numprocs/enabled with one instance unreachable (its URL is
// overridden with a dead one): the refresh still succeeds from the other instances and warns, naming it.
func TestAccProcessGroup_downInstanceWarning(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel()
	dead := testAccLab.Identifier(2)
	c := testAccLab.Client(0, func(cfg *supvisors.Config) {
		urls := map[string]string{}
		for k, v := range cfg.InstanceURLs {
			urls[k] = v
		}
		urls[dead] = "http://127.0.0.1:1"
		urls[testAccLab.Nick(2)] = "http://127.0.0.1:1"
		cfg.InstanceURLs = urls
		cfg.ReadyTimeout = time.Second
		cfg.RequestTimeout = time.Second
	})
	r := &processGroupResource{resourceBase{data: &providerData{client: c}}}
	ctx := context.Background()
	resp := pgAccRead(t, r, map[string]any{"id": "pg_b:pg_b_multi", "application": "pg_b", "program": "pg_b_multi",
		"state": "stopped", "extra_args": "", "numprocs": 2, "enabled": true})
	if resp.Diagnostics.HasError() {
		t.Fatalf("read: %v", resp.Diagnostics)
	}
	var warned bool
	for _, w := range resp.Diagnostics.Warnings() {
		if strings.Contains(w.Detail(), dead) && strings.Contains(w.Detail(), "did not answer") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning naming the unreachable instance %s: %v", dead, resp.Diagnostics)
	}
	var m processGroupResourceModel
	if d := resp.State.Get(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	if m.Numprocs.ValueInt64() != 2 || !m.Enabled.ValueBool() || m.Processes.IsNull() || len(m.Processes.Elements()) != 2 {
		t.Errorf("read from the other instances: numprocs %v enabled %v processes %v", m.Numprocs, m.Enabled, m.Processes)
	}
}

// pgAccRead calls Read of r directly with a prior state made of vals (other attributes null).
func pgAccRead(t *testing.T, r *processGroupResource, vals map[string]any) *fwresource.ReadResponse {
	t.Helper()
	ctx := context.Background()
	sch, val := testResourceValue(r, vals)
	state := tfsdk.State{Schema: sch, Raw: val}
	resp := &fwresource.ReadResponse{State: state}
	r.Read(ctx, fwresource.ReadRequest{State: state}, resp)
	return resp
}

// TestAccProcessGroup_vanished: a refresh of a group whose application or program no longer exists removes it
// from the state with a warning, instead of failing.
func TestAccProcessGroup_vanished(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel()
	r := &processGroupResource{resourceBase{data: &providerData{client: testAccClient(t)}}}
	for _, tc := range []struct {
		app, prog, want string
	}{
		{"gone_app", "", `Application "gone_app" vanished`},
		{"pg_b", "gone_prog", "Program pg_b:gone_prog vanished"},
	} {
		vals := map[string]any{"application": tc.app, "state": "running"}
		if tc.prog != "" {
			vals["program"] = tc.prog
		}
		resp := pgAccRead(t, r, vals)
		if resp.Diagnostics.HasError() {
			t.Errorf("%s: %v", tc.want, resp.Diagnostics)
			continue
		}
		if !resp.State.Raw.IsNull() {
			t.Errorf("%s: the resource was not removed from the state", tc.want)
		}
		if w := resp.Diagnostics.Warnings(); len(w) != 1 || w[0].Summary() != tc.want {
			t.Errorf("%s: warnings %v", tc.want, resp.Diagnostics)
		}
	}
}

// TestAccProcessGroup_instanceDown changes numprocs while one instance is stopped: the apply changes the others
// and succeeds (warning about the absent one), the processes that only the absent instance still defines do not
// count (no perpetual drift, no start of a process that exists nowhere), and nothing differs once it is back.
// It stops and starts a supervisord, so it is not parallel; it talks to the Master and stops another instance.
func TestAccProcessGroup_instanceDown(t *testing.T) {
	testAccPreCheck(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	st, err := testAccClient(t).GetSupvisorsState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, k := -1, -1
	for i := 0; i < testAccLab.Size(); i++ {
		if testAccLab.Identifier(i) == st.MasterIdentifier {
			m = i
		} else if k < 0 {
			k = i
		}
	}
	if m < 0 || k < 0 {
		t.Fatalf("no Master (%q) in the lab", st.MasterIdentifier)
	}
	c := testAccLab.Client(m)
	down := testAccLab.Identifier(k)
	procs, err := c.GetAllProcessInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ranOnK []supvisors.ProcessInfo
	for _, p := range procs {
		if p.ApplicationName != "pool" && p.Statename.IsRunning() && slices.Contains(p.Identifiers, down) {
			ranOnK = append(ranOnK, p)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		if err := testAccLab.StartInstance(ctx, k); err != nil && !strings.Contains(err.Error(), "already running") {
			t.Errorf("restore: start %s: %v", testAccLab.Nick(k), err)
		}
		if _, err := c.WaitReady(ctx, supvisors.StateOperation); err != nil {
			t.Errorf("restore: cluster not back in OPERATION: %v", err)
			return
		}
		for _, p := range ranOnK {
			err := c.StartProcess(ctx, supvisors.StrategyConfig, p.Namespec(), p.ExtraArgs, true)
			if err != nil && !supvisors.IsFault(err, supvisors.FaultAlreadyStarted) {
				t.Logf("restore: start %s: %v", p.Namespec(), err)
			}
		}
		pgAccRestore(t, "pool", "pool", 2)
	})

	// counts pool's processes on every instance but the stopped one
	checkUp := func(n int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			for i := 0; i < testAccLab.Size(); i++ {
				if i == k {
					continue
				}
				inst, err := c.Instance(ctx, testAccLab.Identifier(i))
				if err != nil {
					return err
				}
				local, err := inst.GetAllLocalProcessInfo(ctx)
				if err != nil {
					return err
				}
				if got := len(reconcile.ProgramProcesses(local, "pool", "pool")); got != n {
					return fmt.Errorf("instance %s has %d pool processes, want %d", testAccLab.Identifier(i), got, n)
				}
			}
			return nil
		}
	}
	cfg := func(n int) string {
		return testAccProviderConfig(testAccLab.URL(m), testAccLab.Username(), testAccLab.Password()) + fmt.Sprintf(`
resource "supvisors_process_group" "test" {
  application = "pool"
  program     = "pool"
  numprocs    = %d
}
`, n)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg(3),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "processes.#", "3"),
					checkUp(3),
				),
			},
			{
				PreConfig: func() {
					if err := testAccLab.StopInstance(k); err != nil {
						t.Fatalf("stop %s: %v", testAccLab.Nick(k), err)
					}
					deadline := time.Now().Add(60 * time.Second)
					for {
						st, err := c.GetSupvisorsState(ctx)
						if err == nil && st.InstanceStates[down] != "RUNNING" {
							return
						}
						if time.Now().After(deadline) {
							t.Fatalf("%s still seen RUNNING: %v", down, err)
						}
						time.Sleep(500 * time.Millisecond)
					}
				},
				// pool_2 stays known through the stopped instance; it must neither be started nor make drift
				Config: cfg(2),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "numprocs", "2"),
					resource.TestCheckResourceAttr(pgAccName, "processes.#", "2"),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.statename", "RUNNING"),
					resource.TestCheckResourceAttr(pgAccName, "processes.1.statename", "RUNNING"),
					checkUp(2),
				),
			},
			{
				PreConfig: func() {
					if err := testAccLab.StartInstance(ctx, k); err != nil {
						t.Fatalf("start %s: %v", testAccLab.Nick(k), err)
					}
					if _, err := c.WaitReady(ctx, supvisors.StateOperation); err != nil {
						t.Fatalf("cluster not back in OPERATION: %v", err)
					}
				},
				Config:   cfg(2),
				PlanOnly: true,
			},
		},
	})
	if err := pgAccCheckNumprocs(t, "pool", "pool", 2)(nil); err != nil {
		t.Error(err)
	}
}

// TestAccProcessGroup_oneShot manages the lab application batch, whose batch_init runs ~2 s and exits 0 as
// expected before batch_job runs: once created, the group reads "running" (the exited one-shot program counts as
// running, as the client's wait does), the next plan is empty and batch_init is not run again. batch is also
// used by TestAccApplication_cancel (parallel), so this test is not parallel: they never overlap.
func TestAccProcessGroup_oneShot(t *testing.T) {
	const ns = "batch:*"
	before := map[string]float64{}
	t.Cleanup(func() {
		if testAccLab == nil {
			return
		}
		ctx, cancel := pgAccCtx()
		defer cancel()
		if err := testAccClient(t).StopProcess(ctx, ns, true); err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
			t.Errorf("restore: stop %s: %v", ns, err)
		}
	})
	cfg := pgAccConfig(`application = "batch"`)
	resource.Test(t, resource.TestCase{
		PreCheck: func() {
			testAccPreCheck(t)
			ctx, cancel := pgAccCtx()
			defer cancel()
			info, err := testAccClient(t).GetApplicationInfo(ctx, "batch")
			if err != nil || info.Statename != supvisors.ApplicationStopped {
				t.Fatalf("batch must be STOPPED before the test: %+v, %v", info, err)
			}
		},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return pgAccCheckStates(t, supvisors.ProcessStopped, "batch:batch_job")(nil)
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "state", "running"),
					resource.TestCheckResourceAttr(pgAccName, "processes.#", "2"),
					resource.TestCheckResourceAttr(pgAccName, "processes.0.namespec", "batch:batch_init"),
					resource.TestCheckResourceAttr(pgAccName, "processes.1.namespec", "batch:batch_job"),
					pgAccCheckStates(t, supvisors.ProcessRunning, "batch:batch_job"),
					pgAccWaitExited(t, "batch:batch_init"),
					pgAccMtimes(t, "batch:batch_init", before),
				),
			},
			{
				// the same configuration again: the refresh reads "running", nothing to do, batch_init not re-run
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(pgAccName, "state", "running"),
					pgAccCheckNotRestarted(t, "batch:batch_init", before),
					pgAccCheckStates(t, supvisors.ProcessExited, "batch:batch_init"),
				),
			},
		},
	})
}

// pgAccWaitExited waits (up to 30 s) until the one-shot process namespec has exited as expected.
func pgAccWaitExited(t *testing.T, namespec string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var ps []supvisors.ProcessInfo
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			ps = pgAccProcesses(t, namespec)
			if len(ps) == 1 && ps[0].Statename == supvisors.ProcessExited && ps[0].ExpectedExit {
				return nil
			}
		}
		return fmt.Errorf("%s did not exit as expected: %+v", namespec, ps)
	}
}
