package provider

// Plan-time validation of bad inputs (issue #10 item 3): what used to get through the plan and fail (or worse)
// at apply time.

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

func timeoutsValue(t *testing.T, vals map[string]string) timeouts.Value {
	t.Helper()
	types_ := map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType}
	attrs := map[string]attr.Value{}
	for k := range types_ {
		attrs[k] = types.StringNull()
		if v, ok := vals[k]; ok {
			attrs[k] = types.StringValue(v)
		}
	}
	obj, d := types.ObjectValue(types_, attrs)
	if d.HasError() {
		t.Fatal(d)
	}
	return timeouts.Value{Object: obj}
}

func TestValidateTimeouts(t *testing.T) {
	for _, tc := range []struct {
		vals map[string]string
		want []string // substrings of the error details, in order; none = valid
	}{
		{map[string]string{"create": "5m", "delete": "90s"}, nil},
		{map[string]string{"create": "-5m"}, []string{`timeouts.create = "-5m"`}},
		{map[string]string{"update": "0s", "delete": "0"}, []string{`timeouts.delete = "0"`, `timeouts.update = "0s"`}},
		{map[string]string{"create": "soon"}, nil}, // syntax: the block's own validator reports it
	} {
		var diags diag.Diagnostics
		validateTimeouts(timeoutsValue(t, tc.vals), &diags)
		if len(diags.Errors()) != len(tc.want) {
			t.Errorf("%v: got %v, want %d errors", tc.vals, diags, len(tc.want))
			continue
		}
		for i, d := range diags.Errors() {
			if !strings.Contains(d.Detail(), tc.want[i]) || !strings.Contains(d.Detail(), "must be positive") {
				t.Errorf("%v: error %d = %q, want it to name %s", tc.vals, i, d.Detail(), tc.want[i])
			}
		}
	}
	var diags diag.Diagnostics
	validateTimeouts(timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType})}, &diags)
	if diags.HasError() {
		t.Errorf("null block: %v", diags)
	}
}

// TestReadTimeoutDiagnostic: a read (data source, refresh, plan, import) has no timeouts block, so its timeout
// diagnostic points at the provider block; a create/update/delete points at the resource's timeouts block.
func TestReadTimeoutDiagnostic(t *testing.T) {
	err := &supvisors.TransportError{Endpoint: "e", Err: context.DeadlineExceeded}
	read := clientReadErrorDiagnostic("Could not read x", err).Detail()
	if strings.Contains(read, "timeouts block of") || strings.Contains(read, "resource's timeouts block") ||
		!strings.Contains(read, "request_timeout") || !strings.Contains(read, "ready_timeout") {
		t.Errorf("read timeout detail should point at the provider block only: %s", read)
	}
	if write := clientErrorDetail(err); !strings.Contains(write, "resource's timeouts block") {
		t.Errorf("write timeout detail should point at the timeouts block: %s", write)
	}
	// other errors read the same either way
	other := &supvisors.Fault{Code: supvisors.FaultBadName, String: "BAD_NAME: x"}
	if clientReadErrorDiagnostic("s", other).Detail() != clientErrorDetail(other) {
		t.Error("non-timeout errors must be explained the same way for reads and writes")
	}
}

// TestUpdateNumprocsRange: the client never sends a numprocs XML-RPC cannot carry. The server is unreachable,
// so an error other than the range error would mean that something was sent.
func TestUpdateNumprocsRange(t *testing.T) {
	c, err := supvisors.New(supvisors.Config{URL: "http://127.0.0.1:1", ReadyTimeout: -1, RequestTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1 << 31, 1 << 32, -(1 << 40)} {
		err := c.UpdateNumprocs(context.Background(), "worker", n, true, false)
		if err == nil || !strings.Contains(err.Error(), "does not fit in an XML-RPC int") {
			t.Errorf("numprocs %d: %v", n, err)
		}
	}
}

// TestAccValidation_badInputs: bad values are refused at plan time, naming the value and what would be valid,
// before anything reaches the cluster; import IDs are checked against the cluster.
func TestAccValidation_badInputs(t *testing.T) {
	testAccPreCheck(t)
	pg := func(body string) string {
		return testAccProviderBlock() + "resource \"supvisors_process_group\" \"x\" {\n  application = \"pool\"\n" + body + "}\n"
	}
	app := func(body string) string {
		return testAccProviderBlock() + "resource \"supvisors_application\" \"x\" {\n  name = \"slow\"\n" + body + "}\n"
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: pg("  program = \"pool\"\n  numprocs = 4294967296\n"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)numprocs.*between 1 and 10000.*4294967296`)},
			{Config: pg("  timeouts {\n    create = \"-5m\"\n  }\n"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Invalid timeout.*timeouts.create = "-5m".*must be positive`)},
			{Config: app("  timeouts {\n    delete = \"0s\"\n  }\n"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Invalid timeout.*timeouts.delete = "0s".*must be positive`)},
			{Config: testAccProviderBlockWith(`request_timeout = "0s"`) + `data "supvisors_state" "x" {}`, PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)request_timeout.*"0s" must be positive`)},
			{Config: testAccProviderBlockWith(`ready_timeout = "-1m"`) + `data "supvisors_state" "x" {}`, PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)ready_timeout.*"-1m" must be positive`)},
			{Config: pg(""), ResourceName: "supvisors_process_group.x", ImportState: true, ImportStateId: "batch:nope",
				ExpectError: regexp.MustCompile(`(?s)Unknown program "nope" in\s+application "batch".*batch_init`)},
			{Config: pg(""), ResourceName: "supvisors_process_group.x", ImportState: true, ImportStateId: "nope:*",
				ExpectError: regexp.MustCompile(`(?s)Unknown application "nope".*Known\s+applications:.*batch`)},
		},
	})
}
