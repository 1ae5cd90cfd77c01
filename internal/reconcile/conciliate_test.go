package reconcile

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// conflictCluster is a cluster in CONCILIATION: web:web_0 runs on two instances.
func conflictCluster(t *testing.T) (Reconciler, *supvisorstest.Cluster) {
	t.Helper()
	r, c := newReconciler(t, &supvisorstest.App{Name: "web", Managed: true, State: "RUNNING",
		Processes: []*supvisorstest.Process{{Name: "web_0", State: "RUNNING", Identifiers: []string{"n1", "n2"}}}})
	c.SetState("CONCILIATION")
	return r, c
}

func TestConciliate(t *testing.T) {
	r, c := conflictCluster(t)
	ctx := testContext(t)
	plan, err := r.PlanConciliation(ctx, supvisors.ConciliationSenicide)
	if err != nil || plan.Strategy != supvisors.ConciliationSenicide || plan.FromCluster || len(plan.Conflicts) != 1 ||
		plan.Conflicts[0].Namespec() != "web:web_0" {
		t.Fatalf("plan: %+v %v", plan, err)
	}
	if len(c.Sent()) != 0 {
		t.Fatalf("planning sent commands: %v", c.Sent())
	}
	after, err := r.Conciliate(ctx, plan)
	if err != nil || len(after) != 1 || !slices.Equal(after[0].Identifiers, []string{"n1"}) {
		t.Fatalf("conciliate: %+v %v", after, err)
	}
	if !slices.Equal(c.Sent(), []string{"conciliate SENICIDE"}) {
		t.Fatalf("sent %v", c.Sent())
	}
}

func TestPlanConciliationStrategyOfTheCluster(t *testing.T) {
	r, c := conflictCluster(t)
	ctx := testContext(t)
	var none *NoConciliationStrategyError
	if _, err := r.PlanConciliation(ctx, ""); !errors.As(err, &none) || none.Strategy != "USER" || err.Error() == "" {
		t.Fatalf("USER of the cluster: %v", err)
	}
	c.SetConciliation("INFANTICIDE")
	plan, err := r.PlanConciliation(ctx, "")
	if err != nil || plan.Strategy != supvisors.ConciliationInfanticide || !plan.FromCluster {
		t.Fatalf("the cluster's strategy: %+v %v", plan, err)
	}
	c.Fail("supvisors.get_strategies", supvisorstest.FaultFailed, "FAILED")
	if _, err := r.PlanConciliation(ctx, ""); !supvisors.IsFault(err, supvisors.FaultFailed) {
		t.Fatalf("get_strategies fails: %v", err)
	}
	c.Fail("supvisors.get_conflicts", supvisorstest.FaultFailed, "FAILED")
	if _, err := r.PlanConciliation(ctx, "STOP"); !supvisors.IsFault(err, supvisors.FaultFailed) {
		t.Fatalf("get_conflicts fails: %v", err)
	}
	c.Fail("supvisors.get_supvisors_state", supvisorstest.FaultFailed, "FAILED")
	if _, err := r.PlanConciliation(ctx, "STOP"); err == nil {
		t.Fatal("get_supvisors_state fails: no error")
	}
	if len(c.Sent()) != 0 {
		t.Fatalf("planning sent commands: %v", c.Sent())
	}
}

func TestPlanConciliationOutsideConciliation(t *testing.T) {
	r, c := conflictCluster(t)
	c.SetState("OPERATION")
	var not *NotInConciliationError
	if _, err := r.PlanConciliation(testContext(t), "SENICIDE"); !errors.As(err, &not) || not.State != "OPERATION" || err.Error() == "" {
		t.Fatalf("%v", err)
	}
}

func TestConciliateFailures(t *testing.T) {
	r, c := conflictCluster(t)
	ctx := testContext(t)
	plan := Conciliation{Strategy: supvisors.ConciliationSenicide}

	c.Handle("supvisors.conciliate", supvisorstest.Value(false))
	var notApplied *NotConciliatedError
	if _, err := r.Conciliate(ctx, plan); !errors.As(err, &notApplied) || notApplied.Strategy != "SENICIDE" || err.Error() == "" {
		t.Fatalf("not applied: %v", err)
	}
	c.Handle("supvisors.conciliate", supvisorstest.FaultHandler(supvisorstest.FaultFailed, "FAILED"))
	if _, err := r.Conciliate(ctx, plan); !supvisors.IsFault(err, supvisors.FaultFailed) {
		t.Fatalf("refused: %v", err)
	}

	// Applied, but the cluster stays in CONCILIATION.
	c.Handle("supvisors.conciliate", supvisorstest.Value(true))
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	var notBack *NotBackError
	if _, err := r.Conciliate(short, plan); !errors.As(err, &notBack) || errors.Unwrap(err) == nil || err.Error() == "" {
		t.Fatalf("not back: %v", err)
	}

	// Back in OPERATION, but the conflict stays listed.
	c.SetState("OPERATION")
	short, cancel = context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	var remain *ConflictsRemainError
	if _, err := r.Conciliate(short, plan); !errors.As(err, &remain) || len(remain.Left) != 1 ||
		!errors.Is(err, context.DeadlineExceeded) || err.Error() == "" {
		t.Fatalf("conflicts remain: %v", err)
	}
	c.Fail("supvisors.get_conflicts", supvisorstest.FaultFailed, "FAILED")
	if _, err := r.Conciliate(ctx, plan); !supvisors.IsFault(err, supvisors.FaultFailed) {
		t.Fatalf("get_conflicts fails: %v", err)
	}
}
