package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// TestAccApplication_cancel: an interrupt (Ctrl-C) reaches the provider as a cancelled context. A create that
// is waiting for a slow start must then end at once with a diagnostic that says it was interrupted, not keep
// waiting until the application settles or the timeout passes.
//
// The lab application batch needs about 3 s to settle: batch_init runs 2 s and batch_job starts only after it
// exited (Supvisors already shows the application RUNNING while batch_init runs). The context is cancelled as
// soon as the application leaves STOPPED, so if Create honours the cancellation it returns before batch_job is
// RUNNING, which is what this test checks (no timing bound is asserted).
func TestAccApplication_cancel(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel()
	const app = "batch"
	c := testAccClient(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, _, err := c.WaitApplication(ctx, app, supvisors.ApplicationRunning); err != nil {
			t.Logf("cleanup: %s did not settle: %v", app, err)
		}
		if err := c.StopApplication(ctx, app, true); err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
			t.Errorf("cleanup: stop %s: %v", app, err)
		}
	})

	r := &applicationResource{resourceBase{data: &providerData{client: c}}}
	ctx := context.Background()
	// computed values are unknown in a create plan
	sch, val := testResourceValue(r, map[string]any{"name": app, "state": reconcile.StateRunning, "strategy": "CONFIG",
		"stop_on_destroy": true}, "id", "statename", "managed", "major_failure", "minor_failure", "processes")
	plan := tfsdk.Plan{Schema: sch, Raw: val}
	resp := &fwresource.CreateResponse{State: tfsdk.State{Schema: sch, Raw: tftypes.NewValue(val.Type(), nil)}}

	before, err := c.GetApplicationInfo(ctx, app)
	if err != nil || before.Statename != supvisors.ApplicationStopped {
		t.Fatalf("%s must be STOPPED before the test: %+v, %v", app, before, err)
	}
	cctx, interrupt := context.WithCancel(ctx)
	go func() {
		// Interrupt as soon as the start command has been taken: the application leaves STOPPED.
		defer interrupt()
		for cctx.Err() == nil {
			if info, err := c.GetApplicationInfo(ctx, app); err == nil && info.Statename != supvisors.ApplicationStopped {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	r.Create(cctx, fwresource.CreateRequest{Plan: plan}, resp)

	job, err := c.GetProcessInfo(ctx, app+":batch_job")
	if err != nil || len(job) != 1 {
		t.Fatalf("read %s:batch_job after the interrupted create: %+v, %v", app, job, err)
	}
	if job[0].Statename == supvisors.ProcessRunning {
		t.Errorf("Create returned with %s:batch_job RUNNING: it did not stop waiting when interrupted", app)
	}
	if !resp.Diagnostics.HasError() {
		t.Fatalf("an interrupted create must fail, got no error (state %v)", resp.State.Raw)
	}
	var text strings.Builder
	for _, d := range resp.Diagnostics.Errors() {
		text.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	if !strings.Contains(text.String(), "cancelled (interrupted)") || !strings.Contains(text.String(), "apply again") {
		t.Errorf("the diagnostic should say the create was interrupted and how to converge, got:\n%s", text.String())
	}
}
