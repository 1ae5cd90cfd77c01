package provider

// Unit tests of supvisors_process_group's plan checks, import, refresh, update and delete on the scripted cluster.

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// pgOnFake is a process group resource on a cluster of two instances: application pool with the homogeneous
// program pool (2 processes) and application solo with the single process solo.
func pgOnFake(t *testing.T) (*processGroupResource, *supvisorstest.Cluster) {
	methods := supvisors.WrappedMethods()
	cl := supvisorstest.NewCluster(t, methods, &supvisorstest.App{Name: "pool", Managed: true, State: "STOPPED"},
		&supvisorstest.App{Name: "solo", Managed: true, State: "STOPPED"})
	n1, n2 := cl.AddInstance(t, "n1", methods), cl.AddInstance(t, "n2", methods)
	cl.AddProgram("pool", "pool", 2, true)
	cl.AddProgram("solo", "solo", 1, false)
	c := fakeClient(t, cl.URL(), map[string]string{"n1": n1.URL(), "n2": n2.URL()})
	return &processGroupResource{resourceBase{data: &providerData{client: c}}}, cl
}

// pgVals are the values of a process group configuration, with kv (name, value pairs) over the defaults.
func pgVals(app, program string, kv ...any) map[string]any {
	vals := map[string]any{"application": app, "program": program, "state": reconcile.StateRunning,
		"extra_args": "", "stop_on_destroy": true}
	for i := 0; i < len(kv); i += 2 {
		vals[kv[i].(string)] = kv[i+1]
	}
	return vals
}

func pgCreate(t *testing.T, r *processGroupResource, vals map[string]any) (*fwresource.CreateResponse, processGroupResourceModel) {
	t.Helper()
	return runCreate[processGroupResourceModel](t, r, vals, "id", "processes")
}

func pgRead(r *processGroupResource, state tfsdk.State) (*fwresource.ReadResponse, processGroupResourceModel) {
	resp := &fwresource.ReadResponse{State: state}
	r.Read(context.Background(), fwresource.ReadRequest{State: state}, resp)
	var m processGroupResourceModel
	if !resp.State.Raw.IsNull() {
		resp.Diagnostics.Append(resp.State.Get(context.Background(), &m)...)
	}
	return resp, m
}

func TestProcessGroupModifyPlanOnFake(t *testing.T) {
	r, _ := pgOnFake(t)
	cases := []struct {
		vals       map[string]any
		summary, p string
	}{
		{pgVals("gone", "x"), `Unknown application "gone"`, "application"},
		{pgVals("pool", "nope"), `Unknown program "nope" in application "pool"`, "program"},
		{pgVals("solo", "solo", "numprocs", 3), "numprocs is not applicable to solo:solo", "numprocs"},
	}
	for _, tc := range cases {
		resp := runModifyPlan(r, tc.vals, nil, "id", "processes")
		if len(resp.Diagnostics) != 1 || !strings.HasPrefix(resp.Diagnostics[0].Summary(), tc.summary) ||
			resp.Diagnostics[0].(interface{ Path() path.Path }).Path().String() != tc.p {
			t.Errorf("%v: %v", tc.vals, resp.Diagnostics)
		}
	}
	if d := runModifyPlan(r, pgVals("pool", "pool", "numprocs", 3), nil, "id", "processes").Diagnostics; d.HasError() {
		t.Fatalf("valid plan: %v", d)
	}

	// No change on the cluster: the processes of the state are planned (an empty plan).
	created, m := pgCreate(t, r, pgVals("pool", "pool"))
	if created.Diagnostics.HasError() {
		t.Fatal(created.Diagnostics)
	}
	resp := runModifyPlan(r, pgVals("pool", "pool", "stop_on_destroy", false, "id", "pool:pool"), &created.State, "processes")
	var procs types.List
	resp.Plan.GetAttribute(context.Background(), path.Root("processes"), &procs)
	if resp.Diagnostics.HasError() || !procs.Equal(m.Processes) {
		t.Fatalf("no-change plan: %v %v", resp.Diagnostics, procs)
	}
	// A stop leaves them unknown.
	resp = runModifyPlan(r, pgVals("pool", "pool", "state", reconcile.StateStopped, "id", "pool:pool"), &created.State, "processes")
	resp.Plan.GetAttribute(context.Background(), path.Root("processes"), &procs)
	if !procs.IsUnknown() {
		t.Fatalf("stop plan: %v", procs)
	}
}

