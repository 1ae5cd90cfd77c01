package provider

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

// ---------------------------------------------------------------------------------------------------------------
// Unit tests of the plan and state logic.

func testSnapshot() *supvisors.Snapshot {
	apps := []supvisors.ApplicationInfo{
		{ApplicationName: "web", Managed: true, Statename: supvisors.ApplicationRunning},
		{ApplicationName: "batch", Managed: true, Statename: supvisors.ApplicationStopped},
		{ApplicationName: "tools", Managed: false, Statename: supvisors.ApplicationStopped},
		{ApplicationName: "gone", Managed: true, Statename: supvisors.ApplicationDeleted},
	}
	procs := []supvisors.ProcessInfo{
		{ApplicationName: "web", ProcessName: "web_server", Statename: supvisors.ProcessRunning, Identifiers: []string{"127.0.0.1:61002"}},
		{ApplicationName: "web", ProcessName: "web_cache", Statename: supvisors.ProcessStarting, Identifiers: []string{"127.0.0.1:61002", "127.0.0.1:61001"}},
	}
	return supvisors.NewSnapshot(supvisors.SupvisorsState{FSMStatename: supvisors.StateOperation}, apps, procs, time.Now())
}

func TestApplicationProblem(t *testing.T) {
	snap := testSnapshot()
	if s, d := applicationProblem(snap, "web"); s != "" {
		t.Fatalf("web: %s: %s", s, d)
	}
	s, d := applicationProblem(snap, "nope")
	if s != "Unknown Supvisors application" || !strings.Contains(d, `"nope"`) ||
		!strings.Contains(d, `Managed applications: "batch", "gone", "web"`) || !strings.Contains(d, `"tools"`) {
		t.Errorf("nope: %s: %s", s, d)
	}
	if s, _ := applicationProblem(snap, "gone"); s != "Unknown Supvisors application" {
		t.Errorf("a DELETED application is reported as %q", s)
	}
	s, d = applicationProblem(snap, "tools")
	if s != "Unmanaged Supvisors application" || !strings.Contains(d, "supvisors_process_group") || !strings.Contains(d, "NOT_MANAGED") {
		t.Errorf("tools: %s: %s", s, d)
	}
}

func TestPlannedAction(t *testing.T) {
	triggers := func(v string) types.Map {
		if v == "" {
			return types.MapNull(types.StringType)
		}
		return types.MapValueMust(types.StringType, map[string]attr.Value{"v": types.StringValue(v)})
	}
	model := func(state, trig string) applicationResourceModel {
		m := applicationResourceModel{State: types.StringValue(state), RestartTriggers: triggers(trig)}
		if state == "?" {
			m.State = types.StringUnknown()
		}
		if trig == "?" {
			m.RestartTriggers = types.MapUnknown(types.StringType)
		}
		return m
	}
	empty := model(reconcile.StateRunning, "")
	empty.RestartTriggers = types.MapValueMust(types.StringType, map[string]attr.Value{})
	tests := []struct {
		name        string
		prior, plan applicationResourceModel
		want        reconcile.Action
	}{
		{"same", model(reconcile.StateRunning, "1"), model(reconcile.StateRunning, "1"), reconcile.None},
		{"drift: stopped outside, want running", model(reconcile.StateStopped, "1"), model(reconcile.StateRunning, "1"), reconcile.Start},
		{"stop", model(reconcile.StateRunning, ""), model(reconcile.StateStopped, ""), reconcile.Stop},
		{"triggers while running", model(reconcile.StateRunning, "1"), model(reconcile.StateRunning, "2"), reconcile.Restart},
		{"triggers added (first value, e.g. after an import): recorded only", model(reconcile.StateRunning, ""), model(reconcile.StateRunning, "2"), reconcile.None},
		{"triggers added while unknown: recorded only", model(reconcile.StateRunning, ""), model(reconcile.StateRunning, "?"), reconcile.None},
		{"triggers removed: nothing restarts", model(reconcile.StateRunning, "1"), empty, reconcile.None},
		{"null and empty triggers are the same", model(reconcile.StateRunning, ""), empty, reconcile.None},
		{"triggers while stopped", model(reconcile.StateStopped, "1"), model(reconcile.StateStopped, "2"), reconcile.None},
		{"start wins over triggers", model(reconcile.StateStopped, "1"), model(reconcile.StateRunning, "2"), reconcile.Start},
		{"unknown state", model(reconcile.StateRunning, "1"), model("?", "1"), reconcile.Unknown},
		{"unknown triggers", model(reconcile.StateRunning, "1"), model(reconcile.StateRunning, "?"), reconcile.Unknown},
		{"unknown triggers, stopping anyway", model(reconcile.StateRunning, "1"), model(reconcile.StateStopped, "?"), reconcile.Stop},
	}
	for _, tc := range tests {
		if got := plannedAction(tc.prior, tc.plan); got != tc.want {
			t.Errorf("%s: got %s (%d), want %s (%d)", tc.name, got.String(), got, tc.want.String(), tc.want)
		}
	}
}

