package provider

import (
	"slices"
	"strings"
	"testing"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func TestProcessGroupListOnFake(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), listFakeApps()...)
	lr := &processGroupListResource{listBase{resourceBase: resourceBase{data: &providerData{client: fakeClient(t, cl.URL(), nil)}}}}
	res := &processGroupResource{}

	all := testList(t, lr, res, nil, 0, true)
	want := []string{
		"batch:job (managed, stopped): nothing runs: job (STOPPED)",
		"tools:shell (unmanaged, running): shell on 127.0.0.1:61002",
		"web:web_cache (managed, running): web_cache on 127.0.0.1:61001",
		"web:web_server (managed, running): web_server on 127.0.0.1:61001",
		"worker:worker (managed, running): worker_0 on 127.0.0.1:61001; worker_1 on 127.0.0.1:61002",
	}
	if got := listDisplays(all); !slices.Equal(got, want) {
		t.Fatalf("every program:\n%q\nwant\n%q", got, want)
	}
	w := all[4]
	if testAttr(t, w.identity, "application") != "worker" || testAttr(t, w.identity, "program") != "worker" {
		t.Errorf("identity of worker:worker: %v", w.identity)
	}
	if testAttr(t, w.resource, "id") != "worker:worker" || testAttr(t, w.resource, "state") != "running" ||
		testAttr(t, w.resource, "strategy") != "" || testAttr(t, w.resource, "extra_args") != "" {
		t.Errorf("resource of worker:worker: %v", w.resource)
	}

	cases := []struct {
		vals map[string]any
		want []string
	}{
		{map[string]any{"managed": false}, []string{"tools:shell"}},
		{map[string]any{"managed": true, "state": "stopped"}, []string{"batch:job"}},
		{map[string]any{"name_regex": "^web:"}, []string{"web:web_cache", "web:web_server"}},
		{map[string]any{"instance": "127.0.0.1:61002"}, []string{"tools:shell", "worker:worker"}},
	}
	for _, tc := range cases {
		var ids []string
		for _, r := range testList(t, lr, res, tc.vals, 0, false) {
			ids = append(ids, testAttr(t, r.identity, "application")+":"+testAttr(t, r.identity, "program"))
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("%v: %v, want %v", tc.vals, ids, tc.want)
		}
	}
	if got := testListTake(t, lr, res, 2); len(got) != 2 {
		t.Errorf("stopped after two: %q", listDisplays(got))
	}

	// A worker process that does not run: each worker process is listed on its own.
	cl.Update("worker", func(a *supvisorstest.App) { a.Processes[1].State = "FATAL" })
	lr.data.client.InvalidateSnapshot()
	got := strings.Join(listDisplays(testList(t, lr, res, map[string]any{"name_regex": "^worker:"}, 0, false)), "\n")
	if got != "worker:worker_0 (managed, running): worker_0 on 127.0.0.1:61001\nworker:worker_1 (managed, stopped): nothing runs: worker_1 (FATAL)" {
		t.Errorf("split worker:\n%s", got)
	}
	cl.Fail("supvisors.get_all_process_info", supvisorstest.FaultFailed, "FAILED")
	lr.data.client.InvalidateSnapshot()
	if got := listDisplays(testList(t, lr, res, nil, 0, false)); len(got) != 1 || !strings.Contains(got[0], "Could not list the process groups") {
		t.Errorf("snapshot fails: %q", got)
	}
}
