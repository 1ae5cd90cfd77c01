package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

const testAccConciliateAction = `
action "supvisors_conciliate" "c" {
  config {
    strategy = "SENICIDE"
  }
}
`

// TestAccConciliateAction makes a real conflict (app_w:side started by hand on two instances, which puts the
// cluster in CONCILIATION), then runs supvisors_conciliate (SENICIDE) through action_trigger: the cluster must
// be back in OPERATION with app_w:side on one instance only. It changes the state of the whole cluster, so it is
// not parallel, and it restores the cluster in t.Cleanup whatever happens.
func TestAccConciliateAction(t *testing.T) {
	testAccPreCheck(t)
	c, ctx, i := testAccConflictClient(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   testAccNeedsActions,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { testAccMakeConflict(t, ctx, c, i) },
				Config: testAccDSProviderBlock(i) + testAccConciliateAction + `
resource "terraform_data" "trigger" {
  input = "conflict"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.supvisors_conciliate.c]
    }
  }
}
`,
				Check: func(*terraform.State) error {
					testAccCheckConciliated(t, ctx, c)
					return nil
				},
			},
		},
	})
}

// conflictNamespec is the process the conciliation tests put in conflict.
const conflictNamespec = "app_w:side"

// testAccConflictClient returns a client of an instance that is not the master, its index and a context of 5
// minutes, for the conciliation tests.
func testAccConflictClient(t *testing.T) (*supvisors.Client, context.Context, int) {
	_, i := testAccDSMaster(t)
	return testAccDSClient(i), testAccDSContext(t, 5*time.Minute), i
}

// testAccMakeConflict starts conflictNamespec by hand on the two instances after instance i, which puts the
// cluster in CONCILIATION, and restores the cluster in t.Cleanup whatever happens.
func testAccMakeConflict(t *testing.T, ctx context.Context, c *supvisors.Client, i int) {
	t.Helper()
	if _, err := c.WaitReady(ctx, supvisors.StateOperation); err != nil {
		t.Fatalf("the cluster is not in OPERATION before the test: %v", err)
	}
	t.Cleanup(func() { testAccRestoreAfterConflict(t, c, conflictNamespec) })
	for _, n := range []int{(i + 1) % testAccLab.Size(), (i + 2) % testAccLab.Size()} {
		if err := testAccDSClient(n).Supervisor().StartProcess(ctx, conflictNamespec, true); err != nil {
			t.Fatalf("supervisor.startProcess(%q) on %s: %v", conflictNamespec, testAccLab.Nick(n), err)
		}
	}
	if _, err := c.WaitReady(testAccDSContextTimeout(ctx, time.Minute), supvisors.StateConciliation); err != nil {
		t.Fatalf("the cluster did not enter CONCILIATION: %v", err)
	}
}

// TestAccConciliateAction_invoke makes the conflict of TestAccConciliateAction and invokes the action directly
// (so it runs with every CLI): the progress names the conflict and the strategy, and the cluster is back in
// OPERATION with app_w:side on one instance at most. Not parallel (it changes the state of the whole cluster).
func TestAccConciliateAction_invoke(t *testing.T) {
	testAccPreCheck(t)
	c, ctx, i := testAccConflictClient(t)
	testAccMakeConflict(t, ctx, c, i)

	a := NewConciliateAction().(*conciliateAction)
	a.data = &providerData{client: c}
	resp, text, lines := testInvoke(t, a, map[string]any{"strategy": "SENICIDE"})
	if resp.Diagnostics.HasError() {
		t.Fatalf("conciliate: %s (progress %q)", text, lines)
	}
	progress := strings.Join(lines, "\n")
	for _, want := range []string{"conflict: " + conflictNamespec + " RUNNING on ", "conciliating with strategy SENICIDE (as configured)",
		"conflicts resolved: the cluster is in OPERATION"} {
		if !strings.Contains(progress, want) {
			t.Errorf("progress lacks %q:\n%s", want, progress)
		}
	}
	testAccCheckConciliated(t, ctx, c)
}

// testAccCheckConciliated checks the cluster after the action: back in OPERATION, conflictNamespec on one
// instance at most.
func testAccCheckConciliated(t *testing.T, ctx context.Context, c *supvisors.Client) {
	t.Helper()
	st, err := c.GetSupvisorsState(ctx)
	if err != nil || st.FSMStatename != supvisors.StateOperation {
		t.Errorf("after the action the cluster is %s (%v), want OPERATION", st.FSMStatename, err)
	}
	procs, err := c.GetProcessInfo(ctx, conflictNamespec)
	if err != nil || len(procs) != 1 || len(procs[0].Identifiers) > 1 {
		t.Errorf("after the action %s should run on one instance at most: %+v (%v)", conflictNamespec, procs, err)
	}
}

// TestAccConciliateActionErrors: outside CONCILIATION the action fails with the cluster's state and changes
// nothing; USER is refused at plan time.
func TestAccConciliateActionErrors(t *testing.T) {
	testAccPreCheck(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := testAccClient(t).WaitReady(ctx, supvisors.StateOperation); err != nil {
		t.Fatalf("the cluster is not in OPERATION: %v", err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   testAccNeedsActions,
		Steps: []resource.TestStep{
			{
				Config:      testAccTriggeredAction(testAccConciliateAction, "action.supvisors_conciliate.c", "v1"),
				ExpectError: testAccErrorRe(`not in CONCILIATION.*The cluster is in OPERATION.*nothing was changed`),
			},
			{
				Config: testAccTriggeredAction(`
action "supvisors_conciliate" "user" {
  config {
    strategy = "USER"
  }
}
`, "action.supvisors_conciliate.user", "v2"),
				ExpectError: testAccErrorRe(`USER does not conciliate.*SENICIDE`),
			},
			{
				// a valid last configuration, for the destroy at the end
				Config: testAccProviderBlock() + "data \"supvisors_state\" \"s\" {}\n",
			},
		},
	})
}
