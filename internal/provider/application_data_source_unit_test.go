package provider

import (
	"testing"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func TestApplicationDataSourceRead(t *testing.T) {
	cl, c := dsFake(t)
	var m applicationDataSourceModel
	testDataSourceState(t, NewApplicationDataSource(), c, map[string]any{"name": "web"}, &m)
	if m.Name.ValueString() != "web" || !m.Managed || m.Statename != "RUNNING" || m.Statecode != 2 ||
		m.MajorFailure || m.MinorFailure || m.ClusterState != "OPERATION" {
		t.Errorf("application: %+v", m)
	}
	if len(m.Processes) != 1 {
		t.Fatalf("processes: %+v", m.Processes)
	}
	p := m.Processes[0]
	if p.Namespec != "web:web_0" || p.ApplicationName != "web" || p.ProcessName != "web_0" || p.Statename != "RUNNING" ||
		p.Statecode != 20 || !p.ExpectedExit || p.LastEventMtime.ValueFloat64() != 1.0 || p.ExtraArgs.ValueString() != "" ||
		len(p.Identifiers) != 1 || p.Identifiers[0] != "n1" {
		t.Errorf("process: %+v", p)
	}
	// Read from the snapshot alone: no call of its own.
	if n := cl.Count("supvisors.get_application_info") + cl.Count("supvisors.get_process_info"); n != 0 {
		t.Errorf("%d calls besides the snapshot: %v", n, cl.Calls())
	}

	// An unmanaged group without processes reads as such, processes [] (not null).
	m = applicationDataSourceModel{}
	testDataSourceState(t, NewApplicationDataSource(), c, map[string]any{"name": "tools"}, &m)
	if m.Managed || m.Statename != "STOPPED" || m.Processes == nil || len(m.Processes) != 0 {
		t.Errorf("unmanaged: %+v", m)
	}
}

func TestApplicationDataSourceClusterState(t *testing.T) {
	cl, c := dsFake(t)
	dsClusterState(cl, "DISTRIBUTION")
	var m applicationDataSourceModel
	testDataSourceState(t, NewApplicationDataSource(), c, map[string]any{"name": "batch"}, &m)
	if m.ClusterState != "DISTRIBUTION" || m.Statename != "STOPPED" || len(m.Processes) != 1 {
		t.Errorf("read in DISTRIBUTION: %+v", m)
	}
}

// An application missing from the snapshot is asked for to the server, which has the last word.
func TestApplicationDataSourceNotInSnapshot(t *testing.T) {
	cl, c := dsFake(t)
	cl.Handle("supvisors.get_all_applications_info", supvisorstest.Value([]any{}))
	cl.Handle("supvisors.get_all_process_info", supvisorstest.Value([]any{}))
	var m applicationDataSourceModel
	testDataSourceState(t, NewApplicationDataSource(), c, map[string]any{"name": "web"}, &m)
	if !m.Managed || m.Statename != "RUNNING" || len(m.Processes) != 1 || m.Processes[0].Namespec != "web:web_0" {
		t.Errorf("read from the server: %+v", m)
	}
	if cl.Count("supvisors.get_application_info") != 1 || cl.Count("supvisors.get_process_info") != 1 {
		t.Errorf("calls: %v", cl.Calls())
	}

	// Unknown to the server too: the error lists the applications known (none in the snapshot).
	d := testDataSourceError(t, NewApplicationDataSource(), c, map[string]any{"name": "nope"})
	wantAttrDiag(t, d, "name", "Unknown Supvisors application", `Supvisors knows no application named "nope".`,
		"The cluster knows no application.")

	// The processes cannot be read.
	cl.Fail("supvisors.get_process_info", supvisorstest.FaultFailed, "FAILED: process info")
	d = testDataSourceError(t, NewApplicationDataSource(), c, map[string]any{"name": "web"})
	wantDiag(t, d, `Could not read the processes of Supvisors application "web"`, "FAILED: process info")

	// Any other fault of get_application_info is the server's.
	cl.Fail("supvisors.get_application_info", supvisorstest.FaultFailed, "FAILED: application info")
	d = testDataSourceError(t, NewApplicationDataSource(), c, map[string]any{"name": "web"})
	wantDiag(t, d, `Could not read Supvisors application "web"`, "FAILED: application info")
}

func TestApplicationDataSourceErrors(t *testing.T) {
	cl, c := dsFake(t)
	d := testDataSourceError(t, NewApplicationDataSource(), c, map[string]any{"name": "nope"})
	wantAttrDiag(t, d, "name", "Unknown Supvisors application", `Supvisors knows no application named "nope".`,
		"Known applications: batch, tools, web.")

	c.InvalidateSnapshot()
	cl.Fail("supvisors.get_all_applications_info", supvisorstest.FaultFailed, "FAILED: snapshot")
	d = testDataSourceError(t, NewApplicationDataSource(), c, map[string]any{"name": "web"})
	wantDiag(t, d, `Could not read Supvisors application "web"`, "FAILED: snapshot")
}
