package provider

// Unit tests of supvisors_state on the scripted plain supervisord of supvisorstest (state_data_source_plain.go).

import (
	"context"
	"strings"
	"testing"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func TestPlainStateDataSource(t *testing.T) {
	p := supvisorstest.NewPlain(t, "4.2.5")
	p.SetState("RESTARTING")
	resp := plainDataSourceRead(t, &stateDataSource{}, p.URL(), nil)
	var m stateDataSourceModel
	resp.Diagnostics.Append(resp.State.Get(context.Background(), &m)...)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	// What Supervisor knows, in one multicall; every Supvisors attribute null.
	if m.Identifier.ValueString() != strings.TrimPrefix(p.URL(), "http://") || m.SupervisorVersion.ValueString() != "4.2.5" ||
		m.SupervisorIdentification.ValueString() != "supervisor" || m.SupervisorStatename.ValueString() != "RESTARTING" ||
		m.SupervisorStatecode.ValueInt64() != 0 {
		t.Fatalf("state: %+v", m)
	}
	if !m.APIVersion.IsNull() || !m.FSMStatename.IsNull() || !m.FSMStatecode.IsNull() || !m.NickIdentifier.IsNull() ||
		!m.MasterIdentifier.IsNull() || !m.DegradedMode.IsNull() || !m.DiscoveryMode.IsNull() || !m.MasterNickIdentifier.IsNull() {
		t.Fatalf("Supvisors attributes not null: %+v", m)
	}
	if n := p.Count("supervisor.getState"); n != 1 {
		t.Fatalf("getState called %d times", n)
	}
	// A fault of one of the calls fails the read.
	p.Fail("supervisor.getIdentification", supvisorstest.FaultFailed, "FAILED: boom")
	resp = plainDataSourceRead(t, &stateDataSource{}, p.URL(), nil)
	if !plainErr(resp.Diagnostics, "Could not read the Supervisor state", "boom") {
		t.Fatalf("failure: %v", resp.Diagnostics)
	}
}
