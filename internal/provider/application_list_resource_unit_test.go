package provider

import (
	"slices"
	"testing"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func TestApplicationListOnFake(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), listFakeApps()...)
	lr := &applicationListResource{listBase{resourceBase: resourceBase{data: &providerData{client: fakeClient(t, cl.URL(), nil)}}}}
	res := &applicationResource{}

	all := testList(t, lr, res, nil, 0, true)
	want := []string{
		"batch (STOPPED): nothing runs: job (STOPPED)",
		"web (RUNNING): web_cache, web_server on 127.0.0.1:61001",
		"worker (RUNNING): worker_0 on 127.0.0.1:61001; worker_1 on 127.0.0.1:61002",
	}
	if got := listDisplays(all); !slices.Equal(got, want) {
		t.Fatalf("every managed application (tools is a group):\n%q\nwant\n%q", got, want)
	}
	if got := testAttr(t, all[1].identity, "name"); got != "web" {
		t.Errorf("identity of web: %q", got)
	}
	if testAttr(t, all[0].resource, "state") != "stopped" || testAttr(t, all[0].resource, "statename") != "STOPPED" ||
		testAttr(t, all[0].resource, "strategy") != "" || testAttr(t, all[0].resource, "id") != "batch" {
		t.Errorf("resource of batch: %v", all[0].resource)
	}
	if got := testList(t, lr, res, nil, 0, false); !got[0].resource.IsNull() {
		t.Errorf("without include_resource the resource is null: %v", got[0].resource)
	}

	cases := []struct {
		vals  map[string]any
		limit int64
		want  []string
	}{
		{map[string]any{"state": "running"}, 0, []string{"web", "worker"}},
		{map[string]any{"state": "stopped"}, 0, []string{"batch"}},
		{map[string]any{"name_regex": "^w"}, 0, []string{"web", "worker"}},
		{map[string]any{"instance": "127.0.0.1:61002"}, 0, []string{"worker"}},
		{nil, 2, []string{"batch", "web"}},
	}
	for _, tc := range cases {
		var names []string
		for _, r := range testList(t, lr, res, tc.vals, tc.limit, false) {
			names = append(names, testAttr(t, r.identity, "name"))
		}
		if !slices.Equal(names, tc.want) {
			t.Errorf("%v limit %d: %v, want %v", tc.vals, tc.limit, names, tc.want)
		}
	}
	// Terraform stops reading after one: List stops.
	if got := testListTake(t, lr, res, 1); len(got) != 1 {
		t.Errorf("stopped after one: %q", listDisplays(got))
	}
}
