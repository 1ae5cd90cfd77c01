package provider

import (
	"slices"
	"testing"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func TestProcessesDataSourceRead(t *testing.T) {
	cl, c := dsFake(t)
	dsClusterState(cl, "DISTRIBUTION")
	var m processesDataSourceModel
	testDataSourceState(t, NewProcessesDataSource(), c, nil, &m)
	var names []string
	for _, p := range m.Processes {
		names = append(names, p.Namespec)
	}
	if !m.Namespec.IsNull() || m.ClusterState != "DISTRIBUTION" || !slices.Equal(names, []string{"batch:job", "web:web_0"}) {
		t.Errorf("every process: %+v", m)
	}
	if cl.Count("supvisors.get_process_info") != 0 {
		t.Errorf("every process is in the snapshot: %v", cl.Calls())
	}

	m = processesDataSourceModel{}
	testDataSourceState(t, NewProcessesDataSource(), c, map[string]any{"namespec": "web:*"}, &m)
	if m.Namespec.ValueString() != "web:*" || m.ClusterState != "DISTRIBUTION" || len(m.Processes) != 1 ||
		m.Processes[0].Namespec != "web:web_0" || m.Processes[0].Statename != "RUNNING" {
		t.Errorf("web:*: %+v", m)
	}
	if cl.Count("supvisors.get_process_info") != 1 {
		t.Errorf("calls: %v", cl.Calls())
	}
}

func TestProcessesDataSourceErrors(t *testing.T) {
	cl, c := dsFake(t)
	d := testDataSourceError(t, NewProcessesDataSource(), c, map[string]any{"namespec": "web:zzz"})
	wantAttrDiag(t, d, "namespec", "Unknown namespec", `Application "web" has no process matching "web:zzz".`)

	cl.Fail("supvisors.get_process_info", supvisorstest.FaultFailed, "FAILED: process info")
	d = testDataSourceError(t, NewProcessesDataSource(), c, map[string]any{"namespec": "web:*"})
	wantDiag(t, d, `Could not read the Supvisors processes "web:*"`, "FAILED: process info")

	c.InvalidateSnapshot()
	cl.Fail("supvisors.get_all_process_info", supvisorstest.FaultFailed, "FAILED: snapshot")
	d = testDataSourceError(t, NewProcessesDataSource(), c, nil)
	wantDiag(t, d, "Could not read the Supvisors processes", "FAILED: snapshot")
}
