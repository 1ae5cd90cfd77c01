package provider

import (
	"context"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// rpcResult runs supvisors_rpc with config and returns its result.
func rpcResult(t *testing.T, cl *supvisorstest.Cluster, instances map[string]string, config map[string]any) string {
	t.Helper()
	var m rpcDataSourceModel
	testDataSourceState(t, NewRPCDataSource(), fakeClient(t, cl.URL(), instances), config, &m)
	if m.Method.ValueString() != config["method"] {
		t.Errorf("method in the state: %v", m.Method)
	}
	return m.Result.ValueString()
}

func TestRPCDataSourceRead(t *testing.T) {
	cl, _ := dsFake(t)
	dsStrategies(cl)
	got := rpcResult(t, cl, nil, map[string]any{"method": "supvisors.get_strategies"})
	if want := `{"auto-fencing":false,"conciliation":"USER","starting":"CONFIG","supvisors_failure":"CONTINUE"}`; got != want {
		t.Errorf("result %s, want %s", got, want)
	}

	// The arguments keep their types: the fake answers what it received.
	cl.Handle("supervisor.readProcessStdoutLog", func(args []any) (any, error) { return args, nil })
	obj := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"a": tftypes.Number}}
	tuple := tftypes.Tuple{ElementTypes: []tftypes.Type{tftypes.String, tftypes.Number, tftypes.Number, tftypes.Bool,
		tftypes.List{ElementType: tftypes.String}, obj}}
	args := tftypes.NewValue(tuple, []tftypes.Value{
		tftypes.NewValue(tftypes.String, "web:web_0"),
		tftypes.NewValue(tftypes.Number, 1024),
		tftypes.NewValue(tftypes.Number, 1.5),
		tftypes.NewValue(tftypes.Bool, true),
		tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{tftypes.NewValue(tftypes.String, "x")}),
		tftypes.NewValue(obj, map[string]tftypes.Value{"a": tftypes.NewValue(tftypes.Number, -3)}),
	})
	got = rpcResult(t, cl, nil, map[string]any{"method": "supervisor.readProcessStdoutLog", "args": args})
	if want := `["web:web_0",1024,1.5,true,["x"],{"a":-3}]`; got != want {
		t.Errorf("result %s, want %s", got, want)
	}
}

// instance sends the call to that instance's own server (instance_urls), not to the one of the provider.
func TestRPCDataSourceInstance(t *testing.T) {
	cl, _ := dsFake(t)
	in := cl.AddInstance(t, "127.0.0.1:61002", supvisors.WrappedMethods())
	in.Handle("supervisor.getIdentification", supvisorstest.Value("supervisor-node2"))
	got := rpcResult(t, cl, map[string]string{"node2": in.URL()},
		map[string]any{"method": "supervisor.getIdentification", "instance": "node2"})
	if got != `"supervisor-node2"` || in.Count("supervisor.getIdentification") != 1 || cl.Count("supervisor.getIdentification") != 0 {
		t.Errorf("result %s; calls of the instance %v, of the cluster %v", got, in.Calls(), cl.Calls())
	}
}

func TestRPCDataSourceErrors(t *testing.T) {
	cl, c := dsFake(t)
	dsStrategies(cl)
	read := func(config map[string]any) string {
		t.Helper()
		d := testDataSourceError(t, NewRPCDataSource(), c, config)
		return d.Summary() + ": " + d.Detail()
	}
	for name, tc := range map[string]struct {
		config map[string]any
		want   []string
	}{
		// Refused at plan time by the validator, and again at read time for a value unknown then.
		"mutating": {map[string]any{"method": "supvisors.start_application"},
			[]string{`Method refused: "supvisors.start_application" is not a read-only method. Allowed: `, "supvisors.get_strategies"}},
		"not a list": {map[string]any{"method": "supvisors.get_strategies", "args": tftypes.NewValue(tftypes.String, "web")},
			[]string{"Invalid args: args must be a list of positional arguments", "got basetypes.StringType"}},
		"unknown instance": {map[string]any{"method": "supervisor.getState", "instance": "node9"},
			[]string{`Unknown Supvisors instance: No Supvisors instance is named "node9"`,
				"Known instances: 127.0.0.1:61001 (node1), 127.0.0.1:61002 (node2)."}},
		"call": {map[string]any{"method": "supvisors.get_application_info", "args": tftypes.NewValue(
			tftypes.Tuple{ElementTypes: []tftypes.Type{tftypes.String}}, []tftypes.Value{tftypes.NewValue(tftypes.String, "nope")})},
			[]string{"Could not read the answer of supvisors.get_application_info: ", "BAD_NAME: nope"}},
	} {
		got := read(tc.config)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", name, got, w)
			}
		}
	}
	if n := cl.Count("supvisors.start_application"); n != 0 {
		t.Errorf("a refused method was sent %d times", n)
	}

	cl.Fail("supvisors.get_all_instances_info", supvisorstest.FaultFailed, "FAILED: instances")
	d := testDataSourceError(t, NewRPCDataSource(), c, map[string]any{"method": "supervisor.getState", "instance": "node9"})
	wantDiag(t, d, `Could not read the address of instance "node9"`, "FAILED: instances")

	// An answer JSON cannot carry.
	cl.Handle("supvisors.get_statistics_status", supvisorstest.Value(math.Inf(1)))
	d = testDataSourceError(t, NewRPCDataSource(), c, map[string]any{"method": "supvisors.get_statistics_status"})
	wantDiag(t, d, "Cannot encode the answer of supvisors.get_statistics_status", "The answer (float64) cannot be encoded as JSON")
}

