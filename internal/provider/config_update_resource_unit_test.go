package provider

// Unit tests of supvisors_config_update's handlers on scripted supervisords (supvisorstest.RolloutHost): what
// they send, what they store, and how a failed rollout reads. The acceptance tests in
// config_update_resource_test.go are the proof against real supervisords.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// tfStrings is a list value of strings for testResourceValue.
func tfStrings(s ...string) []tftypes.Value {
	out := make([]tftypes.Value, len(s))
	for i, x := range s {
		out[i] = tftypes.NewValue(tftypes.String, x)
	}
	return out
}

// tfTriggers is a triggers map value for testResourceValue.
func tfTriggers(v string) map[string]tftypes.Value {
	return map[string]tftypes.Value{"v": tftypes.NewValue(tftypes.String, v)}
}

// cuCreate runs Create with the given configuration values.
func cuCreate(t *testing.T, r *configUpdateResource, vals map[string]any) (*fwresource.CreateResponse, configUpdateModel) {
	t.Helper()
	return runCreate[configUpdateModel](t, r, vals, "id", "results")
}

// cuUpdate runs Update from state to a plan of the given values (the computed ones unknown, as Terraform plans
// them without ModifyPlan).
func cuUpdate(t *testing.T, r *configUpdateResource, state tfsdk.State, vals map[string]any) (*fwresource.UpdateResponse, configUpdateModel) {
	t.Helper()
	sch, val := testResourceValue(r, vals, "results")
	resp := &fwresource.UpdateResponse{State: state}
	r.Update(context.Background(), fwresource.UpdateRequest{Plan: tfsdk.Plan{Schema: sch, Raw: val}, State: state}, resp)
	return resp, cuModel(t, resp.State)
}

func cuModel(t *testing.T, s tfsdk.State) configUpdateModel {
	t.Helper()
	var m configUpdateModel
	if !s.Raw.IsNull() {
		if d := s.Get(context.Background(), &m); d.HasError() {
			t.Fatal(d)
		}
	}
	return m
}

// cuResult is results[i] as plain Go values.
func cuResult(t *testing.T, m configUpdateModel, i int) map[string][]string {
	t.Helper()
	var res []struct {
		Instance string   `tfsdk:"instance"`
		Added    []string `tfsdk:"added"`
		Changed  []string `tfsdk:"changed"`
		Removed  []string `tfsdk:"removed"`
		Skipped  []string `tfsdk:"skipped"`
	}
	if d := m.Results.ElementsAs(context.Background(), &res, false); d.HasError() || i >= len(res) {
		t.Fatalf("results %v: %v", m.Results, d)
	}
	r := res[i]
	return map[string][]string{"instance": {r.Instance}, "added": r.Added, "changed": r.Changed, "removed": r.Removed, "skipped": r.Skipped}
}

