package provider

import (
	"slices"
	"testing"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// methodsWithout is the method list of Supvisors 0.19 without names: what an older release lists.
func methodsWithout(names ...string) []string {
	return slices.DeleteFunc(supvisors.WrappedMethods(), func(m string) bool { return slices.Contains(names, m) })
}

func TestStrategiesDataSourceRead(t *testing.T) {
	cl, c := dsFake(t)
	dsStrategies(cl)
	var m strategiesDataSourceModel
	testDataSourceState(t, NewStrategiesDataSource(), c, nil, &m)
	if m.AutoFencing || m.Starting != "CONFIG" || m.Conciliation != "USER" || m.SupvisorsFailure.ValueString() != "CONTINUE" ||
		!m.HostStats.ValueBool() || m.ProcessStats.ValueBool() || m.ProcessStats.IsNull() || m.CollectingPeriod.ValueFloat64() != 5.0 {
		t.Errorf("strategies: %+v", m)
	}
	if cl.Count("supvisors.get_strategies") != 1 || cl.Count("supvisors.get_statistics_status") != 1 {
		t.Errorf("calls: %v", cl.Calls())
	}
}

// Before Supvisors 0.19 get_strategies has no supvisors_failure, and before 0.18 there is no
// get_statistics_status: those attributes are null, and the missing method is not called.
func TestStrategiesDataSourceOlderRelease(t *testing.T) {
	cl := supvisorstest.NewCluster(t, methodsWithout("supvisors.get_statistics_status"))
	cl.Handle("supvisors.get_strategies", supvisorstest.Value(map[string]any{
		"auto-fencing": true, "starting": "LESS_LOADED", "conciliation": "SENICIDE"}))
	var m strategiesDataSourceModel
	testDataSourceState(t, NewStrategiesDataSource(), fakeClient(t, cl.URL(), nil), nil, &m)
	if !m.AutoFencing || m.Starting != "LESS_LOADED" || m.Conciliation != "SENICIDE" || !m.SupvisorsFailure.IsNull() ||
		!m.HostStats.IsNull() || !m.ProcessStats.IsNull() || !m.CollectingPeriod.IsNull() {
		t.Errorf("strategies: %+v", m)
	}
	if cl.Count("supvisors.get_statistics_status") != 0 {
		t.Errorf("get_statistics_status sent to a release without it: %v", cl.Calls())
	}
}

func TestStrategiesDataSourceErrors(t *testing.T) {
	cl, c := dsFake(t)
	dsStrategies(cl)
	cl.Fail("supvisors.get_statistics_status", supvisorstest.FaultFailed, "FAILED: statistics")
	d := testDataSourceError(t, NewStrategiesDataSource(), c, nil)
	wantDiag(t, d, "Could not read the Supvisors statistics status", "FAILED: statistics")

	cl.Handle("supvisors.get_strategies", supvisorstest.FaultHandler(supvisorstest.FaultFailed, "FAILED: strategies"))
	d = testDataSourceError(t, NewStrategiesDataSource(), c, nil)
	wantDiag(t, d, "Could not read the Supvisors strategies", "FAILED: strategies")
}