func TestSetFromCluster(t *testing.T) {
	ctx := context.Background()
	snap := testSnapshot()
	for statename, want := range map[supvisors.ApplicationState]string{
		supvisors.ApplicationRunning: reconcile.StateRunning, supvisors.ApplicationStarting: reconcile.StateRunning,
		supvisors.ApplicationStopped: reconcile.StateStopped, supvisors.ApplicationStopping: reconcile.StateStopped,
	} {
		m := applicationResourceModel{State: types.StringValue("unchanged")}
		info := supvisors.ApplicationInfo{ApplicationName: "web", Managed: true, Statename: statename, MinorFailure: true}
		if diags := m.setFromCluster(ctx, reconcile.Application{Info: info, Processes: snap.ProcessesOf("web")}); diags.HasError() {
			t.Fatal(diags)
		}
		if m.State.ValueString() != want || m.Statename.ValueString() != string(statename) {
			t.Errorf("%s: state %s statename %s", statename, m.State, m.Statename)
		}
		if !m.Managed.ValueBool() || m.MajorFailure.ValueBool() || !m.MinorFailure.ValueBool() {
			t.Errorf("%s: flags %v %v %v", statename, m.Managed, m.MajorFailure, m.MinorFailure)
		}
		// strategy has no default (unset = the rules' strategy): a refresh leaves it unset
		if !m.Strategy.IsNull() || !m.StopOnDestroy.ValueBool() {
			t.Errorf("defaults: strategy %v (want null), stop_on_destroy %v", m.Strategy, m.StopOnDestroy)
		}
		var procs []applicationProcessModel
		if diags := m.Processes.ElementsAs(ctx, &procs, false); diags.HasError() {
			t.Fatal(diags)
		}
		if len(procs) != 2 || procs[0].Name.ValueString() != "web_cache" || procs[1].Namespec.ValueString() != "web:web_server" {
			t.Fatalf("processes not sorted by name: %+v", procs)
		}
		var ids []string
		procs[0].Identifiers.ElementsAs(ctx, &ids, false)
		if strings.Join(ids, ",") != "127.0.0.1:61001,127.0.0.1:61002" {
			t.Errorf("identifiers not sorted: %v", ids)
		}
	}
	// An unexpected state leaves the desired state alone.
	m := applicationResourceModel{State: types.StringValue(reconcile.StateRunning)}
	m.setFromCluster(ctx, reconcile.Application{Info: supvisors.ApplicationInfo{Statename: "FROZEN"}})
	if m.State.ValueString() != reconcile.StateRunning || m.Statename.ValueString() != "FROZEN" {
		t.Errorf("unexpected state: %v %v", m.State, m.Statename)
	}
	if len(m.Processes.Elements()) != 0 || m.Processes.IsNull() {
		t.Errorf("no processes should be an empty list: %v", m.Processes)
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Acceptance tests against the lab. Each test owns one lab application (app_a .. app_h), or uses resource.Test
// when it touches something shared.

// testAccApplicationConfig renders the provider block and one supvisors_application "test" with extra lines.
func testAccApplicationConfig(name string, lines ...string) string {
	var b strings.Builder
	b.WriteString(testAccProviderBlock())
	fmt.Fprintf(&b, "resource \"supvisors_application\" \"test\" {\n  name = %q\n", name)
	for _, l := range lines {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	b.WriteString("}\n")
	return b.String()
}

const testAccAppAddr = "supvisors_application.test"

// testAccSetApplication puts the application in the wanted state out of band (wait=true), and fails the test
// when that is not possible.
func testAccSetApplication(t *testing.T, name string, running bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := testAccClient(t)
	var err error
	if running {
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
		want := supvisors.ApplicationStopped
		if running {
			want = supvisors.ApplicationRunning
		}
		_, _, err = c.WaitApplication(ctx, name, want)
	}
	if err != nil {
		t.Fatalf("out-of-band %s of %s: %v", map[bool]string{true: "start", false: "stop"}[running], name, err)
	}
}

// testAccCheckApplicationState checks the application's state on the cluster.
func testAccCheckApplicationState(t *testing.T, name string, want supvisors.ApplicationState) resource.TestCheckFunc {
	return func(*terraform.State) error {
		info, err := testAccClient(t).GetApplicationInfo(context.Background(), name)
		if err != nil {
			return err
		}
		if info.Statename != want {
			return fmt.Errorf("application %s is %s on the cluster, want %s", name, info.Statename, want)
		}
		return nil
	}
}

// processIdentity tells a process run apart from another: pid and start time on its instance.
type processIdentity struct {
	Identifier string
	Pid        int
	Start      int64
}

// testAccProcessIdentities reads the pid and start time of each process of app, from the instance it runs on.
func testAccProcessIdentities(t *testing.T, app string) (map[string]processIdentity, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := testAccClient(t)
	procs, err := c.GetProcessInfo(ctx, app+":*")
	if err != nil {
		return nil, err
	}
	out := map[string]processIdentity{}
	for _, p := range procs {
		if len(p.Identifiers) != 1 {
			return nil, fmt.Errorf("%s runs on %v", p.Namespec(), p.Identifiers)
		}
		ic, err := c.Instance(ctx, p.Identifiers[0])
		if err != nil {
			return nil, err
		}
		lp, err := ic.GetLocalProcessInfo(ctx, p.Namespec())
		if err != nil {
			return nil, err
		}
		out[p.Namespec()] = processIdentity{Identifier: p.Identifiers[0], Pid: lp.Pid, Start: lp.Start}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("application %s has no process", app)
	}
	return out, nil
}

// testAccRecordProcesses stores the process identities of app into *into.
func testAccRecordProcesses(t *testing.T, app string, into *map[string]processIdentity) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ids, err := testAccProcessIdentities(t, app)
		*into = ids
		return err
	}
}

// testAccCheckProcesses compares the process identities of app with *before: same (unchanged=true) or all
// different (a restart).
func testAccCheckProcesses(t *testing.T, app string, before *map[string]processIdentity, unchanged bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		now, err := testAccProcessIdentities(t, app)
		if err != nil {
			return err
		}
		if len(*before) == 0 {
			return fmt.Errorf("no process identities recorded before")
		}
		for ns, b := range *before {
			n, ok := now[ns]
			switch {
			case !ok:
				return fmt.Errorf("%s disappeared", ns)
			case unchanged && n != b:
				return fmt.Errorf("%s was restarted: %+v then %+v", ns, b, n)
			case !unchanged && n.Pid == b.Pid && n.Start == b.Start:
				return fmt.Errorf("%s was not restarted: still pid %d on %s", ns, n.Pid, n.Identifier)
			}
		}
		return nil
	}
}

