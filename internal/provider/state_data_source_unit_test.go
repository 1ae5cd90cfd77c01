package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func TestStateDataSourceRead(t *testing.T) {
	cl, c := dsFake(t)
	cl.SetJobs(true) // every application has starting jobs: the list comes sorted
	var m stateDataSourceModel
	testDataSourceState(t, NewStateDataSource(), c, nil, &m)
	want := stateDataSourceModel{
		Identifier:               types.StringValue("127.0.0.1:61001"),
		NickIdentifier:           types.StringValue("node1"),
		FSMStatecode:             types.Int64Value(4),
		FSMStatename:             types.StringValue("OPERATION"),
		DegradedMode:             types.BoolValue(false),
		DiscoveryMode:            types.BoolValue(false),
		MasterIdentifier:         types.StringValue("127.0.0.1:61001"),
		MasterNickIdentifier:     types.StringValue("node1"),
		StartingJobs:             []string{"batch", "tools", "web"},
		StoppingJobs:             []string{},
		InstanceStates:           map[string]string{"127.0.0.1:61001": "RUNNING", "127.0.0.1:61002": "RUNNING"},
		APIVersion:               types.StringValue("0.19.1"),
		SupervisorVersion:        types.StringValue(supvisorstest.ReaderSupervisorVersion),
		SupervisorIdentification: types.StringValue(supvisorstest.ReaderIdentification),
		SupervisorStatecode:      types.Int64Value(1),
		SupervisorStatename:      types.StringValue("RUNNING"),
	}
	wantModel(t, "state", m, want)
	for _, method := range []string{"supvisors.get_supvisors_state", "supvisors.get_master_identifier",
		"supervisor.getSupervisorVersion", "supervisor.getIdentification", "supervisor.getState"} {
		if cl.Count(method) != 1 {
			t.Errorf("%s called %d times: %v", method, cl.Count(method), cl.Calls())
		}
	}
}

// What an older release does not report is null: identifier and degraded_mode before 0.19, discovery_mode
// before 0.18, the jobs before 0.13; a cluster before its election has no Master.
func TestStateDataSourceOlderRelease(t *testing.T) {
	cl, c := dsFake(t)
	cl.Handle("supvisors.get_supvisors_state", supvisorstest.Value(map[string]any{
		"fsm_statecode": 1, "fsm_statename": "SYNCHRONIZATION", "master_identifier": "",
		"instance_states": map[string]any{"node1": "CHECKING"},
	}))
	cl.Handle("supvisors.get_master_identifier", supvisorstest.Value(map[string]any{"identifier": "", "nick_identifier": ""}))
	var m stateDataSourceModel
	testDataSourceState(t, NewStateDataSource(), c, nil, &m)
	for name, v := range map[string]interface{ IsNull() bool }{
		"identifier": m.Identifier, "nick_identifier": m.NickIdentifier, "degraded_mode": m.DegradedMode,
		"discovery_mode": m.DiscoveryMode, "master_identifier": m.MasterIdentifier,
		"master_nick_identifier": m.MasterNickIdentifier,
	} {
		if !v.IsNull() {
			t.Errorf("%s: %v, want null", name, v)
		}
	}
	if m.StartingJobs != nil || m.StoppingJobs != nil || m.FSMStatename.ValueString() != "SYNCHRONIZATION" ||
		m.InstanceStates["node1"] != "CHECKING" {
		t.Errorf("state: %+v", m)
	}
}

// The first of the six concurrent reads to fail is named in the summary.
func TestStateDataSourceErrors(t *testing.T) {
	cl, c := dsFake(t)
	var m stateDataSourceModel
	testDataSourceState(t, NewStateDataSource(), c, nil, &m) // detects the release before get_api_version fails
	for method, summary := range map[string]string{
		"supvisors.get_supvisors_state":   "Could not read the Supvisors state",
		"supvisors.get_master_identifier": "Could not read the Supvisors Master identifier",
		"supervisor.getSupervisorVersion": "Could not read the Supervisor version",
		"supervisor.getIdentification":    "Could not read the Supervisor identification",
		"supervisor.getState":             "Could not read the Supervisor state",
	} {
		cl.Fail(method, supvisorstest.FaultFailed, "FAILED: "+method)
		d := testDataSourceError(t, NewStateDataSource(), c, nil)
		wantDiag(t, d, summary, "FAILED: "+method)
		cl.Fail(method, 0, "")
	}
	cl.Handle("supvisors.get_api_version", supvisorstest.FaultHandler(supvisorstest.FaultFailed, "FAILED: version"))
	d := testDataSourceError(t, NewStateDataSource(), c, nil)
	wantDiag(t, d, "Could not read the Supvisors API version", "FAILED: version")
}
