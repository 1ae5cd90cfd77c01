package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// TestAccResourceIdentity creates a supvisors_application (app_t) and two supvisors_process_group (one program,
// and every process of app_t), checks the identities in the state, then imports each back both by identity and
// by its import ID in an import block: the imported state must match and nothing may be restarted.
func TestAccResourceIdentity(t *testing.T) {
	testAccPreCheck(t)
	const app = "app_t"
	config := testAccProviderBlock() + `
resource "supvisors_application" "t" {
  name = "app_t"
}

resource "supvisors_process_group" "main" {
  application = "app_t"
  program     = "main"
  depends_on  = [supvisors_application.t]
}

resource "supvisors_process_group" "all" {
  application = "app_t"
  depends_on  = [supvisors_application.t]
}
`
	var pids map[string]string
	t.Cleanup(func() { testAccStopProcesses(t, app+":*") })
	importStep := func(addr string, kind resource.ImportStateKind) resource.TestStep {
		// An import block must plan a no-op import (with the same identity); the import command's state is
		// compared with the one the apply made.
		verify := kind == resource.ImportCommandWithID
		return resource.TestStep{
			Config:                  config,
			ResourceName:            addr,
			ImportState:             true,
			ImportStateKind:         kind,
			ImportStateVerify:       verify,
			ImportStateVerifyIgnore: []string{"timeouts"},
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   testAccNeedsIdentity,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity("supvisors_application.t", map[string]knownvalue.Check{
						"name": knownvalue.StringExact(app),
					}),
					statecheck.ExpectIdentity("supvisors_process_group.main", map[string]knownvalue.Check{
						"application": knownvalue.StringExact(app),
						"program":     knownvalue.StringExact("main"),
					}),
					statecheck.ExpectIdentity("supvisors_process_group.all", map[string]knownvalue.Check{
						"application": knownvalue.StringExact(app),
						"program":     knownvalue.Null(),
					}),
				},
				Check: func(*terraform.State) error {
					pids = testAccPids(t, app+":*")
					if len(pids) != 2 {
						t.Errorf("app_t should run both processes after the apply, pids: %v", pids)
					}
					return nil
				},
			},
			importStep("supvisors_application.t", resource.ImportBlockWithResourceIdentity),
			importStep("supvisors_application.t", resource.ImportBlockWithID),
			importStep("supvisors_process_group.main", resource.ImportBlockWithResourceIdentity),
			importStep("supvisors_process_group.main", resource.ImportBlockWithID),
			importStep("supvisors_process_group.all", resource.ImportBlockWithResourceIdentity),
			importStep("supvisors_process_group.all", resource.ImportCommandWithID),
			{
				PreConfig: func() {
					if got := testAccPids(t, app+":*"); !sameMap(got, pids) {
						t.Errorf("the imports restarted processes of app_t: pids %v, then %v", pids, got)
					}
				},
				Config:   config,
				PlanOnly: true, // still nothing to do
			},
		},
	})
}

// sameMap compares two string maps.
func sameMap(a, b map[string]string) bool {
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