// testAccCheckDestroyedState is a CheckDestroy that checks the application's state on the cluster.
func testAccCheckDestroyedState(t *testing.T, name string, want supvisors.ApplicationState) resource.TestCheckFunc {
	return testAccCheckApplicationState(t, name, want)
}

func TestAccApplication_basic(t *testing.T) {
	const app = "app_a"
	var started time.Time
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t); testAccSetApplication(t, app, false) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroyedState(t, app, supvisors.ApplicationStopped),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { started = time.Now() },
				Config:    testAccApplicationConfig(app, `timeouts { create = "2m" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAppAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("id"), knownvalue.StringExact(app)),
					plancheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("statename"), knownvalue.StringExact("RUNNING")),
					plancheck.ExpectUnknownValue(testAccAppAddr, tfjsonpath.New("processes")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("state"), knownvalue.StringExact("running")),
					statecheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("strategy"), knownvalue.Null()), // unset: the rules'
					statecheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("managed"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("major_failure"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("processes"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"name": knownvalue.StringExact("main"), "namespec": knownvalue.StringExact("app_a:main"),
							"statename": knownvalue.StringExact("RUNNING"), "identifiers": knownvalue.ListSizeExact(1),
						}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"name": knownvalue.StringExact("side"), "statename": knownvalue.StringExact("RUNNING"),
						}),
					})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckApplicationState(t, app, supvisors.ApplicationRunning),
					func(*terraform.State) error {
						t.Logf("create of %s (plan + apply + refresh): %s", app, time.Since(started).Round(time.Millisecond))
						return nil
					},
				),
			},
			{
				ResourceName:            testAccAppAddr,
				ImportState:             true,
				ImportStateId:           app,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"restart_triggers", "timeouts"},
			},
			{
				Config: testAccApplicationConfig(app, `state = "stopped"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAppAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("statename"), knownvalue.StringExact("STOPPED")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("statename"), knownvalue.StringExact("STOPPED")),
					statecheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("processes").AtSliceIndex(0).AtMapKey("statename"),
						knownvalue.StringExact("STOPPED")),
				},
				Check: testAccCheckApplicationState(t, app, supvisors.ApplicationStopped),
			},
			{
				Config: testAccApplicationConfig(app, `state = "running"`, `strategy = "LESS_LOADED"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAppAddr, plancheck.ResourceActionUpdate),
				}},
				Check: testAccCheckApplicationState(t, app, supvisors.ApplicationRunning),
			},
		},
	})
}

// TestAccApplication_adopt creates the resource for an application that already runs: nothing is restarted.
func TestAccApplication_adopt(t *testing.T) {
	const app = "app_b"
	var before map[string]processIdentity
	resource.ParallelTest(t, resource.TestCase{
		PreCheck: func() {
			testAccPreCheck(t)
			testAccSetApplication(t, app, true)
			var err error
			if before, err = testAccProcessIdentities(t, app); err != nil {
				t.Fatal(err)
			}
		},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroyedState(t, app, supvisors.ApplicationStopped),
		Steps: []resource.TestStep{{
			Config: testAccApplicationConfig(app),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testAccAppAddr, plancheck.ResourceActionCreate),
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				testAccCheckApplicationState(t, app, supvisors.ApplicationRunning),
				testAccCheckProcesses(t, app, &before, true),
				resource.TestCheckResourceAttr(testAccAppAddr, "statename", "RUNNING"),
			),
		}},
	})
}

// TestAccApplication_drift stops the application behind Terraform's back: a refresh shows it, the next plan
// starts it again in place, and the apply re-converges.
func TestAccApplication_drift(t *testing.T) {
	const app = "app_c"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t); testAccSetApplication(t, app, false) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroyedState(t, app, supvisors.ApplicationStopped),
		Steps: []resource.TestStep{
			{
				Config: testAccApplicationConfig(app),
				Check:  testAccCheckApplicationState(t, app, supvisors.ApplicationRunning),
			},
			{
				// Out-of-band stop, then a refresh: the state records the truth.
				PreConfig:          func() { testAccSetApplication(t, app, false) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(testAccAppAddr, "state", "stopped"),
					resource.TestCheckResourceAttr(testAccAppAddr, "statename", "STOPPED"),
				),
			},
			{
				Config: testAccApplicationConfig(app),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAppAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("state"), knownvalue.StringExact("running")),
				}},
				Check: testAccCheckApplicationState(t, app, supvisors.ApplicationRunning),
			},
			{
				// Stopped again out of band, without an explicit refresh step: plan (with its refresh) and apply
				// converge in one go.
				PreConfig: func() { testAccSetApplication(t, app, false) },
				Config:    testAccApplicationConfig(app),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAppAddr, plancheck.ResourceActionUpdate),
				}},
				Check: testAccCheckApplicationState(t, app, supvisors.ApplicationRunning),
			},
		},
	})
}

// TestAccApplication_restartTriggers changes restart_triggers: the application restarts in place (new pids, no
// replacement). Triggers added to a running application are only recorded (no restart). A strategy change alone does nothing on the cluster and plans no unknown value.
func TestAccApplication_restartTriggers(t *testing.T) {
	const app = "app_d"
	var first, second map[string]processIdentity
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t); testAccSetApplication(t, app, false) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroyedState(t, app, supvisors.ApplicationStopped),
		Steps: []resource.TestStep{
			{
				Config: testAccApplicationConfig(app),
				Check:  testAccRecordProcesses(t, app, &first),
			},
			{
				// Triggers added to a running application (as after an import) are a baseline: recorded, no restart.
				Config: testAccApplicationConfig(app, `restart_triggers = { conf = "v1" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAppAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckProcesses(t, app, &first, true),
					testAccRecordProcesses(t, app, &first),
				),
			},
			{
				Config: testAccApplicationConfig(app, `restart_triggers = { conf = "v2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAppAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("statename"), knownvalue.StringExact("RUNNING")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckApplicationState(t, app, supvisors.ApplicationRunning),
					testAccCheckProcesses(t, app, &first, false),
					testAccRecordProcesses(t, app, &second),
				),
			},
			{
				Config: testAccApplicationConfig(app, `restart_triggers = { conf = "v2" }`, `strategy = "MOST_LOADED"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAppAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("statename"), knownvalue.StringExact("RUNNING")),
					plancheck.ExpectKnownValue(testAccAppAddr, tfjsonpath.New("processes"), knownvalue.ListSizeExact(2)),
				}},
				Check: testAccCheckProcesses(t, app, &second, true),
			},
			{
				// Triggers change while the application is to be stopped: it is stopped, not restarted.
				Config: testAccApplicationConfig(app, `state = "stopped"`, `restart_triggers = { conf = "v3" }`),
				Check:  testAccCheckApplicationState(t, app, supvisors.ApplicationStopped),
			},
		},
	})
}

