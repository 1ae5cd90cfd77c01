package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// Unit tests of the supvisors_process_group helpers (no cluster needed).

func TestProcessGroupParseID(t *testing.T) {
	for _, tc := range []struct {
		id, app, prog, err string
	}{
		{id: "worker:*", app: "worker"},
		{id: "web:web_server", app: "web", prog: "web_server"},
		{id: "pg_a:pg_a_multi", app: "pg_a", prog: "pg_a_multi"},
		{id: "worker", err: `has no ':'`},
		{id: "worker", err: `"worker:*"`},
		{id: "web:", err: "empty program part"},
		{id: ":x", err: "invalid application part"},
		{id: "a b:x", err: "invalid application part"},
		{id: "web:web_*", err: "wildcards"},
		{id: "web:a:b", err: "invalid program part"},
		{id: "", err: "not a namespec"},
	} {
		s, err := pgParseID(tc.id)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("pgParseID(%q) = %v, want an error containing %q", tc.id, err, tc.err)
			}
			if err != nil && !strings.Contains(err.Error(), "<application>:*") {
				t.Errorf("pgParseID(%q): the error does not give the expected form: %v", tc.id, err)
			}
			continue
		}
		if err != nil || s.App != tc.app || s.Program != tc.prog {
			t.Errorf("pgParseID(%q) = %+v, %v; want %s/%s", tc.id, s, err, tc.app, tc.prog)
		}
		if s.ID() != tc.id {
			t.Errorf("ID() = %q, want %q", s.ID(), tc.id)
		}
	}
}

func pgProc(app, name string, st supvisors.ProcessState, args string) supvisors.ProcessInfo {
	return supvisors.ProcessInfo{ApplicationName: app, ProcessName: name, Statename: st, ExtraArgs: args}
}

func TestProcessGroupInstanceStates(t *testing.T) {
	snap := supvisors.NewSnapshot(supvisors.SupvisorsState{InstanceStates: map[string]string{
		"h:3": "RUNNING", "h:1": "RUNNING", "h:2": "STOPPED",
	}}, nil, nil, time.Time{})
	up, down := reconcile.InstanceStates(snap)
	if strings.Join(up, ",") != "h:1,h:3" || len(down) != 1 || down[0].ID != "h:2" || !strings.Contains(down[0].Reason, "STOPPED") {
		t.Errorf("up %v down %v", up, down)
	}
	var diags diag.Diagnostics
	pgDownWarning(&diags, reconcile.Scope{App: "a", Program: "p"}, "update_numprocs", down)
	if diags.WarningsCount() != 1 || !strings.Contains(diags.Warnings()[0].Detail(), "h:2: its state is STOPPED") {
		t.Errorf("warning: %v", diags)
	}
}

