package provider

// Unit tests of the list resources on the scripted cluster of supvisorstest: filters, identities, resources and
// errors of List. The acceptance tests are the proof against a real cluster.

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/list"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

const (
	listN1 = "127.0.0.1:61001"
	listN2 = "127.0.0.1:61002"
)

// listFakeApps: web runs on n1, batch is stopped, worker has a homogeneous program split over both instances,
// tools is an unmanaged group with one running process.
func listFakeApps() []*supvisorstest.App {
	return []*supvisorstest.App{
		{Name: "web", Managed: true, State: "RUNNING", Processes: []*supvisorstest.Process{
			{Name: "web_cache", State: "RUNNING", Identifiers: []string{listN1}},
			{Name: "web_server", State: "RUNNING", Identifiers: []string{listN1}}}},
		{Name: "batch", Managed: true, State: "STOPPED", Processes: []*supvisorstest.Process{{Name: "job", State: "STOPPED"}}},
		{Name: "worker", Managed: true, State: "RUNNING", Processes: []*supvisorstest.Process{
			{Name: "worker_0", State: "RUNNING", Identifiers: []string{listN1}},
			{Name: "worker_1", State: "RUNNING", Identifiers: []string{listN2}}}},
		{Name: "tools", State: "RUNNING", Processes: []*supvisorstest.Process{{Name: "shell", State: "RUNNING", Identifiers: []string{listN2}}}},
	}
}

// listResult is one result of testList, as text.
type testListed struct {
	display  string
	identity tftypes.Value
	resource tftypes.Value
	diags    string
}

// testList runs List of lr (for the managed resource res) with the filters of vals.
func testList(t *testing.T, lr list.ListResource, res fwresource.ResourceWithIdentity, vals map[string]any, limit int64, include bool) []testListed {
	t.Helper()
	return testListRun(t, lr, res, vals, limit, include, 0)
}

// testListTake reads the first take results of an unfiltered List, then stops reading, as Terraform does.
func testListTake(t *testing.T, lr list.ListResource, res fwresource.ResourceWithIdentity, take int) []testListed {
	t.Helper()
	return testListRun(t, lr, res, nil, 0, false, take)
}

func testListRun(t *testing.T, lr list.ListResource, res fwresource.ResourceWithIdentity, vals map[string]any, limit int64, include bool, take int) []testListed {
	t.Helper()
	ctx := context.Background()
	var sresp list.ListResourceSchemaResponse
	lr.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &sresp)
	var rs fwresource.SchemaResponse
	res.Schema(ctx, fwresource.SchemaRequest{}, &rs)
	var is fwresource.IdentitySchemaResponse
	res.IdentitySchema(ctx, fwresource.IdentitySchemaRequest{}, &is)
	req := list.ListRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: testObjectValue(sresp.Schema.Type().TerraformType(ctx).(tftypes.Object), vals)}, Limit: limit,
		IncludeResource: include, ResourceSchema: rs.Schema, ResourceIdentitySchema: is.IdentitySchema}
	stream := &list.ListResultsStream{}
	lr.List(ctx, req, stream)
	var out []testListed
	for r := range stream.Results {
		l := testListed{display: r.DisplayName, diags: diagsText(r.Diagnostics)}
		if r.Identity != nil {
			l.identity = r.Identity.Raw
		}
		if r.Resource != nil {
			l.resource = r.Resource.Raw
		}
		out = append(out, l)
		if len(out) == take {
			break
		}
	}
	return out
}

func listDisplays(results []testListed) []string {
	out := make([]string, len(results))
	for i, r := range results {
		out[i] = r.display
		if r.diags != "" {
			out[i] += " !" + r.diags
		}
	}
	return out
}

// testAttr reads attribute name of an object value as a string ("" when null or not a string).
func testAttr(t *testing.T, v tftypes.Value, name string) string {
	t.Helper()
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		t.Fatalf("%v: %v", v, err)
	}
	var s *string
	if err := m[name].As(&s); err != nil || s == nil {
		return ""
	}
	return *s
}

func TestListFilterErrorsOnFake(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), listFakeApps()...)
	lr := &applicationListResource{listBase{resourceBase: resourceBase{data: &providerData{client: fakeClient(t, cl.URL(), nil)}}}}
	res := &applicationResource{}
	cl.Handle("supvisors.get_all_instances_info", supvisorstest.Value([]any{
		map[string]any{"identifier": listN1, "nick_identifier": "node1"},
		map[string]any{"identifier": listN2, "nick_identifier": "node2"},
	}))
	// A nickname is resolved to its identifier.
	if got := listDisplays(testList(t, lr, res, map[string]any{"instance": "node2"}, 0, false)); len(got) != 1 || !strings.HasPrefix(got[0], "worker ") {
		t.Errorf("instance node2: %q", got)
	}
	// An unknown instance lists the known ones.
	got := listDisplays(testList(t, lr, res, map[string]any{"instance": "node9"}, 0, false))
	if len(got) != 1 || !strings.Contains(got[0], "Unknown Supvisors instance") || !strings.Contains(got[0], `"127.0.0.1:61001" (node1)`) {
		t.Errorf("unknown instance: %q", got)
	}
	got = listDisplays(testList(t, lr, res, map[string]any{"name_regex": "web(["}, 0, false))
	if len(got) != 1 || !strings.Contains(got[0], "Invalid regular expression") {
		t.Errorf("bad regex: %q", got)
	}
	cl.Handle("supvisors.get_all_instances_info", supvisorstest.FaultHandler(supvisorstest.FaultFailed, "FAILED"))
	lr.data = &providerData{client: fakeClient(t, cl.URL(), nil)} // nothing read yet
	got = listDisplays(testList(t, lr, res, map[string]any{"instance": "node9"}, 0, false))
	if len(got) != 1 || !strings.Contains(got[0], `Could not resolve instance "node9"`) {
		t.Errorf("instances fail: %q", got)
	}
	cl.Fail("supvisors.get_all_applications_info", supvisorstest.FaultFailed, "FAILED")
	lr.data.client.InvalidateSnapshot()
	got = listDisplays(testList(t, lr, res, nil, 0, false))
	if len(got) != 1 || !strings.Contains(got[0], "Could not list the Supvisors applications") {
		t.Errorf("snapshot fails: %q", got)
	}
	lr.data = nil
	got = listDisplays(testList(t, lr, res, nil, 0, false))
	if len(got) != 1 || !strings.Contains(got[0], "Provider not configured") {
		t.Errorf("not configured: %q", got)
	}
}

func TestListMetadata(t *testing.T) {
	for want, lr := range map[string]list.ListResource{
		"supvisors_application": NewApplicationListResource(), "supvisors_process_group": NewProcessGroupListResource(),
	} {
		var md fwresource.MetadataResponse
		lr.Metadata(context.Background(), fwresource.MetadataRequest{ProviderTypeName: "supvisors"}, &md)
		if md.TypeName != want {
			t.Errorf("type name %q, want %q", md.TypeName, want)
		}
	}
}