func TestProcessGroupImportOnFake(t *testing.T) {
	r, _ := pgOnFake(t)
	ctx := context.Background()
	sch, _ := testResourceValue(r, nil)
	importID := func(id string) (*fwresource.ImportStateResponse, processGroupResourceModel) {
		resp := &fwresource.ImportStateResponse{State: tfsdk.State{Schema: sch, Raw: tftypes.NewValue(sch.Type().TerraformType(ctx), nil)}}
		r.ImportState(ctx, fwresource.ImportStateRequest{ID: id}, resp)
		var m processGroupResourceModel
		if !resp.State.Raw.IsNull() {
			resp.State.Get(ctx, &m)
		}
		return resp, m
	}
	resp, m := importID("pool:*")
	if resp.Diagnostics.HasError() || m.ID.ValueString() != "pool:*" || !m.Program.IsNull() || m.Application.ValueString() != "pool" {
		t.Fatalf("import pool:*: %v %+v", resp.Diagnostics, m)
	}
	resp, m = importID("pool:pool")
	if resp.Diagnostics.HasError() || m.Program.ValueString() != "pool" {
		t.Fatalf("import pool:pool: %v %+v", resp.Diagnostics, m)
	}
	for id, want := range map[string]string{
		"pool:nope": `Cannot import pool:nope: Unknown program "nope"`,
		"gone:*":    `Cannot import gone:*: Unknown application "gone"`,
		"pool":      "Invalid import ID",
	} {
		if resp, _ := importID(id); !strings.Contains(diagsText(resp.Diagnostics), want) || !resp.State.Raw.IsNull() {
			t.Errorf("import %q: %v", id, resp.Diagnostics)
		}
	}
}

func TestProcessGroupReadOnFake(t *testing.T) {
	r, cl := pgOnFake(t)
	created, _ := pgCreate(t, r, pgVals("pool", "pool", "numprocs", 2, "enabled", true))
	if created.Diagnostics.HasError() {
		t.Fatal(created.Diagnostics)
	}
	// Drift: a process stopped outside Terraform reads as stopped... only when all are.
	cl.Update("pool", func(a *supvisorstest.App) {
		for _, p := range a.Processes {
			p.State = "STOPPED"
		}
	})
	r.data.client.InvalidateSnapshot()
	resp, m := pgRead(r, created.State)
	if resp.Diagnostics.HasError() || m.State.ValueString() != reconcile.StateStopped || m.Numprocs.ValueInt64() != 2 {
		t.Fatalf("drift: %v %+v", resp.Diagnostics, m)
	}

	// An application, then a program, that vanished: a warning, the resource leaves the state.
	sch := created.State.Schema
	for vals, want := range map[*map[string]any]string{
		{"application": "gone", "program": "x"}: `Application "gone" vanished`,
		{"application": "pool", "program": "x"}: "Program pool:x vanished",
	} {
		_, val := testResourceValue(r, *vals)
		resp, _ := pgRead(r, tfsdk.State{Schema: sch, Raw: val})
		if !strings.Contains(diagsText(resp.Diagnostics), want) || !resp.State.Raw.IsNull() || resp.Diagnostics.HasError() {
			t.Errorf("%v: %v", *vals, resp.Diagnostics)
		}
	}
	// An unreadable cluster is an error; without a provider the state stays.
	cl.Fail("supvisors.get_all_process_info", supvisorstest.FaultFailed, "FAILED: boom")
	r.data.client.InvalidateSnapshot()
	if resp, _ := pgRead(r, created.State); !strings.Contains(diagsText(resp.Diagnostics), "Could not read pool:pool") {
		t.Fatalf("failed read: %v", resp.Diagnostics)
	}
	if resp, _ := pgRead(&processGroupResource{}, created.State); resp.Diagnostics.HasError() || !resp.State.Raw.Equal(created.State.Raw) {
		t.Fatalf("unconfigured read: %v", resp.Diagnostics)
	}
}

