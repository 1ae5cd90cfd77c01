package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func TestApplicationRulesDataSourceRead(t *testing.T) {
	cl, c := dsFake(t)
	cl.Handle("supvisors.get_application_rules", supvisorstest.Value(map[string]any{
		"application_name": "web", "managed": true, "distribution": "SINGLE_INSTANCE", "identifiers": []any{"node1", "node2"},
		"start_sequence": 3, "stop_sequence": 4, "starting_strategy": "LESS_LOADED", "starting_failure_strategy": "STOP",
		"running_failure_strategy": "RESTART_PROCESS", "status_formula": "web_0",
	}))
	var m applicationRulesDataSourceModel
	testDataSourceState(t, NewApplicationRulesDataSource(), c, map[string]any{"name": "web"}, &m)
	want := applicationRulesDataSourceModel{
		Name:                    types.StringValue("web"),
		Managed:                 types.BoolValue(true),
		Distribution:            types.StringValue("SINGLE_INSTANCE"),
		Identifiers:             types.ListValueMust(types.StringType, []attr.Value{types.StringValue("node1"), types.StringValue("node2")}),
		StartSequence:           types.Int64Value(3),
		StopSequence:            types.Int64Value(4),
		StartingStrategy:        types.StringValue("LESS_LOADED"),
		StartingFailureStrategy: types.StringValue("STOP"),
		RunningFailureStrategy:  types.StringValue("RESTART_PROCESS"),
		StatusFormula:           types.StringValue("web_0"),
	}
	wantModel(t, "rules", m, want)
}

// The rules as a release before 0.18 answers them: no status_formula (null), no identifiers ([]).
func TestApplicationRulesDataSourceOlderRelease(t *testing.T) {
	_, c := dsFake(t)
	var m applicationRulesDataSourceModel
	testDataSourceState(t, NewApplicationRulesDataSource(), c, map[string]any{"name": "web"}, &m)
	if !m.Managed.ValueBool() || !m.StatusFormula.IsNull() || m.StartingFailureStrategy.ValueString() != "ABORT" ||
		m.StartingStrategy.ValueString() != "" || m.Identifiers.IsNull() || len(m.Identifiers.Elements()) != 0 {
		t.Errorf("rules: %+v", m)
	}
}

func TestApplicationRulesDataSourceUnmanaged(t *testing.T) {
	_, c := dsFake(t)
	var m applicationRulesDataSourceModel
	testDataSourceState(t, NewApplicationRulesDataSource(), c, map[string]any{"name": "tools"}, &m)
	if m.Name.ValueString() != "tools" || m.Managed.ValueBool() || m.Managed.IsNull() {
		t.Errorf("unmanaged: %+v", m)
	}
	for name, v := range map[string]interface{ IsNull() bool }{
		"distribution": m.Distribution, "identifiers": m.Identifiers, "start_sequence": m.StartSequence,
		"stop_sequence": m.StopSequence, "starting_strategy": m.StartingStrategy,
		"starting_failure_strategy": m.StartingFailureStrategy, "running_failure_strategy": m.RunningFailureStrategy,
		"status_formula": m.StatusFormula,
	} {
		if !v.IsNull() {
			t.Errorf("%s of an unmanaged application: %v, want null", name, v)
		}
	}
}

func TestApplicationRulesDataSourceErrors(t *testing.T) {
	cl, c := dsFake(t)
	d := testDataSourceError(t, NewApplicationRulesDataSource(), c, map[string]any{"name": "nope"})
	wantAttrDiag(t, d, "name", "Unknown Supvisors application", `Supvisors knows no application named "nope".`,
		"Known applications: batch, tools, web.")

	cl.Fail("supvisors.get_application_rules", supvisorstest.FaultFailed, "FAILED: rules")
	d = testDataSourceError(t, NewApplicationRulesDataSource(), c, map[string]any{"name": "web"})
	wantDiag(t, d, `Could not read the rules of Supvisors application "web"`, "FAILED: rules")
}
