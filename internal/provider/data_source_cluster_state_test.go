package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// TestAccDataSource_clusterNotReady stops one (non-master) instance and starts it again, which sends the whole
// cluster back through SYNCHRONIZATION/ELECTION for a few seconds. While the cluster is not ready it checks
//   - that the data sources whose RPCs answer in every state (state, instances, strategies) still read;
//   - that supvisors_applications, whose RPC is refused before DISTRIBUTION, fails after ready_timeout with a
//     diagnostic naming the state;
//   - that with a longer ready_timeout the same read waits and succeeds once the cluster is back.
//
// It disturbs the whole cluster, so it is not parallel, and it restores the processes the stopped instance ran.
func TestAccDataSource_clusterNotReady(t *testing.T) {
	testAccPreCheck(t)
	p, k := testAccDSMaster(t) // the provider talks to the Master; k is stopped and started again
	c := testAccDSClient(p)
	ctx := testAccDSContext(t, 10*time.Minute)

	if _, err := c.WaitReady(ctx, supvisors.StateOperation); err != nil {
		t.Fatalf("the cluster is not in OPERATION before the test: %v", err)
	}
	procs, err := c.GetAllProcessInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ranOnK []supvisors.ProcessInfo
	for _, proc := range procs {
		if slices.Contains(proc.Identifiers, testAccLab.Identifier(k)) && proc.Statename.IsRunning() {
			ranOnK = append(ranOnK, proc)
		}
	}

	if err := testAccLab.StopInstance(k); err != nil {
		t.Fatalf("stop %s: %v", testAccLab.Nick(k), err)
	}
	var started chan error // set once StartInstance is launched
	t.Cleanup(func() { testAccRestoreInstance(t, c, k, started, ranOnK) })

	// wait until the others have noticed the loss, then bring it back and catch the cluster while it is not ready
	waitUntil(t, 60*time.Second, func() (bool, string) {
		st, err := c.GetSupvisorsState(ctx)
		if err != nil {
			return false, err.Error()
		}
		s := st.InstanceStates[testAccLab.Identifier(k)]
		return s == "STOPPED" || s == "FAILED", fmt.Sprintf("%s is %s", testAccLab.Nick(k), s)
	})
	started = make(chan error, 1)
	go func() { started <- testAccLab.StartInstance(context.WithoutCancel(ctx), k) }()
	waitUntil(t, 90*time.Second, func() (bool, string) {
		st, err := c.GetSupvisorsState(ctx)
		if err != nil {
			return false, err.Error()
		}
		return !supvisorsReadyForApplications(st.FSMStatename), "state " + string(st.FSMStatename)
	})

	anyState := regexp.MustCompile(`^(OFF|SYNCHRONIZATION|ELECTION|DISTRIBUTION|OPERATION)$`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// answered in every state (OPERATION only if the cluster got through ELECTION meanwhile)
				Config: testAccDSProviderBlock(p, `ready_timeout = "1s"`) + `
data "supvisors_state" "test" {}
data "supvisors_instances" "test" {}
data "supvisors_strategies" "test" {}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr("data.supvisors_state.test", "fsm_statename", anyState),
					resource.TestCheckResourceAttr("data.supvisors_instances.test", "instances.#", fmt.Sprint(testAccLab.Size())),
					resource.TestCheckResourceAttr("data.supvisors_strategies.test", "starting", "CONFIG"),
					func(s *terraform.State) error {
						st := s.RootModule().Resources["data.supvisors_state.test"].Primary.Attributes["fsm_statename"]
						t.Logf("supvisors_state read in state %s", st)
						return nil
					},
				),
			},
			{
				// refused before DISTRIBUTION: the diagnostic names the state after ready_timeout
				Config: testAccDSProviderBlock(p, `ready_timeout = "1s"`) + `data "supvisors_applications" "test" {}`,
				ExpectError: regexp.MustCompile(`(?s)Could not read the Supvisors applications.*state\s+is\s+` +
					`(OFF|SYNCHRONIZATION|ELECTION).*ready_timeout`),
			},
			{
				// with time enough, the same read waits for the cluster and succeeds
				Config: testAccDSProviderBlock(p, `ready_timeout = "3m"`) + `
data "supvisors_applications" "test" {}
data "supvisors_processes" "test" {
  namespec = "web:*"
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckTypeSetElemAttr("data.supvisors_applications.test", "names.*", "web"),
					resource.TestCheckResourceAttr("data.supvisors_processes.test", "processes.#", "2"),
				),
			},
		},
	})
}

// supvisorsReadyForApplications reports whether get_all_applications_info is accepted in state s.
func supvisorsReadyForApplications(s supvisors.SupvisorsStateName) bool {
	switch s {
	case supvisors.StateOff, supvisors.StateSynchronization, supvisors.StateElection:
		return false
	}
	return true
}

// waitUntil polls cond every 200ms until it holds, or fails the test after d with cond's last explanation.
func waitUntil(t *testing.T, d time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s: %s", d, why)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// testAccRestoreInstance makes sure instance k runs again, the cluster is in OPERATION, and the processes that
// ran on k before the test run again (Supvisors does not restart them by itself after a rejoin).
func testAccRestoreInstance(t *testing.T, c *supvisors.Client, k int, started chan error, ranOnK []supvisors.ProcessInfo) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var err error
	if started == nil { // the test failed before it started k again
		err = testAccLab.StartInstance(ctx, k)
	} else {
		select {
		case err = <-started:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if err != nil {
		t.Errorf("restore: start %s: %v", testAccLab.Nick(k), err)
	}
	if _, err := c.WaitReady(ctx, supvisors.StateOperation); err != nil {
		t.Errorf("restore: the cluster did not return to OPERATION: %v", err)
		return
	}
	for _, proc := range ranOnK {
		err := c.StartProcess(ctx, supvisors.StrategyConfig, proc.Namespec(), proc.ExtraArgs, true)
		if err == nil {
			t.Logf("restore: %s started again", proc.Namespec())
		} else if !supvisors.IsFault(err, supvisors.FaultAlreadyStarted) {
			var f *supvisors.Fault
			if !errors.As(err, &f) {
				t.Errorf("restore: start_process(%q): %v", proc.Namespec(), err)
			} else {
				t.Logf("restore: start_process(%q): %v", proc.Namespec(), err)
			}
		}
	}
}