func TestProcessGroupCreateUpdateDeleteOnFake(t *testing.T) {
	r, cl := pgOnFake(t)
	ctx := context.Background()

	// A plan that the cluster refuses: nothing saved, nothing sent.
	resp, _ := pgCreate(t, r, pgVals("pool", "nope"))
	if !resp.Diagnostics.HasError() || !resp.State.Raw.IsNull() || len(cl.Sent()) != 0 {
		t.Fatalf("refused create: %v %v", resp.Diagnostics, cl.Sent())
	}
	// A start that fails: the resource is kept (tainted) with its processes.
	cl.Fail("supvisors.start_process", supvisorstest.FaultFailed, "FAILED: no way")
	resp, m := pgCreate(t, r, pgVals("solo", "solo"))
	if !resp.Diagnostics.HasError() || m.ID.ValueString() != "solo:solo" || len(m.Processes.Elements()) != 1 {
		t.Fatalf("failed create: %v %+v", resp.Diagnostics, m)
	}
	cl.Fail("supvisors.start_process", 0, "")
	created, _ := pgCreate(t, r, pgVals("solo", "solo"))
	if created.Diagnostics.HasError() {
		t.Fatal(created.Diagnostics)
	}

	update := func(vals map[string]any) (*fwresource.UpdateResponse, processGroupResourceModel) {
		sch, val := testResourceValue(r, vals, "processes")
		uresp := &fwresource.UpdateResponse{State: created.State}
		r.Update(ctx, fwresource.UpdateRequest{Plan: tfsdk.Plan{Schema: sch, Raw: val}, State: created.State}, uresp)
		var um processGroupResourceModel
		uresp.Diagnostics.Append(uresp.State.Get(ctx, &um)...)
		return uresp, um
	}
	// Only stop_on_destroy changes: recorded, nothing sent, the processes of the state kept.
	sent := len(cl.Sent())
	uresp, um := update(pgVals("solo", "solo", "stop_on_destroy", false, "id", "solo:solo"))
	if uresp.Diagnostics.HasError() || len(cl.Sent()) != sent || um.StopOnDestroy.ValueBool() || len(um.Processes.Elements()) != 1 {
		t.Fatalf("record only: %v %v %+v", uresp.Diagnostics, cl.Sent()[sent:], um)
	}
	// Stopped: the process is stopped.
	uresp, um = update(pgVals("solo", "solo", "state", reconcile.StateStopped, "id", "solo:solo"))
	if uresp.Diagnostics.HasError() || cl.Count("supvisors.stop_process") != 1 || um.State.ValueString() != reconcile.StateStopped {
		t.Fatalf("stop: %v %+v", uresp.Diagnostics, um)
	}

	del := func(vals map[string]any) *fwresource.DeleteResponse {
		sch, val := testResourceValue(r, vals)
		dresp := &fwresource.DeleteResponse{}
		r.Delete(ctx, fwresource.DeleteRequest{State: tfsdk.State{Schema: sch, Raw: val}}, dresp)
		return dresp
	}
	// stop_on_destroy = false: forgotten, nothing sent.
	sent = len(cl.Sent())
	if d := del(pgVals("solo", "solo", "stop_on_destroy", false)).Diagnostics; d.HasError() || len(cl.Sent()) != sent {
		t.Fatalf("forget: %v", d)
	}
	// Gone from the cluster: a warning.
	if d := del(pgVals("gone", "x")).Diagnostics; d.HasError() || !strings.Contains(diagsText(d), "gone:x vanished") {
		t.Fatalf("vanished: %v", d)
	}
	// A stop that fails: an error.
	cl.Update("pool", func(a *supvisorstest.App) {
		for _, p := range a.Processes {
			p.State = "RUNNING"
		}
	})
	r.data.client.InvalidateSnapshot()
	cl.Fail("supvisors.stop_process", supvisorstest.FaultFailed, "FAILED: stuck")
	if d := del(pgVals("pool", "pool")).Diagnostics; !strings.Contains(diagsText(d), "stuck") {
		t.Fatalf("failed stop: %v", d)
	}
}
