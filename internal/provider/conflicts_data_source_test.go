package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// testAccConflictCandidates are the processes the conflicts test may duplicate, first stopped one wins: the
// `side` programs of the last per-test applications, which the resource tests only start with their
// application (and, running this test alone, nothing else runs meanwhile).
var testAccConflictCandidates = []string{"app_h:side", "app_g:side", "app_f:side", "app_e:side"}

// TestAccConflictsDataSource makes a real conflict: it starts the same stopped process directly with
// supervisor.startProcess on two instances, which puts the cluster in CONCILIATION. It checks that
// supvisors_conflicts lists the process with both identifiers (as get_conflicts does), that the other data
// sources still read in CONCILIATION. Then it conciliates (SENICIDE), waits for OPERATION and checks that the
// list is empty. (It used test_start_process to show a call refused in CONCILIATION; supvisors_rpc refuses that
// method now, API.md §6.16, and every method it allows is accepted in CONCILIATION.)
//
// It changes the state of the whole cluster, so it is not parallel (Go runs no parallel test of this binary
// meanwhile) and it restores the cluster in t.Cleanup whatever happens.
func TestAccConflictsDataSource(t *testing.T) {
	testAccPreCheck(t)
	_, i := testAccDSMaster(t)
	c := testAccDSClient(i)
	ctx := testAccDSContext(t, 10*time.Minute)

	// Two instances other than the one the provider talks to would do as well; take two distinct ones.
	a, b := (i+1)%testAccLab.Size(), (i+2)%testAccLab.Size()

	if _, err := c.WaitReady(ctx, supvisors.StateOperation); err != nil {
		t.Fatalf("the cluster is not in OPERATION before the test: %v", err)
	}
	namespec := ""
	for _, ns := range testAccConflictCandidates {
		procs, err := c.GetProcessInfo(ctx, ns)
		if err != nil {
			t.Fatalf("get_process_info(%q): %v", ns, err)
		}
		if len(procs) == 1 && procs[0].Statename.IsStopped() && len(procs[0].Identifiers) == 0 {
			namespec = ns
			break
		}
	}
	if namespec == "" {
		t.Fatalf("none of %v is stopped: cannot make a conflict without disturbing another test", testAccConflictCandidates)
	}
	t.Cleanup(func() { testAccRestoreAfterConflict(t, c, namespec) })

	// The conflict: the same process started by hand on two instances.
	for _, n := range []int{a, b} {
		if err := testAccDSClient(n).Supervisor().StartProcess(ctx, namespec, true); err != nil {
			t.Fatalf("supervisor.startProcess(%q) on %s: %v", namespec, testAccLab.Nick(n), err)
		}
	}
	if _, err := c.WaitReady(testAccDSContextTimeout(ctx, 60*time.Second), supvisors.StateConciliation); err != nil {
		t.Fatalf("the cluster did not enter CONCILIATION after %q was started on %s and %s: %v",
			namespec, testAccLab.Nick(a), testAccLab.Nick(b), err)
	}
	pair := sortedStrings([]string{testAccLab.Identifier(a), testAccLab.Identifier(b)})

	const name = "data.supvisors_conflicts.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// in CONCILIATION: the conflict is listed, and the other data sources still read
				Config: testAccDSProviderBlock(i) + fmt.Sprintf(`
data "supvisors_conflicts" "test" {}
data "supvisors_state" "test" {}
data "supvisors_applications" "test" {}
data "supvisors_processes" "test" {
  namespec = %q
}
`, namespec),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.supvisors_state.test", "fsm_statename", "CONCILIATION"),
					resource.TestCheckResourceAttrSet("data.supvisors_applications.test", "applications.#"),
					resource.TestCheckResourceAttr("data.supvisors_processes.test", "processes.0.identifiers.#", "2"),
					resource.TestCheckTypeSetElemAttr(name, "namespecs.*", namespec),
					resource.TestCheckTypeSetElemNestedAttrs(name, "conflicts.*", map[string]string{
						"namespec":      namespec,
						"identifiers.#": "2",
						"identifiers.0": pair[0],
						"identifiers.1": pair[1],
					}),
					testCheckLive(name, func(ctx context.Context) (attrWant, error) {
						conflicts, err := c.GetConflicts(ctx)
						if err != nil {
							return nil, err
						}
						sortProcesses(conflicts)
						w := attrWant{"conflicts.#": len(conflicts)}
						names := make([]string, 0, len(conflicts))
						for n, p := range conflicts {
							names = append(names, p.Namespec())
							w.addProcess(fmt.Sprintf("conflicts.%d", n), p)
						}
						w.addList("namespecs", names)
						return w, nil
					}),
				),
			},
			{
				PreConfig: func() {
					if _, err := c.Conciliate(ctx, supvisors.ConciliationSenicide); err != nil {
						t.Fatalf("conciliate(SENICIDE): %v", err)
					}
					if _, err := c.WaitReady(testAccDSContextTimeout(ctx, 2*time.Minute), supvisors.StateOperation); err != nil {
						t.Fatalf("the cluster did not return to OPERATION after conciliate(SENICIDE): %v", err)
					}
				},
				Config: testAccDSProviderBlock(i) + `
data "supvisors_conflicts" "test" {}
data "supvisors_state" "test" {}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.supvisors_state.test", "fsm_statename", "OPERATION"),
					resource.TestCheckResourceAttr(name, "namespecs.#", "0"),
					resource.TestCheckResourceAttr(name, "conflicts.#", "0"),
				),
			},
		},
	})
}

// testAccDSContextTimeout returns a child of ctx bounded by d (cancelled when ctx is).
func testAccDSContextTimeout(ctx context.Context, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(ctx, d)
	context.AfterFunc(c, cancel)
	return c
}

// testAccRestoreAfterConflict brings the cluster back to OPERATION with namespec stopped everywhere, whatever
// state the conflicts test left it in.
func testAccRestoreAfterConflict(t *testing.T, c *supvisors.Client, namespec string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st, err := c.GetSupvisorsState(ctx)
	if err != nil {
		t.Errorf("restore: get_supvisors_state: %v", err)
		return
	}
	if st.FSMStatename == supvisors.StateConciliation {
		if _, err := c.Conciliate(ctx, supvisors.ConciliationSenicide); err != nil {
			t.Logf("restore: conciliate(SENICIDE): %v", err)
		}
	}
	if _, err := c.WaitReady(ctx, supvisors.StateOperation); err != nil {
		t.Errorf("restore: the cluster did not return to OPERATION: %v", err)
	}
	// stop what survived, on every instance (SENICIDE keeps the youngest copy running)
	if err := c.StopProcess(ctx, namespec, true); err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
		t.Logf("restore: stop_process(%q): %v", namespec, err)
	}
	for n := 0; n < testAccLab.Size(); n++ {
		err := testAccDSClient(n).Supervisor().StopProcess(ctx, namespec, true)
		if err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
			t.Logf("restore: supervisor.stopProcess(%q) on %s: %v", namespec, testAccLab.Nick(n), err)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for {
		procs, err := c.GetProcessInfo(ctx, namespec)
		if err == nil && len(procs) == 1 && procs[0].Statename.IsStopped() && len(procs[0].Identifiers) == 0 {
			conflicts, cerr := c.GetConflicts(ctx)
			st, serr := c.GetSupvisorsState(ctx)
			if cerr == nil && serr == nil && len(conflicts) == 0 && st.FSMStatename == supvisors.StateOperation {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Errorf("restore: %s is not stopped everywhere, or the cluster is not back in OPERATION without conflicts "+
				"(last: %v, err %v)", namespec, procs, err)
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}
