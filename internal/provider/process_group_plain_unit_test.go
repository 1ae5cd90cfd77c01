package provider

// Unit tests of supvisors_process_group on the scripted plain supervisord of supvisorstest (process_group_plain.go
// and the plain branches of the handlers). The acceptance tests of process_group_plain_test.go are the proof
// against a real supervisord.

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// plainFake is a plain supervisord (Supervisor 4.2.5) with the group web (server running, cache stopped) and
// the group bad (crasher goes FATAL, missing has no binary), and a process group resource configured on it.
func plainFake(t *testing.T) (*processGroupResource, *supvisorstest.Plain) {
	t.Helper()
	p := supvisorstest.NewPlain(t, "4.2.5",
		&supvisorstest.PlainProcess{Group: "web", Name: "server", State: "RUNNING"},
		&supvisorstest.PlainProcess{Group: "web", Name: "cache", Steps: 1},
		&supvisorstest.PlainProcess{Group: "bad", Name: "crasher", Final: "FATAL", Steps: 2, Spawnerr: "Exited too quickly"},
		&supvisorstest.PlainProcess{Group: "bad", Name: "missing", StartFault: &supvisorstest.Fault{
			Code: supvisorstest.FaultNoFile, String: "NO_FILE: /nonexistent/lab/binary"}},
	)
	return &processGroupResource{resourceBase{data: &providerData{client: fakeClient(t, p.URL(), nil)}}}, p
}

// plainPGVals are the configured values of a process group: application app, program prog ("" for none), and
// the extra attributes given.
func plainPGVals(app, prog string, extra map[string]any) map[string]any {
	vals := map[string]any{"application": app, "state": reconcile.StateRunning, "stop_on_destroy": true}
	if prog != "" {
		vals["program"] = prog
	}
	for k, v := range extra {
		vals[k] = v
	}
	return vals
}

// plainModifyPlan runs ModifyPlan of a configuration (vals) planned from state (nil: a create).
func plainModifyPlan(r *processGroupResource, vals map[string]any, state map[string]any) *fwresource.ModifyPlanResponse {
	sch, cfg := testResourceValue(r, vals)
	_, plan := testResourceValue(r, vals, "id", "processes")
	stateVal := tftypes.NewValue(plan.Type(), nil)
	if state != nil {
		_, stateVal = testResourceValue(r, state)
	}
	req := fwresource.ModifyPlanRequest{Config: tfsdk.Config{Schema: sch, Raw: cfg}, Plan: tfsdk.Plan{Schema: sch, Raw: plan},
		State: tfsdk.State{Schema: sch, Raw: stateVal}}
	resp := &fwresource.ModifyPlanResponse{Plan: req.Plan}
	r.ModifyPlan(context.Background(), req, resp)
	return resp
}

// plainErr reports whether diags has an error whose summary starts with summary and whose detail holds each of
// details.
func plainErr(diags diag.Diagnostics, summary string, details ...string) bool {
	for _, d := range diags.Errors() {
		if !strings.HasPrefix(d.Summary(), summary) {
			continue
		}
		ok := true
		for _, s := range details {
			ok = ok && strings.Contains(d.Detail(), s)
		}
		if ok {
			return true
		}
	}
	return false
}