func TestConfigUpdateHandlersOnPlain(t *testing.T) {
	h := supvisorstest.NewRolloutHost(t, map[string]string{"web": "RUNNING", "old": "RUNNING", "keep": "RUNNING"})
	h.Added, h.Changed, h.Removed = []string{"new", "other"}, []string{"web"}, []string{"old"}
	h.Autostart["new"] = true
	c := fakeClient(t, h.URL(), nil)
	r := &configUpdateResource{resourceBase{data: &providerData{client: c}}}
	vals := map[string]any{"triggers": tfTriggers("1"), "groups": tfStrings("web", "new", "o?d")}

	resp, m := cuCreate(t, r, vals)
	if resp.Diagnostics.HasError() || m.ID.ValueString() != c.Endpoint() {
		t.Fatalf("create: %v %+v", resp.Diagnostics, m)
	}
	want := map[string][]string{"instance": {c.PlainHost()}, "added": {"new"}, "changed": {"web"}, "removed": {"old"}, "skipped": {"other"}}
	if got := cuResult(t, m, 0); !mapsEqual(got, want) {
		t.Fatalf("results %v, want %v", got, want)
	}
	wantCalls := []string{"stopProcess old", "removeProcessGroup old", "stopProcess web", "removeProcessGroup web",
		"addProcessGroup web", "startProcess web", "addProcessGroup new", "startProcess new"}
	if got := h.Actions(); !slices.Equal(got, wantCalls) || h.State("keep") != "RUNNING" {
		t.Fatalf("calls %v, want %v", got, wantCalls)
	}

	// Read keeps the state as it is.
	rresp := &fwresource.ReadResponse{State: resp.State}
	r.Read(context.Background(), fwresource.ReadRequest{State: resp.State}, rresp)
	if rresp.Diagnostics.HasError() || !rresp.State.Raw.Equal(resp.State.Raw) {
		t.Fatalf("read: %v", rresp.Diagnostics)
	}

	// The same triggers: no rollout, the results and id of the state are kept.
	reloads := h.Count("supervisor.reloadConfig")
	uresp, um := cuUpdate(t, r, resp.State, map[string]any{"triggers": tfTriggers("1"), "groups": tfStrings("*")})
	if uresp.Diagnostics.HasError() || h.Count("supervisor.reloadConfig") != reloads || !um.Results.Equal(m.Results) ||
		um.ID != m.ID || len(um.Groups.Elements()) != 1 {
		t.Fatalf("update without a trigger change: %v %+v", uresp.Diagnostics, um)
	}

	// New triggers: a rollout again (nothing left to change).
	h.Update(func(h *supvisorstest.RolloutHost) { h.Added, h.Changed, h.Removed = nil, nil, nil })
	uresp, um = cuUpdate(t, r, resp.State, map[string]any{"triggers": tfTriggers("2")})
	if uresp.Diagnostics.HasError() || h.Count("supervisor.reloadConfig") != reloads+1 {
		t.Fatalf("update with new triggers: %v", uresp.Diagnostics)
	}
	if got := cuResult(t, um, 0); len(got["added"])+len(got["changed"])+len(got["removed"]) != 0 {
		t.Fatalf("second rollout: %v", got)
	}

	// Delete changes nothing.
	before := len(h.Actions())
	dresp := &fwresource.DeleteResponse{}
	r.Delete(context.Background(), fwresource.DeleteRequest{State: resp.State}, dresp)
	if dresp.Diagnostics.HasError() || len(h.Actions()) != before {
		t.Fatalf("delete: %v", dresp.Diagnostics)
	}
}

