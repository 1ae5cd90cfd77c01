package provider

// Resource reads wait for a cluster state whose answer is final (issue #10 item 4), against the real cluster.

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// TestAccRead_waitsForFinalState restarts the whole cluster (supvisors.restart: RESTARTING, OFF,
// SYNCHRONIZATION, ELECTION, then DISTRIBUTION, during which Supvisors starts web and then worker, its
// auto-started applications, and OPERATION). Plans made meanwhile must not report as drift what Supvisors is
// about to start:
//   - with a short ready_timeout the refresh fails, naming the transient state, instead of planning on it;
//   - with time enough it waits for OPERATION and the plan is empty (before, a refresh answered in
//     DISTRIBUTION showed worker, which starts after web, as stopped: a plan to start it).
//
// It restarts every instance, so it is not parallel; the cluster comes back as the lab starts it (web and worker
// running, the rest stopped).
func TestAccRead_waitsForFinalState(t *testing.T) {
	testAccPreCheck(t)
	c := testAccClient(t)
	ctx := testAccDSContext(t, 10*time.Minute)
	if _, err := c.WaitReady(ctx, supvisors.StateOperation); err != nil {
		t.Fatalf("the cluster is not in OPERATION before the test: %v", err)
	}
	for _, app := range []string{"web", "worker"} {
		if err := c.StartApplication(ctx, supvisors.StrategyConfig, app, true); err != nil &&
			!supvisors.IsFault(err, supvisors.FaultAlreadyStarted) {
			t.Fatalf("start %s: %v", app, err)
		}
	}
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			return
		}
		cctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if _, err := c.WaitReady(cctx, supvisors.StateOperation); err != nil {
			t.Errorf("cleanup: the cluster did not return to OPERATION: %v", err)
		}
	})

	config := func(readyTimeout string) string {
		return testAccProviderBlockWith(`ready_timeout = "`+readyTimeout+`"`) + `
resource "supvisors_application" "web" {
  name            = "web"
  stop_on_destroy = false
}
resource "supvisors_application" "worker" {
  name            = "worker"
  stop_on_destroy = false
}
`
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// adopted: both already run, nothing is restarted
				Config: config("3m"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("supvisors_application.web", "state", "running"),
					resource.TestCheckResourceAttr("supvisors_application.worker", "state", "running"),
				),
			},
			{
				PreConfig: func() {
					if err := c.Restart(ctx); err != nil {
						t.Fatalf("supvisors.restart: %v", err)
					}
					restarted = true
					// Past RESTARTING (during which each supervisord restarts and briefly refuses connections):
					// the instances answer again and synchronise, which lasts several seconds.
					waitUntil(t, time.Minute, func() (bool, string) {
						st, err := c.GetSupvisorsState(ctx)
						if err != nil {
							return false, err.Error()
						}
						s := st.FSMStatename
						return s.IsSettling() && s != supvisors.StateRestarting, "state " + string(s)
					})
				},
				Config:   config("1s"),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Could not read application.*cluster\s+state\s+is\s+` +
					`(OFF|SYNCHRONIZATION|ELECTION|DISTRIBUTION).*ready_timeout`),
			},
			{
				// the same plan with time enough: it waits for OPERATION, and nothing is reported as drift
				Config:   config("3m"),
				PlanOnly: true,
			},
		},
	})
	st, err := c.GetSupvisorsState(ctx)
	if err != nil || st.FSMStatename != supvisors.StateOperation {
		t.Errorf("after the waiting plan the cluster should be in OPERATION: %+v %v", st.FSMStatename, err)
	}
}
