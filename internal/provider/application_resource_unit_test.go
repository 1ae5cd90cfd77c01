package provider

// Unit tests of supvisors_application's plan, update, import and refresh on the scripted cluster.

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

// appOnFake is an application resource on a scripted cluster of fakeApps.
func appOnFake(t *testing.T) (*applicationResource, *supvisorstest.Cluster) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), fakeApps()...)
	return &applicationResource{resourceBase{data: &providerData{client: fakeClient(t, cl.URL(), nil)}}}, cl
}

// appState is the state that creating application name in the desired state stores; with triggers, its
// restart_triggers are { v = "1" }.
func appState(t *testing.T, r *applicationResource, name, state string, triggers bool) tfsdk.State {
	t.Helper()
	resp, _ := appCreate(t, r, name, state)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if triggers {
		var m applicationResourceModel
		resp.State.Get(context.Background(), &m)
		m.RestartTriggers, _ = types.MapValueFrom(context.Background(), types.StringType, map[string]string{"v": "1"})
		resp.State.Set(context.Background(), &m)
	}
	return resp.State
}

func appPlanModel(t *testing.T, resp *fwresource.ModifyPlanResponse) applicationResourceModel {
	t.Helper()
	var m applicationResourceModel
	if d := resp.Plan.Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	return m
}

func TestApplicationModifyPlan(t *testing.T) {
	r, cl := appOnFake(t)
	unknown := []string{"id", "statename", "managed", "major_failure", "minor_failure", "processes"}

	// Create: an unknown or unmanaged application is refused at plan time; a managed one plans its statename.
	for name, want := range map[string]string{"nope": "Unknown Supvisors application", "tools": "Unmanaged Supvisors application"} {
		resp := runModifyPlan(r, map[string]any{"name": name, "state": reconcile.StateRunning}, nil, unknown...)
		if !strings.Contains(diagsText(resp.Diagnostics), want) {
			t.Errorf("%s: %v", name, resp.Diagnostics)
		}
	}
	resp := runModifyPlan(r, map[string]any{"name": "batch", "state": reconcile.StateStopped}, nil, unknown...)
	if m := appPlanModel(t, resp); resp.Diagnostics.HasError() || m.Statename.ValueString() != "STOPPED" ||
		!m.Managed.ValueBool() || m.ID.ValueString() != "batch" {
		t.Fatalf("create plan: %v %+v", resp.Diagnostics, m)
	}

	// Update without a change on the cluster: the refreshed values stay (an empty plan).
	state := appState(t, r, "web", reconcile.StateRunning, false)
	var prior applicationResourceModel
	state.Get(context.Background(), &prior)
	resp = runModifyPlan(r, map[string]any{"name": "web", "state": reconcile.StateRunning, "stop_on_destroy": true}, &state, unknown...)
	if m := appPlanModel(t, resp); resp.Diagnostics.HasError() || !m.Processes.Equal(prior.Processes) || m.Statename.ValueString() != "RUNNING" {
		t.Fatalf("no-change plan: %v %+v", resp.Diagnostics, m)
	}
	// A stop plans STOPPED; an unknown desired state leaves everything computed unknown.
	resp = runModifyPlan(r, map[string]any{"name": "web", "state": reconcile.StateStopped, "stop_on_destroy": true}, &state, unknown...)
	if m := appPlanModel(t, resp); m.Statename.ValueString() != "STOPPED" || !m.Processes.IsUnknown() {
		t.Fatalf("stop plan: %+v", m)
	}
	resp = runModifyPlan(r, map[string]any{"name": "web", "stop_on_destroy": true}, &state, append(unknown, "state")...)
	if m := appPlanModel(t, resp); !m.Statename.IsUnknown() {
		t.Fatalf("unknown plan: %+v", m)
	}

	// A cluster that cannot be read fails the create plan, naming the application.
	cl.Fail("supvisors.get_all_applications_info", supvisorstest.FaultFailed, "FAILED: boom")
	r.data.client.InvalidateSnapshot()
	resp = runModifyPlan(r, map[string]any{"name": "other", "state": reconcile.StateRunning}, nil, unknown...)
	if !strings.Contains(diagsText(resp.Diagnostics), `Could not check application "other" against the cluster`) {
		t.Fatalf("read failure: %v", resp.Diagnostics)
	}
	// A destroy plan, and a plan without a configured provider, are left alone.
	if d := runModifyPlan(&applicationResource{}, map[string]any{"name": "x", "state": reconcile.StateRunning}, nil, unknown...).Diagnostics; d.HasError() {
		t.Fatal(d)
	}
}

