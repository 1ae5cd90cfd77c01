package provider

import (
	"slices"
	"testing"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// conflictValue is one element of get_conflicts as Supvisors 0.19 answers it.
func conflictValue(app, name string, ids ...any) map[string]any {
	return map[string]any{
		"application_name": app, "process_name": name, "now_monotonic": 3.0, "statecode": 20, "statename": "RUNNING",
		"expected_exit": true, "last_event_mtime": 7.5, "identifiers": ids, "extra_args": "-x",
	}
}

func TestConflictsDataSourceRead(t *testing.T) {
	cl, c := dsFake(t)
	cl.Handle("supvisors.get_conflicts", supvisorstest.Value([]any{
		conflictValue("web", "web_1", "n2", "n1"),
		conflictValue("batch", "job", "n3", "n1"),
	}))
	var m conflictsDataSourceModel
	testDataSourceState(t, NewConflictsDataSource(), c, nil, &m)
	if !slices.Equal(m.Namespecs, []string{"batch:job", "web:web_1"}) || len(m.Conflicts) != 2 {
		t.Fatalf("conflicts: %+v", m)
	}
	p := m.Conflicts[1]
	if p.Namespec != "web:web_1" || p.Statename != "RUNNING" || !slices.Equal(p.Identifiers, []string{"n1", "n2"}) ||
		p.LastEventMtime.ValueFloat64() != 7.5 || p.ExtraArgs.ValueString() != "-x" {
		t.Errorf("conflict (identifiers sorted): %+v", p)
	}
	if cl.Count("supvisors.get_conflicts") != 1 {
		t.Errorf("calls: %v", cl.Calls())
	}

	// No conflict: two empty lists.
	cl.Handle("supvisors.get_conflicts", supvisorstest.Value([]any{}))
	m = conflictsDataSourceModel{}
	testDataSourceState(t, NewConflictsDataSource(), c, nil, &m)
	if m.Namespecs == nil || m.Conflicts == nil || len(m.Namespecs)+len(m.Conflicts) != 0 {
		t.Errorf("no conflict: %+v", m)
	}
}

func TestConflictsDataSourceErrors(t *testing.T) {
	cl, c := dsFake(t)
	cl.Handle("supvisors.get_conflicts", supvisorstest.FaultHandler(supvisorstest.FaultFailed, "FAILED: conflicts"))
	d := testDataSourceError(t, NewConflictsDataSource(), c, nil)
	wantDiag(t, d, "Could not read the Supvisors conflicts", "FAILED: conflicts")
}