// TestAccApplication_createStopped creates the resource with state = "stopped" for a running application: it
// is stopped.
func TestAccApplication_createStopped(t *testing.T) {
	const app = "app_f"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t); testAccSetApplication(t, app, true) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroyedState(t, app, supvisors.ApplicationStopped),
		Steps: []resource.TestStep{{
			Config: testAccApplicationConfig(app, `state = "stopped"`),
			Check: resource.ComposeAggregateTestCheckFunc(
				testAccCheckApplicationState(t, app, supvisors.ApplicationStopped),
				resource.TestCheckResourceAttr(testAccAppAddr, "statename", "STOPPED"),
			),
		}},
	})
}

// TestAccApplication_stopOnDestroyFalse destroys the resource without stopping the application.
func TestAccApplication_stopOnDestroyFalse(t *testing.T) {
	const app = "app_e"
	t.Cleanup(func() {
		if testAccLab != nil {
			testAccSetApplication(t, app, false)
		}
	})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t); testAccSetApplication(t, app, false) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroyedState(t, app, supvisors.ApplicationRunning),
		Steps: []resource.TestStep{{
			Config: testAccApplicationConfig(app, `stop_on_destroy = false`),
			Check:  testAccCheckApplicationState(t, app, supvisors.ApplicationRunning),
		}},
	})
}

