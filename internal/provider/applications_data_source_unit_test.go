package provider

import (
	"slices"
	"testing"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func TestApplicationsDataSourceRead(t *testing.T) {
	cl, c := dsFake(t)
	dsClusterState(cl, "CONCILIATION")
	var m applicationsDataSourceModel
	testDataSourceState(t, NewApplicationsDataSource(), c, nil, &m)
	if !slices.Equal(m.Names, []string{"batch", "tools", "web"}) || m.ClusterState != "CONCILIATION" {
		t.Errorf("applications: %+v", m)
	}
	app := func(name string, managed bool, code int64, state string) applicationModel {
		return applicationModel{ApplicationName: name,
			applicationStateModel: applicationStateModel{Managed: managed, Statecode: code, Statename: state}}
	}
	want := []applicationModel{app("batch", true, 0, "STOPPED"), app("tools", false, 0, "STOPPED"), app("web", true, 2, "RUNNING")}
	if !slices.Equal(m.Applications, want) {
		t.Errorf("applications:\n got %+v\nwant %+v", m.Applications, want)
	}
}

// No application at all reads as two empty lists, not nulls.
func TestApplicationsDataSourceEmpty(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods())
	var m applicationsDataSourceModel
	testDataSourceState(t, NewApplicationsDataSource(), fakeClient(t, cl.URL(), nil), nil, &m)
	if m.Names == nil || m.Applications == nil || len(m.Names)+len(m.Applications) != 0 {
		t.Errorf("no application: %+v", m)
	}
}

func TestApplicationsDataSourceErrors(t *testing.T) {
	cl, c := dsFake(t)
	cl.Fail("supvisors.get_all_applications_info", supvisorstest.FaultFailed, "FAILED: applications")
	d := testDataSourceError(t, NewApplicationsDataSource(), c, nil)
	wantDiag(t, d, "Could not read the Supvisors applications", "FAILED: applications")
}
