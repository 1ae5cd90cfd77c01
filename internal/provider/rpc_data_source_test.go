package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// TestAccRPCDataSource checks that supvisors_rpc returns, as JSON, exactly what the same call answers directly:
// without arguments, with a string, with typed (integer) arguments, and sent to another instance.
func TestAccRPCDataSource(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel() // before looking at the cluster: sequential tests may change it (e.g. the Master) meanwhile
	master, i := testAccDSMaster(t)
	c := testAccDSClient(i)

	same := func(name string, client *supvisors.Client, method string, args ...any) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			rs, ok := s.RootModule().Resources[name]
			if !ok {
				return fmt.Errorf("%s not found in state", name)
			}
			v, err := client.Call(context.Background(), method, args...)
			if err != nil {
				return fmt.Errorf("direct %s: %w", method, err)
			}
			want, err := json.Marshal(v)
			if err != nil {
				return err
			}
			if got := rs.Primary.Attributes["result"]; got != string(want) {
				return fmt.Errorf("%s: result differs from the direct answer\n got: %s\nwant: %s", name, got, want)
			}
			return nil
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccDSProviderBlock(i) + fmt.Sprintf(`
data "supvisors_rpc" "strategies" {
  method = "supvisors.get_strategies"
}
data "supvisors_rpc" "rules" {
  method = "supvisors.get_process_rules"
  args   = ["worker:*"]
}
data "supvisors_rpc" "signature" {
  method = "system.methodSignature"
  args   = ["supvisors.start_process"]
}
data "supvisors_rpc" "log_head" {
  method = "supervisor.readLog"
  args   = [0, 64]
}
data "supvisors_rpc" "master_identification" {
  method   = "supervisor.getIdentification"
  instance = %q
}
`, testAccLab.Nick(master)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrWith("data.supvisors_rpc.strategies", "result", func(v string) error {
					var m map[string]any
					if err := json.Unmarshal([]byte(v), &m); err != nil {
						return err
					}
					if m["starting"] != "CONFIG" || m["auto-fencing"] != false {
						return fmt.Errorf("unexpected get_strategies answer %s", v)
					}
					return nil
				}),
				same("data.supvisors_rpc.strategies", c, "supvisors.get_strategies"),
				same("data.supvisors_rpc.rules", c, "supvisors.get_process_rules", "worker:*"),
				same("data.supvisors_rpc.signature", c, "system.methodSignature", "supvisors.start_process"),
				same("data.supvisors_rpc.log_head", c, "supervisor.readLog", 0, 64),
				same("data.supvisors_rpc.master_identification", testAccDSClient(master), "supervisor.getIdentification"),
				resource.TestCheckResourceAttr("data.supvisors_rpc.master_identification", "result",
					fmt.Sprintf("%q", testAccLab.Nick(master))),
			),
		}},
	})
}

// TestAccRPCDataSource_refused checks that mutating methods, system.multicall, unknown methods and bad
// arguments are refused at plan time, before anything is sent.
func TestAccRPCDataSource_refused(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel() // before looking at the cluster: sequential tests may change it (e.g. the Master) meanwhile
	config := func(method, args string) string {
		s := testAccProviderBlock() + fmt.Sprintf("data \"supvisors_rpc\" \"test\" {\n  method = %q\n", method)
		if args != "" {
			s += "  args = " + args + "\n"
		}
		return s + "}\n"
	}
	step := func(method, args, expect string) resource.TestStep {
		return resource.TestStep{Config: config(method, args), PlanOnly: true, ExpectError: regexp.MustCompile(expect)}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step("supvisors.start_application", `["CONFIG", "app_a"]`,
				`(?s)Mutating method refused.*supvisors.start_application.*starts\s+an\s+application.*supvisors.get_strategies`),
			step("supvisors.shutdown", "", `(?s)Mutating method refused.*shuts\s+the\s+whole\s+cluster\s+down`),
			step("supervisor.clearLog", "", `(?s)Mutating method refused.*clears\s+the\s+main\s+log`),
			step("supervisor.stopProcess", `["web:web_server"]`, `Mutating method refused`),
			step("system.multicall", `[[]]`, `(?s)system.multicall refused.*mutating`),
			step("supvisors.no_such_method", "", `(?s)Unknown or not read-only method.*Allowed`),
			step("supvisors.get_application_info", `"web"`, `(?s)Invalid args.*must\s+be\s+a\s+list`),
			step("supvisors.get_application_info", `["web", null]`, `(?s)Invalid args.*args\[1\].*nil`),
		},
	})
}

// TestAccRPCDataSource_listMethodsClassified checks against the live server that every method it lists is
// either allowed or refused with a reason: a new method cannot slip through unclassified.
func TestAccRPCDataSource_listMethodsClassified(t *testing.T) {
	ctx := testAccDSContext(t, time.Minute)
	methods, err := testAccClient(t).System().ListMethods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range methods {
		_, mutating := rpcMutatingMethods[m]
		if rpcMethodAllowed(m) == mutating {
			t.Errorf("%s: allowed=%v, listed as mutating=%v; classify it", m, rpcMethodAllowed(m), mutating)
		}
	}
	if len(methods) < 85 {
		t.Errorf("only %d methods listed", len(methods))
	}
}

