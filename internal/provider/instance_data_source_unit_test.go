package provider

import (
	"slices"
	"testing"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// By nickname: the instance is resolved to host:port, which get_network_info gets (the fake answers a nickname
// with an HTTP 500, as Supvisors 0.19 does).
func TestInstanceDataSourceRead(t *testing.T) {
	cl, c := dsFake(t)
	var m instanceDataSourceModel
	testDataSourceState(t, NewInstanceDataSource(), c, map[string]any{"identifier": "node2"}, &m)
	if m.Identifier.ValueString() != "node2" || m.Instance == nil || m.Network == nil {
		t.Fatalf("instance: %+v", m)
	}
	wantInstance(t, *m.Instance, 1, "127.0.0.1:61002")
	want := networkInfoModel{
		HostID: "127.0.0.1", HTTPPort: 61002, Stereotypes: []string{"lab"}, MachineID: "02:42:ac:11:00:02",
		FQDN: "localhost.localdomain",
		Addresses: map[string]nicAddressModel{"lo": {
			HostName: "localhost", Aliases: []string{}, IPv4Addresses: []string{"127.0.0.1"},
			NICInfo: &nicInfoModel{NICName: "lo", IPv4Address: "127.0.0.1", Netmask: "255.0.0.0"},
		}},
	}
	wantModel(t, "network", *m.Network, want)
	if cl.Count("supvisors.get_instance_info") != 1 || cl.Count("supvisors.get_instance_state_modes") != 1 ||
		cl.Count("supvisors.get_network_info") != 1 {
		t.Errorf("calls: %v", cl.Calls())
	}
}

// Before Supvisors 0.19 neither get_instance_state_modes nor get_network_info exist: state_modes and network are
// null and nothing is sent for them.
func TestInstanceDataSourceOlderRelease(t *testing.T) {
	cl := supvisorstest.NewCluster(t, methodsWithout("supvisors.get_instance_state_modes", "supvisors.get_network_info"))
	var m instanceDataSourceModel
	testDataSourceState(t, NewInstanceDataSource(), fakeClient(t, cl.URL(), nil), map[string]any{"identifier": "127.0.0.1:61001"}, &m)
	if m.Instance == nil || m.Instance.Identifier != "127.0.0.1:61001" || m.Instance.StateModes != nil || m.Network != nil {
		t.Errorf("instance: %+v", m)
	}
	if cl.Count("supvisors.get_instance_state_modes")+cl.Count("supvisors.get_network_info") != 0 {
		t.Errorf("calls: %v", cl.Calls())
	}
}

// An instance that is down reports no state and modes: state_modes is null.
func TestInstanceDataSourceInstanceDown(t *testing.T) {
	cl := dsClusterInstanceDown(t, "STOPPED")
	var m instanceDataSourceModel
	testDataSourceState(t, NewInstanceDataSource(), fakeClient(t, cl.URL(), nil), map[string]any{"identifier": "node2"}, &m)
	if m.Instance == nil || m.Instance.Statename != "STOPPED" || m.Instance.StateModes != nil || m.Network == nil {
		t.Errorf("instance down: %+v", m)
	}
}

func TestInstanceDataSourceUnknown(t *testing.T) {
	_, c := dsFake(t)
	d := testDataSourceError(t, NewInstanceDataSource(), c, map[string]any{"identifier": "node9"})
	wantAttrDiag(t, d, "identifier", "Unknown Supvisors instance",
		`No Supvisors instance is named "node9": give its identifier (host:port) or its nickname.`,
		"Known instances: 127.0.0.1:61001 (node1), 127.0.0.1:61002 (node2).")
}

// A stereotype names several instances: the error lists them.
func TestInstanceDataSourceStereotype(t *testing.T) {
	cl, c := dsFake(t)
	cl.Handle("supvisors.get_instance_info", supvisorstest.Value([]any{
		map[string]any{"identifier": "127.0.0.1:61002", "nick_identifier": "node2"},
		map[string]any{"identifier": "127.0.0.1:61001", "nick_identifier": "node1"},
	}))
	d := testDataSourceError(t, NewInstanceDataSource(), c, map[string]any{"identifier": "lab"})
	wantAttrDiag(t, d, "identifier", "Identifier matches several instances",
		`"lab" names 2 instances ([127.0.0.1:61001 127.0.0.1:61002]); it is probably a stereotype.`,
		"the supvisors_instances data source")
	if cl.Count("supvisors.get_instance_state_modes")+cl.Count("supvisors.get_network_info") != 0 {
		t.Errorf("calls after the error: %v", cl.Calls())
	}
}

func TestInstanceDataSourceErrors(t *testing.T) {
	cl, c := dsFake(t)
	read := func() string {
		t.Helper()
		return testDataSourceError(t, NewInstanceDataSource(), c, map[string]any{"identifier": "node1"}).Summary()
	}
	var got []string
	cl.Fail("supvisors.get_network_info", supvisorstest.FaultFailed, "FAILED: network")
	got = append(got, read())
	cl.Fail("supvisors.get_instance_state_modes", supvisorstest.FaultFailed, "FAILED: modes")
	got = append(got, read())
	cl.Fail("supvisors.get_instance_info", supvisorstest.FaultFailed, "FAILED: info")
	d := testDataSourceError(t, NewInstanceDataSource(), c, map[string]any{"identifier": "node1"})
	wantDiag(t, d, `Could not read Supvisors instance "node1"`, "FAILED: info")
	want := []string{
		`Could not read the network information of Supvisors instance "node1"`,
		`Could not read the state and modes of Supvisors instance "node1"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("summaries:\n got %q\nwant %q", got, want)
	}
}
