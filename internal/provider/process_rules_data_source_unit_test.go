package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func TestProcessRulesDataSourceRead(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), &supvisorstest.App{Name: "worker", Managed: true,
		Processes: []*supvisorstest.Process{{Name: "worker_1"}, {Name: "worker_0"}}})
	c := fakeClient(t, cl.URL(), nil)
	var m processRulesDataSourceModel
	testDataSourceState(t, NewProcessRulesDataSource(), c, map[string]any{"namespec": "worker:*"}, &m)
	if m.Namespec.ValueString() != "worker:*" || len(m.Rules) != 2 {
		t.Fatalf("rules: %+v", m)
	}
	want := processRulesModel{
		processNamesModel: processNamesModel{ApplicationName: "worker", ProcessName: "worker_0", Namespec: "worker:worker_0"},
		Identifiers:       []string{"*"},
		StartSequence:     1, StopSequence: 2, Required: true, ExpectedLoading: 5,
		StartingFailureStrategy: types.StringValue("ABORT"), RunningFailureStrategy: "CONTINUE",
	}
	wantModel(t, "rules[0] (sorted by namespec)", m.Rules[0], want)
	if m.Rules[1].Namespec != "worker:worker_1" {
		t.Errorf("rules[1]: %+v", m.Rules[1])
	}

	m = processRulesDataSourceModel{}
	testDataSourceState(t, NewProcessRulesDataSource(), c, map[string]any{"namespec": "worker:worker_1"}, &m)
	if len(m.Rules) != 1 || m.Rules[0].ProcessName != "worker_1" {
		t.Errorf("one process: %+v", m)
	}
}

// Before Supvisors 0.12 the rules have no starting_failure_strategy (null) and may have no identifiers ([]).
func TestProcessRulesDataSourceOlderRelease(t *testing.T) {
	cl, c := dsFake(t)
	cl.Handle("supvisors.get_process_rules", supvisorstest.Value([]any{map[string]any{
		"application_name": "web", "process_name": "web_0", "start_sequence": 0, "stop_sequence": 0,
		"required": false, "wait_exit": true, "expected_loading": 0, "running_failure_strategy": "CONTINUE",
	}}))
	var m processRulesDataSourceModel
	testDataSourceState(t, NewProcessRulesDataSource(), c, map[string]any{"namespec": "web:web_0"}, &m)
	if len(m.Rules) != 1 || !m.Rules[0].StartingFailureStrategy.IsNull() || !m.Rules[0].WaitExit ||
		m.Rules[0].Identifiers == nil || len(m.Rules[0].Identifiers) != 0 {
		t.Errorf("rules: %+v", m)
	}
}

func TestProcessRulesDataSourceUnknown(t *testing.T) {
	cl, c := dsFake(t)
	d := testDataSourceError(t, NewProcessRulesDataSource(), c, map[string]any{"namespec": "nope:*"})
	wantAttrDiag(t, d, "namespec", "Unknown namespec",
		`Supvisors knows no application named "nope" (in namespec "nope:*"). Known applications: batch, tools, web.`)

	d = testDataSourceError(t, NewProcessRulesDataSource(), c, map[string]any{"namespec": "web:zzz"})
	wantAttrDiag(t, d, "namespec", "Unknown namespec",
		`Application "web" has no process matching "web:zzz". Its processes: web:web_0 (or "web:*" for all of them).`)

	// The snapshot that would tell which part is unknown cannot be read: the namespec alone is named.
	c.InvalidateSnapshot()
	cl.Fail("supvisors.get_all_process_info", supvisorstest.FaultFailed, "FAILED: processes")
	d = testDataSourceError(t, NewProcessRulesDataSource(), c, map[string]any{"namespec": "web:zzz"})
	wantAttrDiag(t, d, "namespec", "Unknown namespec", `Supvisors knows no process "web:zzz".`)
}

func TestProcessRulesDataSourceErrors(t *testing.T) {
	cl, c := dsFake(t)
	cl.Fail("supvisors.get_process_rules", supvisorstest.FaultFailed, "FAILED: rules")
	d := testDataSourceError(t, NewProcessRulesDataSource(), c, map[string]any{"namespec": "web:*"})
	wantDiag(t, d, `Could not read the rules of "web:*"`, "FAILED: rules")
}
