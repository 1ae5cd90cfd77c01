package provider

// Acceptance tests of supvisors_config_update: on the plain supervisord, and on the lab cluster (every
// instance). Only these tests write program files, in the included directories of the plain supervisord and of
// the cluster; they remove them and roll out again when done. The cluster test runs alone (resource.Test) and
// limits itself to its own groups (groups = ["roll_*", "app_z"]).

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
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

const cuAccName = "supvisors_config_update.test"

func cuConfig(provider, version string, extra ...string) string {
	return provider + fmt.Sprintf("resource \"supvisors_config_update\" \"test\" {\n  triggers = { v = %q }\n  %s\n}\n",
		version, strings.Join(extra, "\n  "))
}

// cuGroups checks one list of results[i] (added, changed, removed).
func cuGroups(i int, which string, groups ...string) statecheck.StateCheck {
	vals := make([]knownvalue.Check, len(groups))
	for k, g := range groups {
		vals[k] = knownvalue.StringExact(g)
	}
	return statecheck.ExpectKnownValue(cuAccName, tfjsonpath.New("results").AtSliceIndex(i).AtMapKey(which),
		knownvalue.ListExact(vals))
}

// cuRollBack removes the given program files and rolls the removal out, for the clean-up.
func cuRollBack(t *testing.T, dir string, targets []supvisors.RolloutTarget, names ...string) {
	for _, n := range names {
		testAccWriteProgram(t, dir, n, "")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	match := func(g string) bool { return slices.Contains(names, g) }
	if _, err := supvisors.Rollout(ctx, targets, supvisors.RolloutOptions{Match: match}); err != nil {
		t.Errorf("clean-up rollout: %v", err)
	}
}

func TestAccConfigUpdatePlain(t *testing.T) {
	testAccPlainPreCheck(t)
	c := testAccPlainClient(t)
	dir := testAccPlain.IncludeDir()
	prov := testAccPlainProviderBlock()
	host := testAccPlainHost()
	t.Cleanup(func() {
		cuRollBack(t, dir, []supvisors.RolloutTarget{{Name: host, Client: c}}, "ra", "rb", "rc", "rd")
	})
	var pids map[string]int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Three new program files: added; the two with autostart run, the third stays stopped.
				PreConfig: func() {
					testAccWriteProgram(t, dir, "ra", testAccProgram("ra", true, ""))
					testAccWriteProgram(t, dir, "rb", testAccProgram("rb", true, ""))
					testAccWriteProgram(t, dir, "rc", testAccProgram("rc", false, ""))
				},
				Config: cuConfig(prov, "1", `groups = ["r?"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(cuAccName, tfjsonpath.New("results"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(cuAccName, tfjsonpath.New("results").AtSliceIndex(0).AtMapKey("instance"),
						knownvalue.StringExact(host)),
					cuGroups(0, "added", "ra", "rb", "rc"),
					cuGroups(0, "changed"),
					cuGroups(0, "removed"),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					plainCheckStates(t, supvisors.ProcessRunning, "ra", "rb"),
					plainCheckStates(t, supvisors.ProcessStopped, "rc"),
					func(*terraform.State) error { pids = testAccPids(t, c); return nil },
				),
			},
			{
				// One file edited: only that group restarts.
				PreConfig: func() {
					testAccWriteProgram(t, dir, "ra", testAccProgram("ra", true, "environment = ROLL=\"2\"\n"))
				},
				Config: cuConfig(prov, "2", `groups = ["r?"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					cuGroups(0, "added"), cuGroups(0, "changed", "ra"), cuGroups(0, "removed"),
				},
				Check: func(*terraform.State) error {
					now := testAccPids(t, c)
					if now["ra"] == 0 || now["ra"] == pids["ra"] || now["rb"] != pids["rb"] || now["rc"] != 0 {
						return fmt.Errorf("only ra should have restarted: %v -> %v", pids, now)
					}
					pids = now
					return nil
				},
			},
			{
				// A file supervisord cannot parse: its own message, nothing changed.
				PreConfig: func() { testAccWriteProgram(t, dir, "rd", "[program:rd\ncommand = sleep 1\n") },
				Config:    cuConfig(prov, "3", `groups = ["r?"]`),
				ExpectError: pgErr("Configuration rollout failed", "On instance "+host,
					"read the configuration (supervisor.reloadConfig) failed", "CANT_REREAD",
					"File contains no section headers", "Nothing was changed on any instance"),
			},
			{
				// Nothing changed by the failed rollout; then a file deleted: removed.
				PreConfig: func() {
					if now := testAccPids(t, c); now["ra"] != pids["ra"] || now["rb"] != pids["rb"] {
						t.Fatalf("the failed rollout changed something: %v -> %v", pids, now)
					}
					testAccWriteProgram(t, dir, "rd", "")
					testAccWriteProgram(t, dir, "rb", "")
				},
				Config: cuConfig(prov, "4", `groups = ["r?"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					cuGroups(0, "added"), cuGroups(0, "changed"), cuGroups(0, "removed", "rb"),
				},
				Check: func(*terraform.State) error {
					now := testAccPids(t, c)
					if _, ok := now["rb"]; ok || now["ra"] != pids["ra"] {
						return fmt.Errorf("rb should be gone and ra untouched: %v -> %v", pids, now)
					}
					return nil
				},
			},
			{
				// The same triggers again: no change planned.
				Config: cuConfig(prov, "4", `groups = ["r?"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// TestAccConfigUpdateCluster rolls program files out on every instance of the lab cluster and checks what
// Supvisors does with the groups: an added group is an application at once, unmanaged unless the rules name
// it (app_z matches the rules' pattern ^app_[a-z]$, so it is managed); a removed one disappears.
func TestAccConfigUpdateCluster(t *testing.T) {
	testAccPreCheck(t)
	lc := testAccClient(t)
	dir := testAccLab.IncludeDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var targets []supvisors.RolloutTarget
	ids := make([]string, testAccLab.Size())
	for i := range ids {
		ids[i] = testAccLab.Identifier(i)
	}
	slices.Sort(ids)
	insts := map[string]*supvisors.Client{}
	for _, id := range ids {
		ic, err := lc.Instance(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		insts[id] = ic
		targets = append(targets, supvisors.RolloutTarget{Name: id, Client: ic})
	}
	t.Cleanup(func() { cuRollBack(t, dir, targets, "roll_a", "roll_b", "roll_c", "app_z", "roll_bad") })
	pidsOn := func() map[string]int {
		m := map[string]int{}
		for id, ic := range insts {
			for ns, pid := range testAccPids(t, ic) {
				m[id+"/"+ns] = pid
			}
		}
		return m
	}
	app := func(name string) (supvisors.ApplicationInfo, bool) {
		apps, err := lc.GetAllApplicationsInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(apps, func(a supvisors.ApplicationInfo) bool { return a.ApplicationName == name })
		if i < 0 {
			return supvisors.ApplicationInfo{}, false
		}
		return apps[i], true
	}
	everyInstance := func(which string, groups ...string) []statecheck.StateCheck {
		var checks []statecheck.StateCheck
		for i, id := range ids {
			checks = append(checks,
				statecheck.ExpectKnownValue(cuAccName, tfjsonpath.New("results").AtSliceIndex(i).AtMapKey("instance"),
					knownvalue.StringExact(id)),
				cuGroups(i, which, groups...))
		}
		return checks
	}
	prov := testAccProviderBlock()
	filter := `groups = ["roll_*", "app_z"]`
	var pids map[string]int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					testAccWriteProgram(t, dir, "roll_a", testAccProgram("roll_a", true, ""))
					testAccWriteProgram(t, dir, "roll_b", testAccProgram("roll_b", true, ""))
					testAccWriteProgram(t, dir, "app_z", "[group:app_z]\nprograms = app_z_main\n\n"+
						testAccProgram("app_z_main", false, "process_name = main\n"))
				},
				Config:            cuConfig(prov, "1", filter),
				ConfigStateChecks: everyInstance("added", "app_z", "roll_a", "roll_b"),
				Check: func(*terraform.State) error {
					pids = pidsOn()
					for _, id := range ids {
						if pids[id+"/roll_a"] == 0 || pids[id+"/roll_b"] == 0 || pids[id+"/app_z:main"] != 0 {
							return fmt.Errorf("on %s roll_a and roll_b should run (autostart), app_z not: %v", id, pids)
						}
					}
					if a, ok := app("roll_a"); !ok || a.Managed {
						return fmt.Errorf("roll_a should be an unmanaged application: %+v %v", a, ok)
					}
					if a, ok := app("app_z"); !ok || !a.Managed || a.Statename != supvisors.ApplicationStopped {
						return fmt.Errorf("app_z should be a managed, stopped application (rules pattern): %+v %v", a, ok)
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					testAccWriteProgram(t, dir, "roll_a", testAccProgram("roll_a", true, "environment = ROLL=\"2\"\n"))
				},
				Config:            cuConfig(prov, "2", filter),
				ConfigStateChecks: everyInstance("changed", "roll_a"),
				Check: func(*terraform.State) error {
					now := pidsOn()
					for _, id := range ids {
						if now[id+"/roll_a"] == 0 || now[id+"/roll_a"] == pids[id+"/roll_a"] || now[id+"/roll_b"] != pids[id+"/roll_b"] {
							return fmt.Errorf("on %s only roll_a should have restarted: %v -> %v", id, pids, now)
						}
					}
					pids = now
					return nil
				},
			},
			{
				PreConfig:   func() { testAccWriteProgram(t, dir, "roll_bad", "[program:roll_bad]\nstartsecs = abc\ncommand = x\n") },
				Config:      cuConfig(prov, "3", filter),
				ExpectError: pgErr("Configuration rollout failed", "CANT_REREAD", "invalid literal for int()", "Nothing was changed"),
			},
			{
				PreConfig: func() {
					if now := pidsOn(); !maps.Equal(now, pids) {
						t.Fatalf("the failed rollout changed something: %v -> %v", pids, now)
					}
					testAccWriteProgram(t, dir, "roll_bad", "")
					testAccWriteProgram(t, dir, "roll_b", "")
					testAccWriteProgram(t, dir, "app_z", "")
				},
				Config:            cuConfig(prov, "4", filter),
				ConfigStateChecks: everyInstance("removed", "app_z", "roll_b"),
				Check: func(*terraform.State) error {
					for _, name := range []string{"roll_b", "app_z"} {
						if _, ok := app(name); ok {
							return fmt.Errorf("%s should have disappeared from Supvisors", name)
						}
					}
					if _, ok := app("roll_a"); !ok {
						return fmt.Errorf("roll_a should still be there")
					}
					return nil
				},
			},
			{
				// Only the instances listed: node2 gets roll_c, the others keep their running configuration.
				PreConfig: func() { testAccWriteProgram(t, dir, "roll_c", testAccProgram("roll_c", true, "")) },
				Config:    cuConfig(prov, "5", filter, `instances = ["node2"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(cuAccName, tfjsonpath.New("results"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(cuAccName, tfjsonpath.New("results").AtSliceIndex(0).AtMapKey("instance"),
						knownvalue.StringExact(testAccLab.Identifier(1))),
					cuGroups(0, "added", "roll_c"),
				},
				Check: func(*terraform.State) error {
					now := pidsOn()
					for i := range ids {
						id := testAccLab.Identifier(i)
						if pid, ok := now[id+"/roll_c"]; (i == 1) != (ok && pid != 0) {
							return fmt.Errorf("roll_c should run on node2 only: %v", now)
						}
					}
					return nil
				},
			},
			{
				Config:      cuConfig(prov, "5", filter, `instances = ["nope"]`),
				PlanOnly:    true,
				ExpectError: pgErr("Unknown instance", `The cluster has no instance "nope"`, "known instances"),
			},
		},
	})
}