func TestApplicationUpdateOnFake(t *testing.T) {
	r, cl := appOnFake(t)
	ctx := context.Background()
	update := func(state tfsdk.State, vals map[string]any) (*fwresource.UpdateResponse, applicationResourceModel) {
		sch, val := testResourceValue(r, vals, "statename", "major_failure", "minor_failure", "processes")
		resp := &fwresource.UpdateResponse{State: state}
		r.Update(ctx, fwresource.UpdateRequest{Plan: tfsdk.Plan{Schema: sch, Raw: val}, State: state}, resp)
		var m applicationResourceModel
		resp.Diagnostics.Append(resp.State.Get(ctx, &m)...)
		return resp, m
	}
	base := map[string]any{"name": "web", "id": "web", "managed": true, "stop_on_destroy": true}
	with := func(kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}

	// Only stop_on_destroy changes: nothing sent.
	state := appState(t, r, "web", reconcile.StateRunning, false)
	resp, m := update(state, with("state", reconcile.StateRunning, "stop_on_destroy", false))
	if resp.Diagnostics.HasError() || len(cl.Sent()) != 0 || m.StopOnDestroy.ValueBool() {
		t.Fatalf("record only: %v %v", resp.Diagnostics, cl.Sent())
	}
	// Stopped: stop_application, the state follows.
	resp, m = update(state, with("state", reconcile.StateStopped))
	if resp.Diagnostics.HasError() || m.Statename.ValueString() != "STOPPED" || cl.Count("supvisors.stop_application") != 1 {
		t.Fatalf("stop: %v %+v", resp.Diagnostics, m)
	}
	// New triggers of a running application: a restart.
	state = appState(t, r, "web", reconcile.StateRunning, true)
	triggers := map[string]tftypes.Value{"v": tftypes.NewValue(tftypes.String, "2")}
	resp, m = update(state, with("state", reconcile.StateRunning, "restart_triggers", triggers))
	if resp.Diagnostics.HasError() || cl.Count("supvisors.restart_application") != 1 || m.Statename.ValueString() != "RUNNING" {
		t.Fatalf("restart: %v %+v %v", resp.Diagnostics, m, cl.Sent())
	}
	// A failed command keeps the prior arguments with what the cluster shows.
	cl.Fail("supvisors.stop_application", supvisorstest.FaultFailed, "FAILED: refused")
	resp, m = update(state, with("state", reconcile.StateStopped))
	if !strings.Contains(diagsText(resp.Diagnostics), `Could not stop application "web"`) || m.State.ValueString() != reconcile.StateRunning {
		t.Fatalf("failed stop: %v %+v", resp.Diagnostics, m)
	}
}