func TestConfigUpdateRolloutErrors(t *testing.T) {
	h := supvisorstest.NewRolloutHost(t, map[string]string{"web": "RUNNING"})
	c := fakeClient(t, h.URL(), nil)
	r := &configUpdateResource{resourceBase{data: &providerData{client: c}}}
	vals := map[string]any{"triggers": tfTriggers("1")}

	// A configuration supervisord cannot parse: its message, nothing changed, nothing stored.
	h.Reread = &supvisorstest.Fault{Code: supvisorstest.FaultCantReread, String: "CANT_REREAD: File contains no section headers."}
	resp, _ := cuCreate(t, r, vals)
	text := diagsText(resp.Diagnostics)
	for _, want := range []string{"Configuration rollout failed", "On instance " + c.PlainHost() + ", read the configuration " +
		"(supervisor.reloadConfig) failed: CANT_REREAD: File contains no section headers. (fault 92 CANT_REREAD)",
		"Nothing was changed on any instance", "The state keeps the former triggers"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if !resp.State.Raw.IsNull() || len(h.Actions()) != 0 {
		t.Fatalf("a failed re-read stored %v or changed %v", resp.State.Raw, h.Actions())
	}

	// A group that does not start: named with its step, and what was done before.
	h.Update(func(h *supvisorstest.RolloutHost) {
		h.Reread, h.Added, h.FailStart = nil, []string{"bad", "good"}, "bad"
		h.Autostart["bad"], h.Autostart["good"] = true, true
	})
	resp, _ = cuCreate(t, r, vals)
	text = diagsText(resp.Diagnostics)
	for _, want := range []string{"On instance " + c.PlainHost() + ", group bad, start failed: ", "FATAL",
		"Done before the failure:\n  - " + c.PlainHost() + ": added bad, good"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if !resp.State.Raw.IsNull() {
		t.Fatal("a failed rollout was stored")
	}

	// Without a configured provider: the handler says so and sends nothing.
	calls := len(h.Calls())
	resp, _ = cuCreate(t, &configUpdateResource{}, vals)
	if !strings.Contains(diagsText(resp.Diagnostics), "Provider not configured") || len(h.Calls()) != calls {
		t.Fatalf("unconfigured: %v", resp.Diagnostics)
	}
}

// TestConfigUpdateErrorDetail: causes that are not rollout steps read as the client's explanation.
func TestConfigUpdateErrorDetail(t *testing.T) {
	got := cuErrorDetail(errors.Join(&supvisors.RolloutError{Instance: "n1", Step: "stop", Group: "g", Err: errors.New("boom")},
		errors.New("plain failure")), nil)
	if !strings.Contains(got, "On instance n1, group g, stop failed: boom\n") || !strings.Contains(got, "plain failure") {
		t.Fatalf("%s", got)
	}
	if got := cuErrorDetail(errors.New("alone"), nil); !strings.HasPrefix(got, "alone") {
		t.Fatalf("%s", got)
	}
}

// cuCluster is a scripted cluster whose instances n1 (node1) and n2 (node2) are RolloutHosts; n2 is in state
// n2State.
func cuCluster(t *testing.T, n2State string) (*supvisors.Client, *supvisorstest.RolloutHost, *supvisorstest.RolloutHost) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods())
	info := func(id, state string) map[string]any {
		return map[string]any{"identifier": id, "nick_identifier": "node" + id[1:], "node_name": "127.0.0.1", "port": 1,
			"statecode": 2, "statename": state, "loading": 0, "process_failure": false}
	}
	cl.Handle("supvisors.get_all_instances_info", supvisorstest.Value([]any{info("n2", n2State), info("n1", "RUNNING")}))
	h1, h2 := supvisorstest.NewRolloutHost(t, nil), supvisorstest.NewRolloutHost(t, nil)
	h1.Added, h2.Added = []string{"a1"}, []string{"a2"}
	return fakeClient(t, cl.URL(), map[string]string{"n1": h1.URL(), "n2": h2.URL()}), h1, h2
}

func TestConfigUpdateOnCluster(t *testing.T) {
	c, h1, h2 := cuCluster(t, "RUNNING")
	r := &configUpdateResource{resourceBase{data: &providerData{client: c}}}

	// Every instance, in identifier order.
	resp, m := cuCreate(t, r, map[string]any{"triggers": tfTriggers("1")})
	if resp.Diagnostics.HasError() || cuResult(t, m, 0)["instance"][0] != "n1" || cuResult(t, m, 1)["added"][0] != "a2" {
		t.Fatalf("create: %v %v", resp.Diagnostics, m.Results)
	}
	// The instances listed, by nickname, in their order.
	resp, m = cuCreate(t, r, map[string]any{"triggers": tfTriggers("1"), "instances": tfStrings("node2")})
	if resp.Diagnostics.HasError() || len(m.Results.Elements()) != 1 || cuResult(t, m, 0)["instance"][0] != "n2" {
		t.Fatalf("create on node2: %v %v", resp.Diagnostics, m.Results)
	}
	if h1.Count("supervisor.reloadConfig") != 1 || h2.Count("supervisor.reloadConfig") != 2 {
		t.Fatalf("reloads %d %d", h1.Count("supervisor.reloadConfig"), h2.Count("supervisor.reloadConfig"))
	}

	// An instance that is not RUNNING fails the rollout before anything changes.
	c, h1, _ = cuCluster(t, "SILENT")
	r = &configUpdateResource{resourceBase{data: &providerData{client: c}}}
	resp, _ = cuCreate(t, r, map[string]any{"triggers": tfTriggers("1")})
	text := diagsText(resp.Diagnostics)
	if !strings.Contains(text, "Could not find the instances to roll out on") || !strings.Contains(text, "n2 is SILENT") ||
		len(h1.Actions()) != 0 {
		t.Fatalf("down instance: %s %v", text, h1.Actions())
	}
}

