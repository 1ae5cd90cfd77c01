package provider

// "Unset strategy = the application's own rules" (issue #10 item 1) against the real cluster. The lab
// application spread (testlab/testdata) is the only one whose rules say LESS_LOADED and the only one with loads:
// three programs of expected_loading 30, started one after the other. LESS_LOADED puts them on three different
// instances; CONFIG packs them on the first instance. Both tests use spread, so neither is parallel.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

const spreadApp = "spread"

// spreadPlacement returns where each process of spread runs (namespec -> sorted identifiers).
func spreadPlacement(t *testing.T, c *supvisors.Client) map[string][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	procs, err := c.GetProcessInfo(ctx, spreadApp+":*")
	if err != nil {
		t.Fatalf("get_process_info(spread:*): %v", err)
	}
	out := map[string][]string{}
	for _, p := range procs {
		ids := slices.Clone(p.Identifiers)
		slices.Sort(ids)
		out[p.Namespec()] = ids
	}
	return out
}

// distinctInstances counts the instances the running processes of a placement use.
func distinctInstances(p map[string][]string) int {
	seen := map[string]bool{}
	for _, ids := range p {
		for _, id := range ids {
			seen[id] = true
		}
	}
	return len(seen)
}

// spreadStop stops spread (wait=true), whatever it runs.
func spreadStop(t *testing.T, c *supvisors.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.StopApplication(ctx, spreadApp, true); err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
		t.Errorf("stop spread: %v", err)
	}
}

// spreadDirect starts spread directly with strategy (wait=true) and returns where it ran, then stops it.
func spreadDirect(t *testing.T, c *supvisors.Client, strategy supvisors.StartingStrategy) map[string][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.StartApplication(ctx, strategy, spreadApp, true); err != nil {
		t.Fatalf("start_application(%s, spread): %v", strategy, err)
	}
	p := spreadPlacement(t, c)
	spreadStop(t, c)
	return p
}

// TestAccStrategy_applicationRules: supvisors_application with strategy unset starts spread the way its rules
// say (LESS_LOADED: three instances), not the way CONFIG does (one instance). Import leaves strategy unset, and a
// state written by the old schema (version 0, strategy "CONFIG" from the old default) plans no change and is
// upgraded to strategy unset.
func TestAccStrategy_applicationRules(t *testing.T) {
	testAccPreCheck(t)
	c := testAccClient(t)
	spreadStop(t, c)
	t.Cleanup(func() { spreadStop(t, c) })

	// The lab's design, checked with direct calls: the two strategies differ deterministically.
	if p := spreadDirect(t, c, supvisors.StrategyConfig); distinctInstances(p) != 1 {
		t.Fatalf("lab design: start_application(CONFIG, spread) should pack spread on one instance, got %v", p)
	}
	lessLoaded := spreadDirect(t, c, supvisors.StrategyLessLoaded)
	if distinctInstances(lessLoaded) != 3 {
		t.Fatalf("lab design: start_application(LESS_LOADED, spread) should use three instances, got %v", lessLoaded)
	}
	t.Logf("start_application(LESS_LOADED, spread) placed %v", lessLoaded)

	wd := t.TempDir()
	const addr = "supvisors_application.spread"
	config := testAccProviderBlock() + "resource \"supvisors_application\" \"spread\" {\n  name = \"spread\"\n}\n"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		WorkingDir:               wd,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckNoResourceAttr(addr, "strategy"),
					func(*terraform.State) error {
						got := spreadPlacement(t, c)
						t.Logf("the provider (strategy unset) placed %v", got)
						if distinctInstances(got) != distinctInstances(lessLoaded) {
							return fmt.Errorf("strategy unset placed spread on %d instance(s) (%v); its rules (LESS_LOADED) "+
								"place it on %d (%v)", distinctInstances(got), got, distinctInstances(lessLoaded), lessLoaded)
						}
						return nil
					},
				),
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           spreadApp,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// the state as the old schema wrote it: version 0, strategy "CONFIG" from the old default
				PreConfig: func() { testAccRewriteState(t, wd, "supvisors_application", "spread") },
				Config:    config,
				PlanOnly:  true,
			},
			{
				Config: config,
				Check:  resource.TestCheckNoResourceAttr(addr, "strategy"),
			},
		},
	})
}

// TestAccStrategy_processGroupRules: supvisors_process_group with strategy unset starts spread_b the way the
// rules of spread say (LESS_LOADED: away from spread_a's instance), where CONFIG puts it next to spread_a.
func TestAccStrategy_processGroupRules(t *testing.T) {
	testAccPreCheck(t)
	c := testAccClient(t)
	spreadStop(t, c)
	t.Cleanup(func() { spreadStop(t, c) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	start := func(strategy supvisors.StartingStrategy, proc string) []string {
		t.Helper()
		if err := c.StartProcess(ctx, strategy, spreadApp+":"+proc, "", true); err != nil {
			t.Fatalf("start_process(%s, spread:%s): %v", strategy, proc, err)
		}
		return spreadPlacement(t, c)[spreadApp+":"+proc]
	}
	a := start(supvisors.StrategyConfig, "spread_a")
	// the lab's design: CONFIG puts spread_b on spread_a's instance
	if b := start(supvisors.StrategyConfig, "spread_b"); !slices.Equal(a, b) {
		t.Fatalf("lab design: start_process(CONFIG) should put spread_b with spread_a on %v, got %v", a, b)
	}
	if err := c.StopProcess(ctx, spreadApp+":spread_b", true); err != nil {
		t.Fatalf("stop spread_b: %v", err)
	}

	const addr = "supvisors_process_group.spread_b"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccProviderBlock() + `
resource "supvisors_process_group" "spread_b" {
  application = "spread"
  program     = "spread_b"
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckNoResourceAttr(addr, "strategy"),
				func(*terraform.State) error {
					b := spreadPlacement(t, c)[spreadApp+":spread_b"]
					if len(b) != 1 || slices.Equal(a, b) {
						return fmt.Errorf("strategy unset put spread_b on %v, next to spread_a (%v): that is CONFIG, "+
							"not the LESS_LOADED of the rules of spread", b, a)
					}
					return nil
				},
			),
		}},
	})
}

// testAccRewriteState turns the instance of resource typ.name in the state of a test's working directory into
// what the schema version 0 wrote: schema_version 0 and strategy "CONFIG" (the old default).
func testAccRewriteState(t *testing.T, wd, typ, name string) {
	t.Helper()
	var files []string
	_ = filepath.WalkDir(wd, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "terraform.tfstate" {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 1 {
		t.Fatalf("want one terraform.tfstate under %s, found %v", wd, files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	found := false
	resources, _ := st["resources"].([]any)
	for _, r := range resources {
		rm, _ := r.(map[string]any)
		if rm["type"] != typ || rm["name"] != name {
			continue
		}
		instances, _ := rm["instances"].([]any)
		for _, inst := range instances {
			im, _ := inst.(map[string]any)
			im["schema_version"] = 0
			attrs, _ := im["attributes"].(map[string]any)
			attrs["strategy"] = "CONFIG"
			found = true
		}
	}
	if !found {
		t.Fatalf("no %s.%s in %s", typ, name, files[0])
	}
	out, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(files[0], out, 0o600); err != nil {
		t.Fatal(err)
	}
}