func TestPlainProcessGroupModifyPlan(t *testing.T) {
	r, p := plainFake(t)
	// What needs Supvisors is refused, naming the attribute, the version and why.
	for attr, v := range map[string]any{"numprocs": 3, "enabled": true, "extra_args": "-x", "strategy": "LESS_LOADED"} {
		resp := plainModifyPlan(r, plainPGVals("web", "", map[string]any{attr: v}), nil)
		if !plainErr(resp.Diagnostics, attr+" needs Supvisors", "plain Supervisor 4.2.5", "remove "+attr) {
			t.Errorf("%s: %v", attr, resp.Diagnostics)
		}
	}
	resp := plainModifyPlan(r, plainPGVals("web", "", map[string]any{"numprocs": 3}), nil)
	if !plainErr(resp.Diagnostics, "numprocs needs Supvisors", "update_numprocs") || len(resp.Diagnostics.Errors()) != 1 {
		t.Fatalf("numprocs: %v", resp.Diagnostics)
	}
	// Unknown groups and programs are refused with the known ones; an empty extra_args is accepted.
	resp = plainModifyPlan(r, plainPGVals("nope", "", nil), nil)
	if !plainErr(resp.Diagnostics, `Unknown application "nope"`, "bad, web") {
		t.Fatalf("unknown application: %v", resp.Diagnostics)
	}
	resp = plainModifyPlan(r, plainPGVals("web", "nope", map[string]any{"extra_args": ""}), nil)
	if !plainErr(resp.Diagnostics, `Unknown program "nope" in application "web"`, "cache, server") {
		t.Fatalf("unknown program: %v", resp.Diagnostics)
	}
	resp = plainModifyPlan(r, plainPGVals("web", "cache", map[string]any{"extra_args": ""}), nil)
	if resp.Diagnostics.HasError() {
		t.Fatalf("valid: %v", resp.Diagnostics)
	}
	if n := p.Count("supvisors.get_supvisors_state"); n != 0 {
		t.Fatalf("Supvisors' snapshot read %d times on a plain supervisord", n)
	}
	// An update of the same scope with nothing that needs Supvisors sends nothing.
	before := p.Requests()
	state := plainPGVals("web", "", map[string]any{"id": "web:*"})
	if resp = plainModifyPlan(r, plainPGVals("web", "", nil), state); resp.Diagnostics.HasError() || p.Requests() != before {
		t.Fatalf("update: %v, %d requests", resp.Diagnostics, p.Requests()-before)
	}
	// The snapshot cannot be read.
	r, p = plainFake(t)
	p.Fail("supervisor.getAllProcessInfo", supvisorstest.FaultFailed, "FAILED: boom")
	resp = plainModifyPlan(r, plainPGVals("web", "", nil), nil)
	if !plainErr(resp.Diagnostics, "Could not check web:* against supervisord", "boom") {
		t.Fatalf("snapshot failure: %v", resp.Diagnostics)
	}
}

// plainCreate runs Create of vals; the model is the state saved (zero when none).
func plainCreate(t *testing.T, r *processGroupResource, vals map[string]any) (*fwresource.CreateResponse, processGroupResourceModel) {
	t.Helper()
	return runCreate[processGroupResourceModel](t, r, vals, "id", "processes")
}

// plainProcesses lists the processes attribute of m as "namespec statename identifiers".
func plainProcesses(t *testing.T, m processGroupResourceModel) []string {
	t.Helper()
	var procs []struct {
		Namespec    string   `tfsdk:"namespec"`
		Statename   string   `tfsdk:"statename"`
		Identifiers []string `tfsdk:"identifiers"`
		ExtraArgs   string   `tfsdk:"extra_args"`
	}
	if d := m.Processes.ElementsAs(context.Background(), &procs, false); d.HasError() {
		t.Fatal(d)
	}
	var out []string
	for _, p := range procs {
		out = append(out, strings.TrimSpace(p.Namespec+" "+p.Statename+" "+strings.Join(p.Identifiers, ",")))
	}
	return out
}

func TestPlainProcessGroupCreate(t *testing.T) {
	r, p := plainFake(t)
	host := strings.TrimPrefix(p.URL(), "http://")
	pid := p.Get("web:server").Pid()
	resp, m := plainCreate(t, r, plainPGVals("web", "", map[string]any{"extra_args": ""}))
	want := []string{"web:cache RUNNING " + host, "web:server RUNNING " + host}
	if resp.Diagnostics.HasError() || m.ID.ValueString() != "web:*" || !slices.Equal(plainProcesses(t, m), want) {
		t.Fatalf("create: %v %v", resp.Diagnostics, plainProcesses(t, m))
	}
	if !slices.Equal(p.Sent(), []string{"startProcess web:cache"}) || p.Get("web:server").Pid() != pid {
		t.Fatalf("sent %v (web:server must be adopted)", p.Sent())
	}

	// What needs Supvisors is refused before anything is saved or sent (the plan was made unconfigured).
	resp, m = plainCreate(t, r, plainPGVals("web", "", map[string]any{"enabled": true}))
	if !plainErr(resp.Diagnostics, "Attributes that need Supvisors", "plain Supervisor 4.2.5", "web:*") || !m.ID.IsNull() {
		t.Fatalf("enabled: %v %+v", resp.Diagnostics, m)
	}
	// An unknown program: nothing saved.
	resp, m = plainCreate(t, r, plainPGVals("web", "nope", nil))
	if !plainErr(resp.Diagnostics, `Unknown program "nope"`) || !m.ID.IsNull() {
		t.Fatalf("unknown: %v %+v", resp.Diagnostics, m)
	}
	// A start that fails keeps the resource in the state (Terraform taints it), with Supervisor's words.
	resp, m = plainCreate(t, r, plainPGVals("bad", "crasher", nil))
	if !plainErr(resp.Diagnostics, "Processes of bad:crasher did not start", "FATAL", "Exited too quickly") || m.ID.ValueString() != "bad:crasher" {
		t.Fatalf("fatal: %v %+v", resp.Diagnostics, m)
	}
	// ... with the processes as the failure left them, read again from the supervisord.
	if got := plainProcesses(t, m); len(got) != 1 || !strings.HasPrefix(got[0], "bad:crasher FATAL") {
		t.Fatalf("tainted state: %v", got)
	}
	resp, _ = plainCreate(t, r, plainPGVals("bad", "missing", nil))
	if !plainErr(resp.Diagnostics, "Could not start bad:missing", "NO_FILE", "/nonexistent/lab/binary") {
		t.Fatalf("no file: %v", resp.Diagnostics)
	}
}

