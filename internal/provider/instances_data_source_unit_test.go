package provider

import (
	"maps"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// wantInstance checks the instance model of the fake cluster's instance id, the i-th (see supvisorstest's
// readers.go for the values it answers).
func wantInstance(t *testing.T, got instanceModel, i int, id string) {
	t.Helper()
	want := instanceModel{
		Identifier: id, NickIdentifier: []string{"node1", "node2"}[i], NodeName: types.StringValue("127.0.0.1"),
		Port: types.Int64Value(61001 + int64(i)), Statecode: 3, Statename: "RUNNING", Loading: 10 * int64(i),
		ProcessFailure: types.BoolValue(false), RemoteSequenceCounter: 100 + int64(i),
		RemoteMtime: types.Float64Value(1000.5), RemoteTime: 1700000000, LocalSequenceCounter: types.Int64Value(200 + int64(i)),
		LocalMtime: types.Float64Value(2000.5), LocalTime: 1700000001,
	}
	modes := got.StateModes
	got.StateModes = nil
	wantModel(t, "instance "+id, got, want)
	if modes == nil {
		t.Fatalf("instance %s: no state_modes", id)
	}
	if modes.FSMStatename != "OPERATION" || modes.FSMStatecode != 4 || modes.MasterIdentifier == nil ||
		*modes.MasterIdentifier != "127.0.0.1:61001" || modes.DegradedMode || modes.StartingJobs || modes.StoppingJobs ||
		!maps.Equal(modes.InstanceStates, map[string]string{"127.0.0.1:61001": "RUNNING", "127.0.0.1:61002": "RUNNING"}) {
		t.Errorf("state_modes of %s: %+v", id, *modes)
	}
}

func TestInstancesDataSourceRead(t *testing.T) {
	cl, c := dsFake(t)
	var m instancesDataSourceModel
	testDataSourceState(t, NewInstancesDataSource(), c, nil, &m)
	if !slices.Equal(m.Identifiers, []string{"127.0.0.1:61001", "127.0.0.1:61002"}) || len(m.Instances) != 2 {
		t.Fatalf("instances: %+v", m)
	}
	for i, id := range m.Identifiers {
		wantInstance(t, m.Instances[i], i, id)
	}
	if cl.Count("supvisors.get_all_instances_info") != 1 || cl.Count("supvisors.get_all_instances_state_modes") != 1 {
		t.Errorf("calls: %v", cl.Calls())
	}
}

// dsClusterInstanceDown starts a fake cluster of two instances, 10.0.0.1:9001 (node1) and 10.0.0.2:9001
// (node2), the second in state down.
func dsClusterInstanceDown(t *testing.T, down string) *supvisorstest.Cluster {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods())
	cl.AddInstance(t, "10.0.0.2:9001", supvisors.WrappedMethods())
	cl.AddInstance(t, "10.0.0.1:9001", supvisors.WrappedMethods())
	cl.SetDown("10.0.0.2:9001", down)
	return cl
}

// An instance that is down has no state and modes; the others keep theirs.
func TestInstancesDataSourceInstanceDown(t *testing.T) {
	cl := dsClusterInstanceDown(t, "FAILED")
	var m instancesDataSourceModel
	testDataSourceState(t, NewInstancesDataSource(), fakeClient(t, cl.URL(), nil), nil, &m)
	if !slices.Equal(m.Identifiers, []string{"10.0.0.1:9001", "10.0.0.2:9001"}) {
		t.Fatalf("instances: %+v", m)
	}
	up, down := m.Instances[0], m.Instances[1]
	if up.Statename != "RUNNING" || up.StateModes == nil || up.StateModes.InstanceStates["10.0.0.2:9001"] != "FAILED" {
		t.Errorf("instance up: %+v %+v", up, up.StateModes)
	}
	if down.Statename != "FAILED" || down.Statecode != 4 || down.StateModes != nil || down.NickIdentifier != "node2" {
		t.Errorf("instance down: %+v", down)
	}
}

// What a release does not report is null: state_modes before 0.19 (the method is not sent), node_name on 0.11,
// port before 0.12, process_failure and the local counters before 0.18.
func TestInstancesDataSourceOlderRelease(t *testing.T) {
	cl := supvisorstest.NewCluster(t, methodsWithout("supvisors.get_all_instances_state_modes"))
	cl.Handle("supvisors.get_all_instances_info", supvisorstest.Value([]any{map[string]any{
		"identifier": "node1", "nick_identifier": "node1", "statecode": 3, "statename": "RUNNING", "loading": 0,
		"remote_sequence_counter": 7, "remote_time": 1700000000, "local_time": 1700000001,
	}}))
	var m instancesDataSourceModel
	testDataSourceState(t, NewInstancesDataSource(), fakeClient(t, cl.URL(), nil), nil, &m)
	if len(m.Instances) != 1 {
		t.Fatalf("instances: %+v", m)
	}
	im := m.Instances[0]
	if im.RemoteSequenceCounter != 7 || im.StateModes != nil || !im.NodeName.IsNull() || !im.Port.IsNull() ||
		!im.ProcessFailure.IsNull() || !im.RemoteMtime.IsNull() || !im.LocalSequenceCounter.IsNull() || !im.LocalMtime.IsNull() {
		t.Errorf("older instance: %+v", im)
	}
	if cl.Count("supvisors.get_all_instances_state_modes") != 0 {
		t.Errorf("get_all_instances_state_modes sent to a release without it: %v", cl.Calls())
	}
}

func TestInstancesDataSourceErrors(t *testing.T) {
	cl, c := dsFake(t)
	cl.Fail("supvisors.get_all_instances_state_modes", supvisorstest.FaultFailed, "FAILED: modes")
	d := testDataSourceError(t, NewInstancesDataSource(), c, nil)
	wantDiag(t, d, "Could not read the state and modes of the Supvisors instances", "FAILED: modes")

	cl.Fail("supvisors.get_all_instances_info", supvisorstest.FaultFailed, "FAILED: instances")
	d = testDataSourceError(t, NewInstancesDataSource(), c, nil)
	wantDiag(t, d, "Could not read the Supvisors instances", "FAILED: instances")
}