// rpcValue sends every kind of Terraform value XML-RPC can carry and names the element it cannot send.
func TestRPCValue(t *testing.T) {
	str := types.StringValue
	m := types.MapValueMust(types.StringType, map[string]attr.Value{"k": str("v")})
	set := types.SetValueMust(types.Int64Type, []attr.Value{types.Int64Value(7)})
	for name, tc := range map[string]struct {
		in   attr.Value
		want any
	}{
		"int64":   {types.Int64Value(-2), int64(-2)},
		"float64": {types.Float64Value(0.25), 0.25},
		"map":     {m, map[string]any{"k": "v"}},
		"set":     {set, []any{int64(7)}},
		"dynamic": {types.DynamicValue(types.BoolValue(true)), true},
	} {
		got, err := rpcValue(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %#v, %v; want %#v", name, got, err, tc.want)
		}
	}

	null := types.StringNull()
	for name, tc := range map[string]struct {
		in   attr.Value
		want string
	}{
		"null":      {nil, "null cannot be sent: XML-RPC has no nil value"},
		"in a list": {types.ListValueMust(types.StringType, []attr.Value{str("a"), null}), "[1]: null cannot be sent"},
		"in a map":  {types.MapValueMust(types.StringType, map[string]attr.Value{"k": null}), `["k"]: null cannot be sent`},
		"in an object": {types.ObjectValueMust(map[string]attr.Type{"a": types.StringType}, map[string]attr.Value{"a": null}),
			".a: null cannot be sent"},
		"int32":       {types.Int32Value(1), "values of type basetypes.Int32Type cannot be sent"},
		"huge double": {types.NumberValue(hugeFraction()), "does not fit in an XML-RPC double"},
		"null number": {basetypes.NewNumberValue(nil), "null cannot be sent"},
	} {
		_, err := rpcValue(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
}

// hugeFraction is 2^2000 + 0.5: not a whole number, and beyond a float64.
func hugeFraction() *big.Float {
	f := new(big.Float).SetPrec(4000).SetMantExp(new(big.Float).SetPrec(4000).SetInt64(1), 2000)
	return f.Add(f, big.NewFloat(0.5))
}

// The args validator accepts a value still unknown at plan time (checked at read time) and refuses, at plan
// time, what rpcArgs refuses.
func TestRPCArgsValidator(t *testing.T) {
	unknownInside := types.DynamicValue(types.TupleValueMust([]attr.Type{types.StringType}, []attr.Value{types.StringUnknown()}))
	nested := types.DynamicValue(types.ObjectValueMust(map[string]attr.Type{"m": types.MapType{ElemType: types.StringType}},
		map[string]attr.Value{"m": types.MapUnknown(types.StringType)}))
	for name, tc := range map[string]struct {
		v       types.Dynamic
		wantErr bool
	}{
		"unknown":         {types.DynamicUnknown(), false},
		"unknown element": {unknownInside, false},
		"unknown in map":  {nested, false},
		"unknown value": {types.DynamicValue(types.ListValueMust(types.DynamicType,
			[]attr.Value{types.DynamicValue(types.StringUnknown())})), false},
		"unknown map element": {types.DynamicValue(types.TupleValueMust([]attr.Type{types.MapType{ElemType: types.StringType}},
			[]attr.Value{types.MapValueMust(types.StringType, map[string]attr.Value{"k": types.StringUnknown()})})), false},
		"null":         {types.DynamicNull(), false},
		"not a list":   {types.DynamicValue(types.StringValue("web")), true},
		"null element": {types.DynamicValue(types.ListValueMust(types.StringType, []attr.Value{types.StringNull()})), true},
	} {
		var resp validator.DynamicResponse
		rpcArgsValidator().ValidateDynamic(context.Background(), validator.DynamicRequest{Path: path.Root("args"), ConfigValue: tc.v}, &resp)
		if resp.Diagnostics.HasError() != tc.wantErr {
			t.Errorf("%s: %v", name, resp.Diagnostics)
		}
	}
}