func TestPlainProcessGroupCreateReadFailures(t *testing.T) {
	// A create reads the processes four times after the detection: the snapshot of the save, the fresh read of
	// apply, the read of ConvergePlain, the read after the change. Each later one fails in turn; the resource
	// stays saved.
	for n, summary := range []string{"Could not read supervisord before creating web:*",
		"Could not read the processes of web:*", "Could not read the processes of web:* after the change"} {
		r, p := plainFake(t)
		p.FailAfter("supervisor.getAllProcessInfo", n+1, supvisorstest.FaultFailed, "FAILED: boom")
		resp, m := plainCreate(t, r, plainPGVals("web", "", nil))
		if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary() != summary || m.ID.ValueString() != "web:*" {
			t.Errorf("read %d fails: %v %+v", n+2, resp.Diagnostics, m)
		}
	}
}

// plainState is the state of a process group on the fake: vals with its id.
func plainState(r *processGroupResource, vals map[string]any) tfsdk.State {
	s := reconcile.Scope{App: vals["application"].(string)}
	if prog, ok := vals["program"].(string); ok {
		s.Program = prog
	}
	vals["id"] = s.ID()
	sch, val := testResourceValue(r, vals)
	return tfsdk.State{Schema: sch, Raw: val}
}

func TestPlainProcessGroupUpdate(t *testing.T) {
	r, p := plainFake(t)
	ctx := context.Background()
	p.Update("web:cache", func(pr *supvisorstest.PlainProcess) { pr.State = "RUNNING" })
	server, cache := p.Get("web:server").Pid(), p.Get("web:cache").Pid()
	update := func(state, plan map[string]any) (*fwresource.UpdateResponse, processGroupResourceModel) {
		st := plainState(r, state)
		sch, val := testResourceValue(r, plan, "id", "processes")
		resp := &fwresource.UpdateResponse{State: st}
		r.Update(ctx, fwresource.UpdateRequest{State: st, Plan: tfsdk.Plan{Schema: sch, Raw: val}}, resp)
		var m processGroupResourceModel
		resp.Diagnostics.Append(resp.State.Get(ctx, &m)...)
		return resp, m
	}
	trig := func(v string) map[string]any {
		return map[string]any{"restart_triggers": map[string]tftypes.Value{"v": tftypes.NewValue(tftypes.String, v)}}
	}
	// A trigger change restarts every process: a stop, then a start.
	resp, m := update(plainPGVals("web", "", trig("1")), plainPGVals("web", "", trig("2")))
	if resp.Diagnostics.HasError() || len(m.Processes.Elements()) != 2 {
		t.Fatalf("restart: %v", resp.Diagnostics)
	}
	want := []string{"stopProcess web:cache", "stopProcess web:server", "startProcess web:cache", "startProcess web:server"}
	if !slices.Equal(p.Sent(), want) || p.Get("web:server").Pid() == server || p.Get("web:cache").Pid() == cache {
		t.Fatalf("sent %v", p.Sent())
	}
	// state = "stopped" stops them.
	resp, m = update(plainPGVals("web", "", nil), plainPGVals("web", "", map[string]any{"state": reconcile.StateStopped}))
	if resp.Diagnostics.HasError() || !slices.Equal(plainProcesses(t, m), []string{"web:cache STOPPED", "web:server STOPPED"}) {
		t.Fatalf("stop: %v %v", resp.Diagnostics, plainProcesses(t, m))
	}
}