func TestConfigUpdateModifyPlan(t *testing.T) {
	c, _, _ := cuCluster(t, "SILENT")
	r := &configUpdateResource{resourceBase{data: &providerData{client: c}}}
	unknown := runModifyPlan(r, map[string]any{"triggers": tfTriggers("1"), "instances": tfStrings("n9")}, nil, "id", "results")
	if text := diagsText(unknown.Diagnostics); !strings.Contains(text, "Unknown instance") ||
		!strings.Contains(text, `The cluster has no instance "n9"; known instances: n1 (node1), n2 (node2).`) {
		t.Fatalf("unknown instance: %s", text)
	}
	// A listed instance that is down is checked at apply, not at plan time.
	if d := runModifyPlan(r, map[string]any{"triggers": tfTriggers("1"), "instances": tfStrings("n2")}, nil, "id", "results").Diagnostics; d.HasError() {
		t.Fatalf("down instance at plan time: %v", d)
	}

	// On a plain supervisord, instances is refused; the results of the state stay when the triggers do not change.
	h := supvisorstest.NewRolloutHost(t, nil)
	r = &configUpdateResource{resourceBase{data: &providerData{client: fakeClient(t, h.URL(), nil)}}}
	created, m := cuCreate(t, r, map[string]any{"triggers": tfTriggers("1")})
	if created.Diagnostics.HasError() {
		t.Fatal(created.Diagnostics)
	}
	resp := runModifyPlan(r, map[string]any{"triggers": tfTriggers("1"), "instances": tfStrings("n1")}, &created.State, "id", "results")
	if text := diagsText(resp.Diagnostics); !strings.Contains(text, "instances needs Supvisors") || !strings.Contains(text, "is plain Supervisor 4.2.5") {
		t.Fatalf("instances on plain: %s", text)
	}
	var results types.List
	resp.Plan.GetAttribute(context.Background(), path.Root("results"), &results)
	if !results.Equal(m.Results) {
		t.Fatalf("results not kept: %v", results)
	}
	// New triggers: results stay unknown; a destroy plan is left alone.
	resp = runModifyPlan(r, map[string]any{"triggers": tfTriggers("2")}, &created.State, "id", "results")
	resp.Plan.GetAttribute(context.Background(), path.Root("results"), &results)
	if resp.Diagnostics.HasError() || !results.IsUnknown() {
		t.Fatalf("new triggers: %v %v", resp.Diagnostics, results)
	}
	destroy := &fwresource.ModifyPlanResponse{}
	r.ModifyPlan(context.Background(), fwresource.ModifyPlanRequest{Plan: tfsdk.Plan{Raw: tftypes.NewValue(tftypes.Object{}, nil)}}, destroy)
	if destroy.Diagnostics.HasError() {
		t.Fatal(destroy.Diagnostics)
	}
}

func TestConfigUpdateValidators(t *testing.T) {
	list := func(s ...string) types.List {
		v, _ := types.ListValueFrom(context.Background(), types.StringType, s)
		return v
	}
	cases := []struct {
		v    validator.List
		in   types.List
		want string
	}{
		{cuGlobs{}, list("web_*", "app_[a-c]"), ""},
		{cuGlobs{}, list("ok", "[bad"), "Invalid group pattern"},
		{cuGlobs{}, list(""), "Invalid group pattern"},
		{cuGlobs{}, types.ListNull(types.StringType), ""},
		{cuNonEmptyStrings{}, list("n1", " "), "Empty instance"},
		{cuNonEmptyStrings{}, list("n1"), ""},
	}
	for _, tc := range cases {
		resp := &validator.ListResponse{}
		tc.v.ValidateList(context.Background(), validator.ListRequest{Path: path.Root("x"), ConfigValue: tc.in}, resp)
		if got := diagsText(resp.Diagnostics); tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%T %v: %q", tc.v, tc.in, got)
		}
		if tc.v.MarkdownDescription(context.Background()) == "" {
			t.Errorf("%T has no description", tc.v)
		}
	}
}

func mapsEqual(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