// TestAccApplication_vanished removes the application's group from every supervisord behind Terraform's back:
// the refresh drops it from the state (with a warning) and the plan then refuses the unknown application. Putting
// the group back lets the next apply create it again. Not parallel: other tests list every application.
func TestAccApplication_vanished(t *testing.T) {
	const app = "app_g"
	groups := func(add bool) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for i := range testAccLab.Size() {
			c, err := supvisors.New(supvisors.Config{URL: testAccLab.URL(i), Username: testAccLab.Username(), Password: testAccLab.Password()})
			if err != nil {
				t.Fatal(err)
			}
			if add {
				err = c.Supervisor().AddProcessGroup(ctx, app)
				if supvisors.IsFault(err, supvisors.FaultAlreadyAdded) {
					err = nil
				}
			} else {
				err = c.Supervisor().RemoveProcessGroup(ctx, app)
				if supvisors.IsFault(err, supvisors.FaultBadName) {
					err = nil
				}
			}
			if err != nil {
				t.Fatalf("instance %d: %v", i, err)
			}
		}
	}
	t.Cleanup(func() {
		if testAccLab != nil {
			groups(true)
		}
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t); testAccSetApplication(t, app, false) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroyedState(t, app, supvisors.ApplicationStopped),
		Steps: []resource.TestStep{
			{
				Config: testAccApplicationConfig(app, `state = "stopped"`),
			},
			{
				// The refresh finds it gone (a warning) and the plan of the still-configured resource is refused:
				// no such application.
				PreConfig:    func() { groups(false) },
				RefreshState: true,
				ExpectError:  testAccErrorRe(`Unknown Supvisors application.*"app_g".*Managed applications:.*"app_a"`),
			},
			{
				// Without the resource in the configuration, the refresh drops it from the state: nothing to
				// destroy, the plan is empty.
				Config: testAccProviderBlock(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: func(s *terraform.State) error {
					if _, ok := s.RootModule().Resources[testAccAppAddr]; ok {
						return fmt.Errorf("%s is still in the state", testAccAppAddr)
					}
					return nil
				},
			},
			{
				PreConfig: func() { groups(true); time.Sleep(2 * time.Second) },
				Config:    testAccApplicationConfig(app, `state = "stopped"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAppAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// TestAccApplication_faulty starts an application whose processes cannot run: the error names each failed process,
// its state and why it failed, and the resource stays in the state (tainted) for the next apply.
func TestAccApplication_faulty(t *testing.T) {
	const app = "faulty"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t); testAccSetApplication(t, app, false) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroyedState(t, app, supvisors.ApplicationStopped),
		Steps: []resource.TestStep{{
			Config: testAccApplicationConfig(app, `timeouts { create = "1m" }`),
			ExpectError: testAccErrorRe(`Could not start application "faulty".*settled in state STOPPED instead of` +
				` RUNNING.*faulty:crasher: (FATAL|BACKOFF|EXITED).*faulty:missing_bin: FATAL.*nonexistent`),
		}},
	})
}

// TestAccApplication_badInputs checks each input that is refused, before anything is done on the cluster.
func TestAccApplication_badInputs(t *testing.T) {
	testAccPreCheck(t)
	closed := testAccClosedPort(t)
	plain := testAccPlainSupervisord(t)
	const name = `name = "app_h"`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      testAccApplicationConfig("no_such_app"),
				ExpectError: testAccErrorRe(`Unknown Supvisors application.*"no_such_app".*Managed applications:.*"app_a".*"web"`),
			},
			{
				Config: testAccApplicationConfig("tools"),
				ExpectError: testAccErrorRe(`Unmanaged Supvisors application.*"tools" is an unmanaged group.*` +
					`supvisors_process_group`),
			},
			{
				Config: testAccApplicationConfig("app_h", `strategy = "FASTEST"`),
				ExpectError: testAccErrorRe(`Invalid starting strategy.*"FASTEST".*"CONFIG", "LESS_LOADED", ` +
					`"MOST_LOADED", "LOCAL", "LESS_LOADED_NODE", "MOST_LOADED_NODE"`),
			},
			{
				Config:      testAccApplicationConfig("app_h", `state = "started"`),
				ExpectError: testAccErrorRe(`value must be one of.*"running".*"stopped"`),
			},
			{
				Config:      testAccApplicationConfig("web:web_server"),
				ExpectError: testAccErrorRe(`Invalid application name.*separates the application from the program`),
			},
			{
				Config:      testAccProviderConfig("127.0.0.1:61001", "u", "p") + testAccResourceOnly(name),
				ExpectError: testAccErrorRe(`Invalid URL.*no scheme.*http://127.0.0.1:61001`),
			},
			{
				Config:      testAccProviderConfig(testAccLab.URL(0), testAccLab.Username(), "not-the-password") + testAccResourceOnly(name),
				ExpectError: testAccErrorRe(`HTTP 401 Unauthorized.*Check username and password`),
			},
			{
				Config: testAccProviderConfig(closed, "u", "p", `ready_timeout = "2s"`, `request_timeout = "2s"`) +
					testAccResourceOnly(name),
				ExpectError: testAccErrorRe(`Could not reach the server at ` + regexp.QuoteMeta(closed) + `.*refused`),
			},
			{
				Config:        testAccApplicationConfig("app_h"),
				ResourceName:  testAccAppAddr,
				ImportState:   true,
				ImportStateId: "no_such_app",
				ExpectError:   testAccErrorRe(`Unknown Supvisors application.*"no_such_app".*Managed applications:`),
			},
			{
				Config:        testAccApplicationConfig("app_h"),
				ResourceName:  testAccAppAddr,
				ImportState:   true,
				ImportStateId: "tools",
				ExpectError:   testAccErrorRe(`Unmanaged Supvisors application.*supvisors_process_group`),
			},
			{
				Config:      testAccProviderConfig(plain, "", "", `ready_timeout = "5s"`) + testAccResourceOnly(name),
				ExpectError: testAccErrorRe(`plain supervisord.*\[rpcinterface:supvisors\]`),
			},
		},
	})
}