// TestProcessGroupSchemaAndConfig checks the schema and the cross-attribute rules of ValidateConfig.
func TestProcessGroupSchemaAndConfig(t *testing.T) {
	ctx := context.Background()
	r := NewProcessGroupResource().(*processGroupResource)
	var sresp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sresp)
	if sresp.Diagnostics.HasError() {
		t.Fatal(sresp.Diagnostics)
	}
	if d := sresp.Schema.ValidateImplementation(ctx); d.HasError() {
		t.Fatal(d)
	}
	for name, a := range sresp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no MarkdownDescription", name)
		}
	}
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	config := func(vals map[string]tftypes.Value) tfsdk.Config {
		full := map[string]tftypes.Value{}
		for k, at := range typ.AttributeTypes {
			full[k] = tftypes.NewValue(at, nil)
		}
		for k, v := range vals {
			full[k] = v
		}
		return tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, full)}
	}
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	for _, tc := range []struct {
		name string
		vals map[string]tftypes.Value
		want string
	}{
		{"ok", map[string]tftypes.Value{"application": str("a")}, ""},
		{"numprocs without program", map[string]tftypes.Value{"application": str("a"), "numprocs": tftypes.NewValue(tftypes.Number, 2)}, "numprocs needs program"},
		{"numprocs with program", map[string]tftypes.Value{"application": str("a"), "program": str("p"), "numprocs": tftypes.NewValue(tftypes.Number, 2)}, ""},
		{"disabled running by default", map[string]tftypes.Value{"application": str("a"), "enabled": tftypes.NewValue(tftypes.Bool, false)}, "cannot run"},
		{"disabled running", map[string]tftypes.Value{"application": str("a"), "enabled": tftypes.NewValue(tftypes.Bool, false), "state": str("running")}, "cannot run"},
		{"disabled stopped", map[string]tftypes.Value{"application": str("a"), "enabled": tftypes.NewValue(tftypes.Bool, false), "state": str("stopped")}, ""},
		{"disabled unknown state", map[string]tftypes.Value{"application": str("a"), "enabled": tftypes.NewValue(tftypes.Bool, false), "state": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}, ""},
	} {
		var resp resource.ValidateConfigResponse
		r.ValidateConfig(ctx, resource.ValidateConfigRequest{Config: config(tc.vals)}, &resp)
		got := ""
		for _, d := range resp.Diagnostics.Errors() {
			got += d.Summary() + ": " + d.Detail()
		}
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestProcessGroupCheckAgainstSnapshot(t *testing.T) {
	snap := supvisors.NewSnapshot(supvisors.SupvisorsState{},
		[]supvisors.ApplicationInfo{{ApplicationName: "pg"}, {ApplicationName: "web"}},
		[]supvisors.ProcessInfo{
			pgProc("pg", "pg_multi_0", supvisors.ProcessStopped, ""), pgProc("pg", "pg_multi_1", supvisors.ProcessStopped, ""),
			pgProc("pg", "pg_plain", supvisors.ProcessStopped, ""),
		}, time.Time{})
	for _, tc := range []struct {
		scope    reconcile.Scope
		numprocs bool
		want     string
	}{
		{reconcile.Scope{App: "pg"}, false, ""},
		{reconcile.Scope{App: "pg", Program: "pg_multi"}, true, ""},
		{reconcile.Scope{App: "pg", Program: "pg_plain"}, false, ""},
		{reconcile.Scope{App: "nope"}, false, `Unknown application "nope"` + "Supvisors knows no application (Supervisor group) named \"nope\". Known applications: pg, web."},
		{reconcile.Scope{App: "pg", Program: "nope"}, false, "pg_plain"},
		{reconcile.Scope{App: "pg", Program: "pg_plain"}, true, "NOT_APPLICABLE"},
	} {
		got := ""
		for _, d := range pgCheckAgainstSnapshot(snap, tc.scope, tc.numprocs).Errors() {
			got += d.Summary() + d.Detail()
		}
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s numprocs=%v: got %q, want %q", tc.scope.ID(), tc.numprocs, got, tc.want)
		}
	}
}

func TestProcessGroupOnlyDefined(t *testing.T) {
	members := []supvisors.ProcessInfo{
		pgProc("pool", "pool_0", supvisors.ProcessRunning, ""), pgProc("pool", "pool_1", supvisors.ProcessRunning, ""),
		pgProc("pool", "pool_2", supvisors.ProcessFatal, ""),
	}
	views := []reconcile.InstanceView{
		{ID: "a", Procs: []supvisors.LocalProcessInfo{{Group: "pool", Name: "pool_0"}, {Group: "pool", Name: "pool_1"}}},
		{ID: "b", Procs: []supvisors.LocalProcessInfo{{Group: "pool", Name: "pool_0"}}},
	}
	if got := strings.Join(reconcile.Namespecs(reconcile.OnlyDefined(members, reconcile.Defined(views))), ","); got != "pool:pool_0,pool:pool_1" {
		t.Errorf("filtered: %s", got)
	}
	if got := reconcile.OnlyDefined(members, reconcile.Defined(nil)); len(got) != 3 {
		t.Errorf("no instance read: %v", got)
	}
	if got := reconcile.OnlyDefined(members, map[string]bool{"x:y": true}); len(got) != 3 {
		t.Errorf("a filter keeping nothing keeps everything: %v", got)
	}
	if got := reconcile.DeriveState(reconcile.OnlyDefined(members, reconcile.Defined(views)), "running"); got != "running" {
		t.Errorf("state without the undefined process: %s", got)
	}
}