func TestApplicationImportAndReadOnFake(t *testing.T) {
	r, cl := appOnFake(t)
	ctx := context.Background()
	sch, _ := testResourceValue(r, nil)
	importID := func(id string) *fwresource.ImportStateResponse {
		resp := &fwresource.ImportStateResponse{State: tfsdk.State{Schema: sch, Raw: tftypes.NewValue(sch.Type().TerraformType(ctx), nil)}}
		r.ImportState(ctx, fwresource.ImportStateRequest{ID: id}, resp)
		return resp
	}
	resp := importID("web")
	var m applicationResourceModel
	resp.State.Get(ctx, &m)
	if resp.Diagnostics.HasError() || m.ID.ValueString() != "web" || m.Name.ValueString() != "web" || !m.StopOnDestroy.ValueBool() {
		t.Fatalf("import: %v %+v", resp.Diagnostics, m)
	}
	for id, want := range map[string]string{"tools": "Unmanaged Supvisors application", "bad name!": "Invalid import ID"} {
		if got := diagsText(importID(id).Diagnostics); !strings.Contains(got, want) {
			t.Errorf("import %q: %s", id, got)
		}
	}

	// Read after an import (only the id set) fills the name and the rest.
	_, val := testResourceValue(r, map[string]any{"id": "web"})
	rresp := &fwresource.ReadResponse{State: tfsdk.State{Schema: sch, Raw: val}}
	r.Read(ctx, fwresource.ReadRequest{State: rresp.State}, rresp)
	rresp.State.Get(ctx, &m)
	if rresp.Diagnostics.HasError() || m.Name.ValueString() != "web" || m.State.ValueString() != reconcile.StateRunning || len(m.Processes.Elements()) != 1 {
		t.Fatalf("read after import: %v %+v", rresp.Diagnostics, m)
	}
	// An application that the rules no longer manage: a warning, the state kept.
	cl.Update("web", func(a *supvisorstest.App) { a.Managed = false })
	r.data.client.InvalidateSnapshot()
	rresp = &fwresource.ReadResponse{State: tfsdk.State{Schema: sch, Raw: val}}
	r.Read(ctx, fwresource.ReadRequest{State: rresp.State}, rresp)
	if !strings.Contains(diagsText(rresp.Diagnostics), "Application is no longer managed") || rresp.State.Raw.IsNull() {
		t.Fatalf("unmanaged read: %v", rresp.Diagnostics)
	}
	// Unreadable cluster: an error naming the application; without a provider, the state stays.
	cl.Fail("supvisors.get_all_applications_info", supvisorstest.FaultFailed, "FAILED: boom")
	r.data.client.InvalidateSnapshot()
	rresp = &fwresource.ReadResponse{State: tfsdk.State{Schema: sch, Raw: val}}
	r.Read(ctx, fwresource.ReadRequest{State: rresp.State}, rresp)
	if !strings.Contains(diagsText(rresp.Diagnostics), `Could not read application "web"`) {
		t.Fatalf("failed read: %v", rresp.Diagnostics)
	}
	if got := diagsText(importID("web").Diagnostics); !strings.Contains(got, `Could not import application "web"`) {
		t.Fatalf("failed import: %s", got)
	}
	rresp = &fwresource.ReadResponse{State: tfsdk.State{Schema: sch, Raw: val}}
	(&applicationResource{}).Read(ctx, fwresource.ReadRequest{State: rresp.State}, rresp)
	if rresp.Diagnostics.HasError() || !rresp.State.Raw.Equal(val) {
		t.Fatalf("unconfigured read: %v", rresp.Diagnostics)
	}
}

func TestApplicationValidateConfig(t *testing.T) {
	r := &applicationResource{}
	triggers := map[string]tftypes.Value{"v": tftypes.NewValue(tftypes.String, "1")}
	sch, val := testResourceValue(r, map[string]any{"name": "web", "state": reconcile.StateStopped, "restart_triggers": triggers})
	resp := &fwresource.ValidateConfigResponse{}
	r.ValidateConfig(context.Background(), fwresource.ValidateConfigRequest{Config: tfsdk.Config{Schema: sch, Raw: val}}, resp)
	if resp.Diagnostics.WarningsCount() != 1 || !strings.Contains(diagsText(resp.Diagnostics), "restart_triggers has no effect") {
		t.Fatalf("%v", resp.Diagnostics)
	}
	if resp.Diagnostics[0].(interface{ Path() path.Path }).Path().String() != "restart_triggers" {
		t.Fatalf("path %v", resp.Diagnostics[0])
	}
}

// TestApplicationDeleteOnFake: stop_on_destroy = false sends nothing; an unmanaged application is a warning; a
// failed stop is an error.
func TestApplicationDeleteOnFake(t *testing.T) {
	r, cl := appOnFake(t)
	del := func(vals map[string]any) *fwresource.DeleteResponse {
		sch, val := testResourceValue(r, vals)
		resp := &fwresource.DeleteResponse{}
		r.Delete(context.Background(), fwresource.DeleteRequest{State: tfsdk.State{Schema: sch, Raw: val}}, resp)
		return resp
	}
	if d := del(map[string]any{"name": "web", "id": "web", "stop_on_destroy": false}).Diagnostics; d.HasError() || len(cl.Sent()) != 0 {
		t.Fatalf("kept: %v %v", d, cl.Sent())
	}
	if d := del(map[string]any{"name": "tools", "id": "tools"}).Diagnostics; !strings.Contains(diagsText(d), "Application not stopped") {
		t.Fatalf("unmanaged: %v", d)
	}
	cl.Fail("supvisors.stop_application", supvisorstest.FaultFailed, "FAILED: refused")
	if d := del(map[string]any{"name": "web", "id": "web"}).Diagnostics; !strings.Contains(diagsText(d), `Could not stop application "web"`) {
		t.Fatalf("failed stop: %v", d)
	}
}