// testAccErrorRe compiles an ExpectError pattern that spans lines (?s) and in which each space matches any run
// of white space, since Terraform wraps long diagnostic lines.
func testAccErrorRe(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(pattern, " ", `\s+`))
}

// testAccResourceOnly renders a supvisors_application "test" without the provider block.
func testAccResourceOnly(lines ...string) string {
	return "resource \"supvisors_application\" \"test\" {\n  " + strings.Join(lines, "\n  ") + "\n}\n"
}

// testAccClosedPort returns the URL of a local port nobody listens on.
func testAccClosedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// testAccPlainSupervisord starts a supervisord from the lab's venv WITHOUT the Supvisors plugin on a free port,
// for the lifetime of the test, and returns its URL.
func testAccPlainSupervisord(t *testing.T) string {
	t.Helper()
	testAccPreCheck(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	python, err := testlab.EnsureVenv(ctx, t.Logf)
	if err != nil {
		t.Fatalf("lab venv: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	dir := t.TempDir()
	conf := filepath.Join(dir, "supervisord.conf")
	err = os.WriteFile(conf, []byte(fmt.Sprintf(`[supervisord]
nodaemon = true
logfile = %[1]s/supervisord.log
pidfile = %[1]s/supervisord.pid
childlogdir = %[1]s

[inet_http_server]
port = %[2]s

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
`, dir, addr)), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-m", "supervisor.supervisord", "-c", conf)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start plain supervisord: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	for deadline := time.Now().Add(30 * time.Second); ; {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "supervisord.log"))
			t.Fatalf("plain supervisord did not listen on %s:\n%s", addr, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "http://" + addr
}

// TestAccApplication_logsHidePassword runs a create, a wrong-password plan and a destroy with TF_LOG=TRACE into
// a file and checks that neither password appears in any line, from the provider or from Terraform. The
// passwords come from SUPVISORS_PASSWORD, as in a pipeline: a password written literally in the configuration
// would show in the test framework's own trace of the configuration text, which is not the provider's doing.
func TestAccApplication_logsHidePassword(t *testing.T) {
	testAccPreCheck(t)
	const app = "app_h"
	const wrong = "wrong-Pa55-for-the-log-test"
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	t.Setenv("SUPVISORS_PASSWORD", testAccLab.Password())
	config := func() string {
		return testAccProviderConfig(testAccLab.URL(0), testAccLab.Username(), "") + testAccResourceOnly(`name = "`+app+`"`)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t); testAccSetApplication(t, app, false) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroyedState(t, app, supvisors.ApplicationStopped),
		Steps: []resource.TestStep{
			{
				Config: config(),
				Check:  testAccCheckApplicationState(t, app, supvisors.ApplicationRunning),
			},
			{
				PreConfig:   func() { t.Setenv("SUPVISORS_PASSWORD", wrong) },
				Config:      config(),
				ExpectError: testAccErrorRe(`HTTP 401`),
			},
			{
				PreConfig: func() { t.Setenv("SUPVISORS_PASSWORD", testAccLab.Password()) },
				Config:    config(),
			},
		},
	})
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("no trace log: %v", err)
	}
	text := string(data)
	if !strings.Contains(text, "supvisors.start_application") && !strings.Contains(text, "start_application") {
		t.Fatalf("the trace log (%d bytes) holds no provider call: logging did not reach the file", len(data))
	}
	for _, secret := range []string{testAccLab.Password(), wrong} {
		for i, line := range strings.Split(text, "\n") {
			if strings.Contains(line, secret) {
				t.Errorf("line %d of the trace log holds a password: %s", i+1, line)
			}
		}
	}
	t.Logf("trace log: %d lines, no password", strings.Count(text, "\n"))
}

// TestAccApplication_notReady puts the cluster in CONCILIATION (one process started by hand on two instances):
// Supvisors then refuses starts with BAD_SUPVISORS_STATE. The provider waits ready_timeout, then fails with a
// diagnostic naming the state and what to do. The conflict is conciliated afterwards.
func TestAccApplication_notReady(t *testing.T) {
	const app, namespec = "app_h", "app_h:side"
	conciliate := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		c := testAccClient(t)
		st, err := c.GetSupvisorsState(ctx)
		if err == nil && st.FSMStatename == supvisors.StateConciliation {
			if _, err := c.Conciliate(ctx, supvisors.ConciliationSenicide); err != nil {
				t.Errorf("conciliate(SENICIDE): %v", err)
			}
		}
		if _, err := c.WaitReady(ctx, supvisors.StateOperation); err != nil {
			t.Errorf("the cluster did not return to OPERATION: %v", err)
		}
		testAccSetApplication(t, app, false)
	}
	t.Cleanup(func() {
		if testAccLab != nil {
			conciliate()
		}
	})
	resource.Test(t, resource.TestCase{
		PreCheck: func() {
			testAccPreCheck(t)
			testAccSetApplication(t, app, false)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			for i := range 2 {
				c, err := supvisors.New(supvisors.Config{URL: testAccLab.URL(i), Username: testAccLab.Username(), Password: testAccLab.Password()})
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Supervisor().StartProcess(ctx, namespec, true); err != nil {
					t.Fatalf("start %s by hand on instance %d: %v", namespec, i, err)
				}
			}
			if _, err := testAccClient(t).WaitReady(ctx, supvisors.StateConciliation); err != nil {
				t.Fatalf("the cluster did not enter CONCILIATION: %v", err)
			}
		},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccProviderBlockWith(`ready_timeout = "3s"`) + testAccResourceOnly(`name = "`+app+`"`),
			ExpectError: testAccErrorRe(`Could not start application "app_h".*state is CONCILIATION.*` +
				`supvisors_conflicts.*ready_timeout`),
		}},
	})
}
