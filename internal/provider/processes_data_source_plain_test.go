package provider

// Unit tests of supvisors_processes on the scripted plain supervisord of supvisorstest (processes_data_source_plain.go).

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// plainDataSourceRead runs Read of d, configured with vals (the other attributes null), on the client of url.
func plainDataSourceRead(t *testing.T, d datasource.DataSourceWithConfigure, url string, vals map[string]any) *datasource.ReadResponse {
	t.Helper()
	ctx := context.Background()
	d.Configure(ctx, datasource.ConfigureRequest{ProviderData: &providerData{client: fakeClient(t, url, nil)}}, &datasource.ConfigureResponse{})
	var sresp datasource.SchemaResponse
	d.Schema(ctx, datasource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	raw := map[string]tftypes.Value{}
	for k, at := range typ.AttributeTypes {
		raw[k] = tftypes.NewValue(at, vals[k])
	}
	resp := &datasource.ReadResponse{State: tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, nil)}}
	d.Read(ctx, datasource.ReadRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, raw)}}, resp)
	return resp
}

func TestPlainProcessesDataSource(t *testing.T) {
	p := supvisorstest.NewPlain(t, "4.3.0",
		&supvisorstest.PlainProcess{Group: "web", Name: "server", State: "RUNNING"},
		&supvisorstest.PlainProcess{Group: "web", Name: "cache"},
		&supvisorstest.PlainProcess{Group: "init", Name: "init", State: "EXITED", Exitstatus: 2, Exitcodes: []int{0, 2}},
		&supvisorstest.PlainProcess{Group: "batch", Name: "job", State: "EXITED", Exitstatus: 1},
	)
	host := strings.TrimPrefix(p.URL(), "http://")
	read := func(namespec any) (*datasource.ReadResponse, plainProcessesModel) {
		resp := plainDataSourceRead(t, &processesDataSource{}, p.URL(), map[string]any{"namespec": namespec})
		var m plainProcessesModel
		if !resp.State.Raw.IsNull() {
			resp.Diagnostics.Append(resp.State.Get(context.Background(), &m)...)
		}
		return resp, m
	}
	namespecs := func(m plainProcessesModel) []string {
		var out []string
		for _, pi := range m.Processes {
			out = append(out, pi.Namespec)
		}
		return out
	}

	// Every process, sorted, with Supvisors' attributes null and the cluster state null.
	resp, m := read(nil)
	if resp.Diagnostics.HasError() || !slices.Equal(namespecs(m), []string{"batch:job", "init", "web:cache", "web:server"}) ||
		!m.ClusterState.IsNull() {
		t.Fatalf("all: %v %v", resp.Diagnostics, namespecs(m))
	}
	for _, pi := range m.Processes {
		if !pi.LastEventMtime.IsNull() || !pi.ExtraArgs.IsNull() {
			t.Errorf("%s: last_event_mtime %v extra_args %v", pi.Namespec, pi.LastEventMtime, pi.ExtraArgs)
		}
		// expected_exit follows the program's exitcodes; identifiers hold the host while it runs.
		wantExpected, wantIDs := pi.Namespec != "batch:job", []string{}
		if pi.Namespec == "web:server" {
			wantIDs = []string{host}
		}
		if pi.ExpectedExit != wantExpected || !slices.Equal(pi.Identifiers, wantIDs) {
			t.Errorf("%s: expected_exit %v identifiers %v", pi.Namespec, pi.ExpectedExit, pi.Identifiers)
		}
	}
	// One group, one process.
	if resp, m = read("web:*"); resp.Diagnostics.HasError() || !slices.Equal(namespecs(m), []string{"web:cache", "web:server"}) ||
		m.Namespec.ValueString() != "web:*" {
		t.Fatalf("web:*: %v %v", resp.Diagnostics, namespecs(m))
	}
	if resp, m = read("web:server"); resp.Diagnostics.HasError() || !slices.Equal(namespecs(m), []string{"web:server"}) ||
		m.Processes[0].Statename != "RUNNING" {
		t.Fatalf("web:server: %v %v", resp.Diagnostics, m.Processes)
	}
	// A namespec that matches nothing: the error lists every process.
	for _, ns := range []string{"web:nope", "nope:*"} {
		resp, _ = read(ns)
		if !plainErr(resp.Diagnostics, "Unknown namespec", "no process matching \""+ns+"\"", "batch:job, init, web:cache, web:server") {
			t.Fatalf("%s: %v", ns, resp.Diagnostics)
		}
	}
	// The read fails.
	p.Fail("supervisor.getAllConfigInfo", supvisorstest.FaultFailed, "FAILED: boom")
	resp = plainDataSourceRead(t, &processesDataSource{}, p.URL(), nil)
	if !plainErr(resp.Diagnostics, "Could not read the Supervisor processes", "boom") {
		t.Fatalf("failure: %v", resp.Diagnostics)
	}
}