func TestRPCMethodAllowed(t *testing.T) {
	for m := range rpcMutatingMethods {
		if rpcMethodAllowed(m) {
			t.Errorf("%s is mutating but allowed", m)
		}
	}
	for _, m := range []string{"system.listMethods", "system.methodHelp", "system.methodSignature",
		"supervisor.getState", "supervisor.readProcessStdoutLog", "supervisor.tailProcessStderrLog",
		"supvisors.get_conflicts", "supvisors.get_inner_process_info"} {
		if !rpcMethodAllowed(m) {
			t.Errorf("%s is read-only but refused", m)
		}
	}
	for _, m := range rpcAllowedMethods() {
		if !strings.HasPrefix(m, "system.") && !strings.HasPrefix(m, "supervisor.get") &&
			!strings.HasPrefix(m, "supervisor.read") && !strings.HasPrefix(m, "supervisor.tail") &&
			!strings.HasPrefix(m, "supvisors.get_") {
			t.Errorf("%s is allowed but is not a getter, reader or prediction", m)
		}
	}
}

func TestRPCMethodValidator(t *testing.T) {
	cases := map[string]string{
		"supvisors.get_strategies":    "",
		"supvisors.stop_application":  "Mutating method refused",
		"system.multicall":            "system.multicall refused",
		"Supvisors.get_strategies":    "Unknown or not read-only method",
		"supervisor.getstate":         "Unknown or not read-only method",
		"supervisor.sendProcessStdin": "Mutating method refused",
		// API.md §6.16: the predictions write simulated states into the real process model
		"supvisors.test_start_application": "Mutating method refused",
		"supvisors.test_start_process":     "Mutating method refused",
	}
	for method, want := range cases {
		req := validator.StringRequest{Path: path.Root("method"), ConfigValue: types.StringValue(method)}
		var resp validator.StringResponse
		rpcMethodValidator().ValidateString(context.Background(), req, &resp)
		if want == "" {
			if resp.Diagnostics.HasError() {
				t.Errorf("%s: unexpected error %v", method, resp.Diagnostics)
			}
			continue
		}
		if !resp.Diagnostics.HasError() || resp.Diagnostics.Errors()[0].Summary() != want {
			t.Errorf("%s: want %q, got %v", method, want, resp.Diagnostics)
			continue
		}
		if !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), "supvisors.get_strategies") {
			t.Errorf("%s: the detail does not list the allowed methods: %s", method, resp.Diagnostics.Errors()[0].Detail())
		}
	}
	// unknown values (from other resources) are checked when known
	var resp validator.StringResponse
	rpcMethodValidator().ValidateString(context.Background(),
		validator.StringRequest{Path: path.Root("method"), ConfigValue: types.StringUnknown()}, &resp)
	if resp.Diagnostics.HasError() {
		t.Errorf("unknown value: %v", resp.Diagnostics)
	}
}

func TestRPCArgs(t *testing.T) {
	str := func(s string) attr.Value { return types.StringValue(s) }
	num := func(f float64) attr.Value { return types.NumberValue(big.NewFloat(f)) }
	tuple := func(elems ...attr.Value) types.Dynamic {
		tys := make([]attr.Type, len(elems))
		for i, e := range elems {
			tys[i] = e.Type(context.Background())
		}
		return types.DynamicValue(types.TupleValueMust(tys, elems))
	}
	obj := types.ObjectValueMust(map[string]attr.Type{"a": types.NumberType, "b": types.BoolType},
		map[string]attr.Value{"a": num(1), "b": types.BoolValue(true)})
	list := types.ListValueMust(types.StringType, []attr.Value{str("x"), str("y")})

	got, err := rpcArgs(tuple(str("web:web_server"), num(0), num(1024), num(1.5), types.BoolValue(false), obj, list))
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"web:web_server", int64(0), int64(1024), 1.5, false, map[string]any{"a": int64(1), "b": true},
		[]any{"x", "y"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}

	if got, err := rpcArgs(types.DynamicNull()); err != nil || got != nil {
		t.Errorf("null args: %v, %v", got, err)
	}
	if got, err := rpcArgs(types.DynamicValue(list)); err != nil || !reflect.DeepEqual(got, []any{"x", "y"}) {
		t.Errorf("list args: %v, %v", got, err)
	}
	for name, bad := range map[string]types.Dynamic{
		"not a list":   types.DynamicValue(str("web")),
		"null element": tuple(str("web"), types.StringNull()),
		"huge integer": tuple(types.NumberValue(new(big.Float).SetMantExp(big.NewFloat(1), 80))),
	} {
		if _, err := rpcArgs(bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