func TestPlainProcessGroupRead(t *testing.T) {
	r, p := plainFake(t)
	ctx := context.Background()
	read := func(vals map[string]any) (*fwresource.ReadResponse, processGroupResourceModel) {
		st := plainState(r, vals)
		resp := &fwresource.ReadResponse{State: st}
		r.Read(ctx, fwresource.ReadRequest{State: st}, resp)
		var m processGroupResourceModel
		if !resp.State.Raw.IsNull() {
			resp.Diagnostics.Append(resp.State.Get(ctx, &m)...)
		}
		return resp, m
	}
	// Drift: web:cache is stopped, so the group reads as partial.
	resp, m := read(plainPGVals("web", "", nil))
	if resp.Diagnostics.HasError() || m.State.ValueString() != reconcile.StatePartial || len(m.Processes.Elements()) != 2 {
		t.Fatalf("read: %v %+v", resp.Diagnostics, m)
	}
	resp, m = read(plainPGVals("web", "server", nil))
	if resp.Diagnostics.HasError() || m.State.ValueString() != reconcile.StateRunning || m.ExtraArgs.ValueString() != "" {
		t.Fatalf("read program: %v %+v", resp.Diagnostics, m)
	}
	// A vanished group or program leaves the state with a warning.
	for _, vals := range []map[string]any{plainPGVals("gone", "", nil), plainPGVals("web", "gone", nil)} {
		resp, _ = read(vals)
		if resp.Diagnostics.WarningsCount() != 1 || !resp.State.Raw.IsNull() || !strings.Contains(diagsText(resp.Diagnostics), "vanished") {
			t.Fatalf("vanished: %v", resp.Diagnostics)
		}
	}
	p.Fail("supervisor.getAllProcessInfo", supvisorstest.FaultFailed, "FAILED: boom")
	r.data.client.InvalidateSnapshot()
	if resp, _ = read(plainPGVals("web", "", nil)); !plainErr(resp.Diagnostics, "Could not read web:*", "boom") {
		t.Fatalf("read failure: %v", resp.Diagnostics)
	}
}

func TestPlainProcessGroupDeleteAndImport(t *testing.T) {
	r, p := plainFake(t)
	ctx := context.Background()
	del := func(vals map[string]any) *fwresource.DeleteResponse {
		resp := &fwresource.DeleteResponse{}
		r.Delete(ctx, fwresource.DeleteRequest{State: plainState(r, vals)}, resp)
		return resp
	}
	if resp := del(plainPGVals("web", "", nil)); resp.Diagnostics.HasError() || !slices.Equal(p.Sent(), []string{"stopProcess web:server"}) {
		t.Fatalf("delete: %v %v", resp.Diagnostics, p.Sent())
	}
	if p.Get("web:server").State != "STOPPED" {
		t.Fatal("web:server still runs")
	}
	// A group that is gone: a warning, nothing to stop.
	if resp := del(plainPGVals("gone", "", nil)); resp.Diagnostics.HasError() || resp.Diagnostics.WarningsCount() != 1 {
		t.Fatalf("delete of a vanished group: %v", resp.Diagnostics)
	}
	// A stop that fails on a group that still exists is an error.
	p.Update("web:server", func(pr *supvisorstest.PlainProcess) { pr.State = "RUNNING" })
	p.Fail("supervisor.stopProcess", supvisorstest.FaultFailed, "FAILED: boom")
	if resp := del(plainPGVals("web", "", nil)); !plainErr(resp.Diagnostics, "Could not stop web:server", "boom") {
		t.Fatalf("failed stop: %v", resp.Diagnostics)
	}
	// The stop fails and the read that would tell a vanished group fails too: the error stays.
	p.FailAfter("supervisor.getAllProcessInfo", 1, supvisorstest.FaultFailed, "FAILED: down")
	if resp := del(plainPGVals("web", "", nil)); !plainErr(resp.Diagnostics, "Could not stop web:server", "boom") {
		t.Fatalf("failed stop and read: %v", resp.Diagnostics)
	}
	p.Fail("supervisor.getAllProcessInfo", 0, "")

	// Import checks the ID against the supervisord.
	imp := func(id string) *fwresource.ImportStateResponse {
		sch, val := testResourceValue(r, nil)
		resp := &fwresource.ImportStateResponse{State: tfsdk.State{Schema: sch, Raw: tftypes.NewValue(val.Type(), nil)}}
		r.ImportState(ctx, fwresource.ImportStateRequest{ID: id}, resp)
		return resp
	}
	resp := imp("web:server")
	var m processGroupResourceModel
	resp.Diagnostics.Append(resp.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.ID.ValueString() != "web:server" || m.Program.ValueString() != "server" {
		t.Fatalf("import: %v %+v", resp.Diagnostics, m)
	}
	if resp = imp("web:nope"); !plainErr(resp.Diagnostics, `Cannot import web:nope: Unknown program "nope"`, "cache, server") {
		t.Fatalf("import of an unknown program: %v", resp.Diagnostics)
	}
}