// pgUnitModel returns a model of the resource's schema with every attribute null, edited by edit, and the schema.
func pgUnitModel(t *testing.T, edit func(*processGroupResourceModel)) (processGroupResourceModel, tfsdk.State) {
	t.Helper()
	ctx := context.Background()
	var sresp resource.SchemaResponse
	(&processGroupResource{}).Schema(ctx, resource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx)
	st := tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, nil)}
	var m processGroupResourceModel
	null := tfsdk.State{Schema: sresp.Schema, Raw: pgNullObject(typ.(tftypes.Object))}
	if d := null.Get(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	edit(&m)
	if d := st.Set(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	return m, st
}

func pgNullObject(typ tftypes.Object) tftypes.Value {
	raw := map[string]tftypes.Value{}
	for k, at := range typ.AttributeTypes {
		raw[k] = tftypes.NewValue(at, nil)
	}
	return tftypes.NewValue(typ, raw)
}

// pgUnitGroup fills a model as a created group of application a: running, CONFIG, one process.
func pgUnitGroup(t *testing.T) func(*processGroupResourceModel) {
	return func(m *processGroupResourceModel) {
		m.ID = types.StringValue("a:*")
		m.Application = types.StringValue("a")
		m.State = types.StringValue(reconcile.StateRunning)
		m.Strategy = types.StringValue(string(supvisors.StrategyConfig))
		m.ExtraArgs = types.StringValue("")
		m.StopOnDestroy = types.BoolValue(true)
		procs, d := processGroupProcessesValue([]supvisors.ProcessInfo{pgProc("a", "x", supvisors.ProcessRunning, "")})
		if d.HasError() {
			t.Fatal(d)
		}
		m.Processes = procs
	}
}

// TestProcessGroupUpdateNoClusterAction: an update that changes nothing on the cluster (strategy,
// stop_on_destroy) records the plan with the processes of the state and calls nothing: here the resource has no
// client at all, so any call would fail.
func TestProcessGroupUpdateNoClusterAction(t *testing.T) {
	ctx := context.Background()
	prior, state := pgUnitModel(t, pgUnitGroup(t))
	_, plan := pgUnitModel(t, func(m *processGroupResourceModel) {
		pgUnitGroup(t)(m)
		m.Strategy = types.StringValue(string(supvisors.StrategyLessLoaded))
		m.StopOnDestroy = types.BoolValue(false)
		m.Processes = types.ListUnknown(processGroupProcessType)
	})
	r := &processGroupResource{}
	resp := &resource.UpdateResponse{State: state}
	r.Update(ctx, resource.UpdateRequest{Plan: tfsdk.Plan(plan), State: state}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("update acted on the cluster: %v", resp.Diagnostics)
	}
	var got processGroupResourceModel
	if d := resp.State.Get(ctx, &got); d.HasError() {
		t.Fatal(d)
	}
	if got.Strategy.ValueString() != string(supvisors.StrategyLessLoaded) || got.StopOnDestroy.ValueBool() {
		t.Errorf("plan not recorded: strategy %v stop_on_destroy %v", got.Strategy, got.StopOnDestroy)
	}
	if !got.Processes.Equal(prior.Processes) {
		t.Errorf("processes %v, want those of the state %v", got.Processes, prior.Processes)
	}

	// a change of state does act on the cluster (and fails here, without a client)
	_, plan = pgUnitModel(t, func(m *processGroupResourceModel) {
		pgUnitGroup(t)(m)
		m.State = types.StringValue(reconcile.StateStopped)
	})
	resp = &resource.UpdateResponse{State: state}
	r.Update(ctx, resource.UpdateRequest{Plan: tfsdk.Plan(plan), State: state}, resp)
	if !resp.Diagnostics.HasError() {
		t.Error("a change of state did not reach the cluster")
	}
}

// TestProcessGroupOneShot: a one-shot program that exited as expected counts as running (as the client's wait
// does), so a group such as batch (batch_init exited 0, batch_job running) reads "running" and batch_init is not
// started again; an unexpected exit counts as stopped; a group where nothing runs starts again as a whole.
func TestProcessGroupOneShot(t *testing.T) {
	exited := func(name string, expected bool) supvisors.ProcessInfo {
		p := pgProc("batch", name, supvisors.ProcessExited, "")
		p.ExpectedExit = expected
		return p
	}
	job := pgProc("batch", "batch_job", supvisors.ProcessRunning, "")
	jobStopped := pgProc("batch", "batch_job", supvisors.ProcessStopped, "")
	if !reconcile.CountsAsRunning(exited("batch_init", true)) || reconcile.CountsAsRunning(exited("batch_init", false)) ||
		!reconcile.CountsAsRunning(job) || reconcile.CountsAsRunning(jobStopped) {
		t.Error("reconcile.CountsAsRunning")
	}
	for _, tc := range []struct {
		members []supvisors.ProcessInfo
		prior   string
		want    string
	}{
		{[]supvisors.ProcessInfo{exited("batch_init", true), job}, "running", "running"},
		{[]supvisors.ProcessInfo{exited("batch_init", true), job}, "stopped", "running"},
		{[]supvisors.ProcessInfo{exited("batch_init", true), job}, "", "running"},
		{[]supvisors.ProcessInfo{exited("batch_init", false), job}, "running", "partial"},
		{[]supvisors.ProcessInfo{exited("batch_init", true), jobStopped}, "stopped", "stopped"},
		{[]supvisors.ProcessInfo{exited("batch_init", true), jobStopped}, "running", "stopped"},
		// only one-shot programs, all done: the prior state decides
		{[]supvisors.ProcessInfo{exited("batch_init", true)}, "running", "running"},
		{[]supvisors.ProcessInfo{exited("batch_init", true)}, "", "running"},
		{[]supvisors.ProcessInfo{exited("batch_init", true)}, "stopped", "stopped"},
	} {
		if got := reconcile.DeriveState(tc.members, tc.prior); got != tc.want {
			t.Errorf("reconcile.DeriveState(%v, prior %q) = %q, want %q", tc.members, tc.prior, got, tc.want)
		}
	}
	for _, tc := range []struct {
		members []supvisors.ProcessInfo
		want    string
	}{
		{[]supvisors.ProcessInfo{exited("batch_init", true), job}, ""},
		{[]supvisors.ProcessInfo{exited("batch_init", false), job}, "batch:batch_init"},
		{[]supvisors.ProcessInfo{exited("batch_init", true), jobStopped, pgProc("batch", "z", supvisors.ProcessRunning, "")}, "batch:batch_job"},
		{[]supvisors.ProcessInfo{exited("batch_init", true), jobStopped}, "batch:batch_init,batch:batch_job"},
	} {
		if got := strings.Join(reconcile.Namespecs(reconcile.ToStart(tc.members)), ","); got != tc.want {
			t.Errorf("reconcile.ToStart(%v) = %q, want %q", tc.members, got, tc.want)
		}
	}
}

// TestProcessGroupPartial: "partial" (a mix read by a refresh) is refused in a configuration, and a plan from it to
// running or stopped acts on the cluster.
func TestProcessGroupPartial(t *testing.T) {
	ctx := context.Background()
	var sresp resource.SchemaResponse
	(&processGroupResource{}).Schema(ctx, resource.SchemaRequest{}, &sresp)
	attr := sresp.Schema.Attributes["state"].(schema.StringAttribute)
	for v, ok := range map[string]bool{"running": true, "stopped": true, "partial": false} {
		resp := &validator.StringResponse{}
		for _, vd := range attr.Validators {
			vd.ValidateString(ctx, validator.StringRequest{Path: path.Root("state"), ConfigValue: types.StringValue(v)}, resp)
		}
		if resp.Diagnostics.HasError() == ok {
			t.Errorf("state = %q in a configuration: errors %v", v, resp.Diagnostics)
		}
	}
	if !strings.Contains(attr.MarkdownDescription, "`partial`") {
		t.Error("the state attribute does not document partial")
	}
	for _, want := range []string{reconcile.StateRunning, reconcile.StateStopped} {
		prior, _ := pgUnitModel(t, func(m *processGroupResourceModel) {
			pgUnitGroup(t)(m)
			m.State = types.StringValue(reconcile.StatePartial)
		})
		plan, _ := pgUnitModel(t, func(m *processGroupResourceModel) { pgUnitGroup(t)(m); m.State = types.StringValue(want) })
		if !pgActsOnCluster(&plan, &prior) {
			t.Errorf("partial -> %s does not act on the cluster", want)
		}
	}
}

// TestProcessGroupTriggersNullIsEmpty: restart_triggers going from omitted to {} (or back) changes nothing on the
// cluster; unknown triggers may.
func TestProcessGroupTriggersNullIsEmpty(t *testing.T) {
	empty := types.MapValueMust(types.StringType, map[string]attr.Value{})
	null := types.MapNull(types.StringType)
	unknown := types.MapUnknown(types.StringType)
	for _, tc := range []struct {
		name        string
		prior, plan types.Map
		acts        bool
	}{
		{"null to empty", null, empty, false},
		{"empty to null", empty, null, false},
		{"null to unknown", null, unknown, true},
	} {
		prior, _ := pgUnitModel(t, func(m *processGroupResourceModel) { pgUnitGroup(t)(m); m.RestartTriggers = tc.prior })
		plan, _ := pgUnitModel(t, func(m *processGroupResourceModel) { pgUnitGroup(t)(m); m.RestartTriggers = tc.plan })
		if got := pgActsOnCluster(&plan, &prior); got != tc.acts {
			t.Errorf("%s: acts on the cluster %v, want %v", tc.name, got, tc.acts)
		}
	}
}

// TestProcessGroupTriggersRestart: the first value of restart_triggers (prior null or empty: create, import,
// added later) is only recorded; a change between two non-empty maps restarts; removing them restarts nothing.
func TestProcessGroupTriggersRestart(t *testing.T) {
	m := func(kv ...string) types.Map {
		elems := map[string]attr.Value{}
		for i := 0; i+1 < len(kv); i += 2 {
			elems[kv[i]] = types.StringValue(kv[i+1])
		}
		return types.MapValueMust(types.StringType, elems)
	}
	null := types.MapNull(types.StringType)
	for _, tc := range []struct {
		name        string
		prior, plan types.Map
		restart     bool
	}{
		{"null to value (import, added)", null, m("conf", "a"), false},
		{"empty to value", m(), m("conf", "a"), false},
		{"unchanged", m("conf", "a"), m("conf", "a"), false},
		{"value changed", m("conf", "a"), m("conf", "b"), true},
		{"key added", m("conf", "a"), m("conf", "a", "bin", "x"), true},
		{"removed to null", m("conf", "a"), null, false},
		{"removed to empty", m("conf", "a"), m(), false},
		{"null to empty", null, m(), false},
	} {
		if got := triggersRestart(tc.prior, tc.plan); got != tc.restart {
			t.Errorf("%s: restart %v, want %v", tc.name, got, tc.restart)
		}
		prior, _ := pgUnitModel(t, func(x *processGroupResourceModel) { pgUnitGroup(t)(x); x.RestartTriggers = tc.prior })
		plan, _ := pgUnitModel(t, func(x *processGroupResourceModel) { pgUnitGroup(t)(x); x.RestartTriggers = tc.plan })
		if got := pgActsOnCluster(&plan, &prior); got != tc.restart {
			t.Errorf("%s: acts on the cluster %v, want %v", tc.name, got, tc.restart)
		}
	}
}

// TestProcessGroupNotConfigured: without a configured provider (its configuration depends on unknown values), Read
// keeps the state quietly, and Delete with stop_on_destroy = false forgets the resource without a client.
func TestProcessGroupNotConfigured(t *testing.T) {
	ctx := context.Background()
	r := &processGroupResource{}
	_, state := pgUnitModel(t, pgUnitGroup(t))
	rresp := &resource.ReadResponse{State: state}
	r.Read(ctx, resource.ReadRequest{State: state}, rresp)
	if rresp.Diagnostics.HasError() || !rresp.State.Raw.Equal(state.Raw) {
		t.Errorf("read without a configured provider: %v, state changed %v", rresp.Diagnostics, !rresp.State.Raw.Equal(state.Raw))
	}

	_, keep := pgUnitModel(t, func(m *processGroupResourceModel) { pgUnitGroup(t)(m); m.StopOnDestroy = types.BoolValue(false) })
	dresp := &resource.DeleteResponse{State: keep}
	r.Delete(ctx, resource.DeleteRequest{State: keep}, dresp)
	if dresp.Diagnostics.HasError() {
		t.Errorf("delete with stop_on_destroy = false needs no client: %v", dresp.Diagnostics)
	}
	dresp = &resource.DeleteResponse{State: state}
	r.Delete(ctx, resource.DeleteRequest{State: state}, dresp)
	if !dresp.Diagnostics.HasError() {
		t.Error("delete with stop_on_destroy = true must need the client")
	}
}

// TestProcessGroupIdentifiersSorted: the identifiers of a process are stored sorted, whatever order Supvisors gives.
func TestProcessGroupIdentifiersSorted(t *testing.T) {
	p := pgProc("a", "x", supvisors.ProcessRunning, "")
	p.Identifiers = []string{"h:3", "h:1", "h:2"}
	list, d := processGroupProcessesValue([]supvisors.ProcessInfo{p})
	if d.HasError() {
		t.Fatal(d)
	}
	var procs []struct {
		Namespec    string   `tfsdk:"namespec"`
		Statename   string   `tfsdk:"statename"`
		Identifiers []string `tfsdk:"identifiers"`
		ExtraArgs   string   `tfsdk:"extra_args"`
	}
	if d := list.ElementsAs(context.Background(), &procs, false); d.HasError() {
		t.Fatal(d)
	}
	if len(procs) != 1 || strings.Join(procs[0].Identifiers, ",") != "h:1,h:2,h:3" {
		t.Errorf("identifiers %+v", procs)
	}
	if strings.Join(p.Identifiers, ",") != "h:3,h:1,h:2" {
		t.Errorf("the process read from the cluster was modified: %v", p.Identifiers)
	}
}
