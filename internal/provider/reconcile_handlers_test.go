package provider

// Unit tests of the resources' handlers on the scripted cluster of supvisorstest: what the handlers translate
// (plan in, reconcile called, state and diagnostics out). The acceptance tests are the proof against a real
// cluster.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func fakeApps() []*supvisorstest.App {
	return []*supvisorstest.App{
		{Name: "web", Managed: true, State: "RUNNING", Processes: []*supvisorstest.Process{{Name: "web_0", State: "RUNNING", Identifiers: []string{"n1"}}}},
		{Name: "batch", Managed: true, State: "STOPPED", Steps: 2, Processes: []*supvisorstest.Process{{Name: "job", State: "STOPPED"}}},
		{Name: "tools", State: "STOPPED"},
	}
}

func fakeClient(t *testing.T, url string, instances map[string]string) *supvisors.Client {
	t.Helper()
	c, err := supvisors.New(supvisors.Config{URL: url, ReadyTimeout: time.Second, RequestTimeout: 5 * time.Second, InstanceURLs: instances})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func appCreate(t *testing.T, r *applicationResource, name, state string) (*fwresource.CreateResponse, applicationResourceModel) {
	t.Helper()
	return runCreate[applicationResourceModel](t, r, map[string]any{"name": name, "state": state, "stop_on_destroy": true},
		"id", "statename", "managed", "major_failure", "minor_failure", "processes")
}

// runCreate runs r's Create on a plan of vals (the attributes named in unknown unknown, as the computed ones of a
// create plan) and returns the response with the state it stored read into an M (zero when none).
func runCreate[M any](t *testing.T, r fwresource.Resource, vals map[string]any, unknown ...string) (*fwresource.CreateResponse, M) {
	t.Helper()
	sch, val := testResourceValue(r, vals, unknown...)
	resp := &fwresource.CreateResponse{State: tfsdk.State{Schema: sch, Raw: tftypes.NewValue(val.Type(), nil)}}
	r.Create(context.Background(), fwresource.CreateRequest{Plan: tfsdk.Plan{Schema: sch, Raw: val}}, resp)
	var m M
	if !resp.State.Raw.IsNull() {
		resp.Diagnostics.Append(resp.State.Get(context.Background(), &m)...)
	}
	return resp, m
}

func TestApplicationHandlersOnFake(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), fakeApps()...)
	r := &applicationResource{resourceBase{data: &providerData{client: fakeClient(t, cl.URL(), nil)}}}

	// Already running: adopted without a command.
	resp, m := appCreate(t, r, "web", reconcile.StateRunning)
	if resp.Diagnostics.HasError() || m.Statename.ValueString() != "RUNNING" || len(m.Processes.Elements()) != 1 || len(cl.Sent()) != 0 {
		t.Fatalf("adopt: %v %+v %v", resp.Diagnostics, m, cl.Sent())
	}
	// Stopped: started and waited for.
	resp, m = appCreate(t, r, "batch", reconcile.StateRunning)
	if resp.Diagnostics.HasError() || m.Statename.ValueString() != "RUNNING" || cl.Count("supvisors.start_application") != 1 {
		t.Fatalf("start: %v %+v", resp.Diagnostics, m)
	}
	// Unknown and unmanaged applications: the error names the managed ones.
	for name, want := range map[string]string{"nope": "Managed applications", "tools": "unmanaged group"} {
		resp, _ = appCreate(t, r, name, reconcile.StateRunning)
		if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), want) {
			t.Errorf("%s: %v", name, resp.Diagnostics)
		}
	}
	// A start that settles stopped keeps the resource in the state (tainted by Terraform).
	cl.Update("batch", func(a *supvisorstest.App) { a.State, a.FailStart, a.Processes[0].State = "STOPPED", true, "STOPPED" })
	r.data.client.InvalidateSnapshot()
	resp, m = appCreate(t, r, "batch", reconcile.StateRunning)
	if !resp.Diagnostics.HasError() || m.Name.ValueString() != "batch" {
		t.Fatalf("failed start: %v %+v", resp.Diagnostics, m)
	}

	// Delete stops; an application that is gone is a warning.
	sch, val := testResourceValue(r, map[string]any{"name": "web", "id": "web", "state": reconcile.StateRunning, "stop_on_destroy": true})
	dresp := &fwresource.DeleteResponse{}
	r.Delete(context.Background(), fwresource.DeleteRequest{State: tfsdk.State{Schema: sch, Raw: val}}, dresp)
	if dresp.Diagnostics.HasError() || cl.Count("supvisors.stop_application") != 1 {
		t.Fatalf("delete: %v", dresp.Diagnostics)
	}
	sch, val = testResourceValue(r, map[string]any{"name": "gone", "id": "gone", "state": reconcile.StateRunning, "stop_on_destroy": true})
	dresp = &fwresource.DeleteResponse{}
	r.Delete(context.Background(), fwresource.DeleteRequest{State: tfsdk.State{Schema: sch, Raw: val}}, dresp)
	if dresp.Diagnostics.HasError() || dresp.Diagnostics.WarningsCount() != 1 {
		t.Fatalf("delete of a vanished application: %v", dresp.Diagnostics)
	}

	// Read: a vanished application leaves the state with a warning.
	rresp := &fwresource.ReadResponse{State: tfsdk.State{Schema: sch, Raw: val}}
	r.Read(context.Background(), fwresource.ReadRequest{State: tfsdk.State{Schema: sch, Raw: val}}, rresp)
	if rresp.Diagnostics.WarningsCount() != 1 || !rresp.State.Raw.IsNull() {
		t.Fatalf("read of a vanished application: %v", rresp.Diagnostics)
	}
}

