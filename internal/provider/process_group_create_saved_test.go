package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// TestAccProcessGroup_interruptedCreateSaved: a create interrupted (Ctrl-C) while it waits for the processes it
// started returns with the resource in the state (Terraform then taints it), so that the started process is not
// orphaned. The failed-create case runs through the CLI in TestAccProcessGroup_startFailure.
func TestAccProcessGroup_interruptedCreateSaved(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel()
	const ns = "slow:slow"
	c := testAccClient(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.StopProcess(ctx, ns, true); err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
			t.Errorf("cleanup: stop %s: %v", ns, err)
		}
	})

	r := &processGroupResource{resourceBase{data: &providerData{client: c}}}
	ctx := context.Background()
	sch, val := testResourceValue(r, map[string]any{"application": "slow", "program": "slow", "state": "running",
		"extra_args": "", "stop_on_destroy": true}, "id", "processes")
	plan := tfsdk.Plan{Schema: sch, Raw: val}
	resp := &fwresource.CreateResponse{State: tfsdk.State{Schema: sch, Raw: tftypes.NewValue(val.Type(), nil)}}

	cctx, interrupt := context.WithCancel(ctx)
	go func() {
		// Interrupt as soon as the start was taken: the process leaves STOPPED.
		defer interrupt()
		for cctx.Err() == nil {
			if p, err := c.GetProcessInfo(ctx, ns); err == nil && len(p) == 1 && p[0].Statename != supvisors.ProcessStopped {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	r.Create(cctx, fwresource.CreateRequest{Plan: plan}, resp)

	if !resp.Diagnostics.HasError() {
		t.Fatal("an interrupted create must fail")
	}
	var text strings.Builder
	for _, d := range resp.Diagnostics.Errors() {
		text.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	if !strings.Contains(text.String(), "cancelled") {
		t.Errorf("the diagnostic should say the create was interrupted, got:\n%s", text.String())
	}
	if resp.State.Raw.IsNull() {
		t.Fatalf("the interrupted create left nothing in the state: %s would be orphaned", ns)
	}
	var id types.String
	if d := resp.State.GetAttribute(ctx, path.Root("id"), &id); d.HasError() || id.ValueString() != ns {
		t.Errorf("state id %v (%v), want %s", id, d, ns)
	}
}