func TestProcessGroupHandlersOnFake(t *testing.T) {
	methods := supvisors.WrappedMethods()
	cl := supvisorstest.NewCluster(t, methods, &supvisorstest.App{Name: "pool", Managed: true, State: "STOPPED"})
	n1, n2 := cl.AddInstance(t, "n1", methods), cl.AddInstance(t, "n2", methods)
	cl.AddProgram("pool", "pool", 2, true)
	c := fakeClient(t, cl.URL(), map[string]string{"n1": n1.URL(), "n2": n2.URL()})
	r := &processGroupResource{resourceBase{data: &providerData{client: c}}}
	ctx := context.Background()

	sch, val := testResourceValue(r, map[string]any{"application": "pool", "program": "pool", "state": reconcile.StateRunning,
		"numprocs": 3, "enabled": true, "extra_args": "", "stop_on_destroy": true}, "id", "processes")
	resp := &fwresource.CreateResponse{State: tfsdk.State{Schema: sch, Raw: tftypes.NewValue(val.Type(), nil)}}
	r.Create(ctx, fwresource.CreateRequest{Plan: tfsdk.Plan{Schema: sch, Raw: val}}, resp)
	var m processGroupResourceModel
	resp.Diagnostics.Append(resp.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.ID.ValueString() != "pool:pool" || len(m.Processes.Elements()) != 3 {
		t.Fatalf("create: %v %+v", resp.Diagnostics, m)
	}

	// Read reports what every instance says.
	rresp := &fwresource.ReadResponse{State: resp.State}
	r.Read(ctx, fwresource.ReadRequest{State: resp.State}, rresp)
	var read processGroupResourceModel
	rresp.Diagnostics.Append(rresp.State.Get(ctx, &read)...)
	if rresp.Diagnostics.HasError() || read.Numprocs.ValueInt64() != 3 || !read.Enabled.ValueBool() || read.State.ValueString() != reconcile.StateRunning {
		t.Fatalf("read: %v %+v", rresp.Diagnostics, read)
	}

	dresp := &fwresource.DeleteResponse{}
	r.Delete(ctx, fwresource.DeleteRequest{State: resp.State}, dresp)
	if dresp.Diagnostics.HasError() || cl.Count("supvisors.stop_process") == 0 {
		t.Fatalf("delete: %v", dresp.Diagnostics)
	}
}

// TestReconcileDiagnostics: each error and note of reconcile has its diagnostic, at the attribute it concerns.
func TestReconcileDiagnostics(t *testing.T) {
	s := reconcile.Scope{App: "pool", Program: "pool"}
	down := []reconcile.DownInstance{{ID: "n2", Reason: "its state is SILENT"}}
	cases := []struct {
		err     error
		summary string
	}{
		{&reconcile.NoInstanceError{Scope: s, Verb: "update_numprocs"}, "No Supvisors instance can take numprocs of pool:pool"},
		{&reconcile.NoInstanceError{Scope: s, Verb: "enable"}, "No Supvisors instance can enable pool:pool"},
		{&reconcile.NotHomogeneousError{Scope: s, Instance: "n1", Process: "pool"}, "numprocs is not applicable to pool:pool"},
		{&reconcile.NotHomogeneousError{Scope: s, Process: "p", ProgramName: "x", NamedProcess: true}, "numprocs is not applicable"},
		{&reconcile.UnknownProgramError{Scope: s, Instance: "n1", Numprocs: true}, "Unknown program pool:pool"},
		{&reconcile.UnknownProgramError{Scope: s, Instance: "n1"}, "Unknown program pool:pool"},
		{&reconcile.NoProcessError{Scope: s}, "No process in pool:pool"},
		{&reconcile.NoProcessError{Scope: s, Supervisord: "http://h:9001"}, "No process in pool:pool"},
		{&reconcile.StepError{Summary: "Could not stop pool:pool_0", Err: errors.New("boom")}, "Could not stop pool:pool_0"},
		{&reconcile.StepError{Summary: "Could not set numprocs", Attribute: "numprocs", Err: errors.New("boom")}, "Could not set numprocs"},
		{errors.New("other"), "Could not reconcile the cluster"},
	}
	for _, tc := range cases {
		d := reconcileErrorDiagnostic(tc.err)
		if d.Summary() != tc.summary && !strings.HasPrefix(d.Summary(), tc.summary) || d.Detail() == "" {
			t.Errorf("%T: %q / %q", tc.err, d.Summary(), d.Detail())
		}
	}
	diags := reconcileDiagnostics(reconcile.Notes{
		Skipped: []reconcile.Skipped{{Scope: s, What: "enable", Down: down}},
		Partial: &reconcile.PartialChange{Scope: s, Numprocs: 3, Instances: []string{"n1"}},
	}, nil)
	if diags.HasError() || diags.WarningsCount() != 2 || !strings.Contains(diagsText(diags), "n2: its state is SILENT") {
		t.Fatalf("notes: %v", diags)
	}
}

func diagsText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}

// runModifyPlan runs r's ModifyPlan on a plan of vals (the attributes named in unknown unknown), from state
// (nil on create). The configuration is the plan's value.
func runModifyPlan(r fwresource.ResourceWithModifyPlan, vals map[string]any, state *tfsdk.State, unknown ...string) *fwresource.ModifyPlanResponse {
	sch, val := testResourceValue(r, vals, unknown...)
	plan := tfsdk.Plan{Schema: sch, Raw: val}
	req := fwresource.ModifyPlanRequest{Plan: plan, Config: tfsdk.Config{Schema: sch, Raw: val}, State: tfsdk.State{Schema: sch, Raw: tftypes.NewValue(val.Type(), nil)}}
	if state != nil {
		req.State = *state
	}
	resp := &fwresource.ModifyPlanResponse{Plan: plan}
	r.ModifyPlan(context.Background(), req, resp)
	return resp
}
