package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

// NewRPCDataSource returns the supvisors_rpc data source: a read-only passthrough to any side-effect free
// XML-RPC method, with the answer as JSON.
func NewRPCDataSource() datasource.DataSource {
	return &rpcDataSource{dataSourceBase{typeName: "rpc"}}
}

type rpcDataSource struct{ dataSourceBase }

type rpcDataSourceModel struct {
	Method   types.String  `tfsdk:"method"`
	Args     types.Dynamic `tfsdk:"args"`
	Instance types.String  `tfsdk:"instance"`
	Result   types.String  `tfsdk:"result"`
}

func (d *rpcDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A read-only passthrough to one XML-RPC method of Supervisor or Supvisors that this " +
			"provider does not expose otherwise; the answer comes back as JSON in `result` (decode it with " +
			"`jsondecode`).\n\n" +
			"Only side-effect free methods are accepted: `system.listMethods`, `system.methodHelp`, " +
			"`system.methodSignature`, the `supervisor.get*`, `supervisor.read*` and `supervisor.tail*` methods, the " +
			"`supvisors.get_*` methods. Any other method (`start_*`, `stop_*`, `shutdown`, `supervisor.clearLog`, " +
			"...) is refused when the configuration is validated, before anything is sent; `system.multicall` is " +
			"refused too, since it could carry mutating calls, and so are the `supvisors.test_start_*` predictions, " +
			"which write simulated process states into Supvisors' real process model.\n\n" +
			"Allowed methods: " + rpcAllowedMethodList() + ".",
		Attributes: map[string]schema.Attribute{
			"method": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Full method name with its namespace, e.g. `supvisors.get_inner_process_info` or " +
					"`supervisor.tailProcessStdoutLog`. Must be one of the read-only methods listed above.",
				Validators: []validator.String{rpcMethodValidator()},
			},
			"args": schema.DynamicAttribute{
				Optional: true,
				MarkdownDescription: "Positional arguments, as a list whose elements keep their Terraform type: " +
					"`[\"web:web_server\", 0, 1024]` sends a string and two integers. Strings, numbers (whole numbers " +
					"are sent as XML-RPC `int`, others as `double`), booleans, lists and objects/maps (sent as " +
					"`struct`) are accepted; null is not (XML-RPC has no nil). Omitted: no argument.",
				Validators: []validator.Dynamic{rpcArgsValidator()},
			},
			"instance": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Send the call to this instance (`host:port` or nickname) instead of the one the " +
					"provider is connected to; useful for the `supervisor.*` and `*_local_*` methods, which answer for " +
					"the receiving instance only. Reached like the local-only calls of the resources (the provider's " +
					"`instance_urls`, else `http://host:port`).",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"result": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The answer, JSON encoded: XML-RPC structs become objects (keys sorted), arrays " +
					"become arrays, `dateTime` an RFC 3339 string and `base64` a base64 string.",
			},
		},
	}
}

func (d *rpcDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, c := d.begin(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	var m rpcDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	method := m.Method.ValueString()
	// The validator already refused it at plan time; this guards a value that was unknown then.
	if !rpcMethodAllowed(method) {
		resp.Diagnostics.AddAttributeError(path.Root("method"), "Method refused",
			fmt.Sprintf("%q is not a read-only method. Allowed: %s.", method, rpcAllowedMethodList()))
		return
	}
	args, err := rpcArgs(m.Args)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("args"), "Invalid args", err.Error())
		return
	}
	target, ok := rpcTarget(ctx, c, m.Instance, &resp.Diagnostics)
	if !ok {
		return
	}
	value, err := target.Call(ctx, method, args...)
	if err != nil {
		dsReadError(&resp.Diagnostics, "the answer of "+method, err)
		return
	}
	out, err := json.Marshal(value)
	if err != nil {
		resp.Diagnostics.AddError("Cannot encode the answer of "+method,
			fmt.Sprintf("The answer (%T) cannot be encoded as JSON: %s", value, err))
		return
	}
	m.Result = types.StringValue(string(out))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// rpcTarget returns the client that the call goes to: c, or the client of instance when it is set (an
// instance the cluster does not know is an error on instance). ok is false when diags got an error.
func rpcTarget(ctx context.Context, c *supvisors.Client, instance types.String, diags *diag.Diagnostics) (*supvisors.Client, bool) {
	if instance.IsNull() {
		return c, true
	}
	target, err := c.Instance(ctx, instance.ValueString())
	switch {
	case errors.Is(err, supvisors.ErrUnknownInstance):
		dsInstanceName.unknown(ctx, c, diags, path.Root("instance"), instance.ValueString())
	case err != nil:
		dsReadError(diags, fmt.Sprintf("the address of instance %q", instance.ValueString()), err)
	}
	return target, err == nil
}

// rpcArgsValidator checks at plan time that args is a list (or tuple) of values XML-RPC can carry.
func rpcArgsValidator() validator.Dynamic {
	return validators.DynamicCheck("value must be a list of strings, numbers, booleans, lists or objects", "Invalid args",
		func(v types.Dynamic) error {
			if containsUnknown(v.UnderlyingValue()) {
				return nil
			}
			_, err := rpcArgs(v)
			return err
		})
}

func containsUnknown(v attr.Value) bool {
	if v == nil {
		return false
	}
	if v.IsUnknown() {
		return true
	}
	for _, e := range attrChildren(v) {
		if containsUnknown(e) {
			return true
		}
	}
	return false
}

func attrChildren(v attr.Value) []attr.Value {
	switch t := v.(type) {
	case basetypes.TupleValue:
		return t.Elements()
	case basetypes.ListValue:
		return t.Elements()
	case basetypes.SetValue:
		return t.Elements()
	case basetypes.MapValue:
		out := make([]attr.Value, 0, len(t.Elements()))
		for _, e := range t.Elements() {
			out = append(out, e)
		}
		return out
	case basetypes.ObjectValue:
		out := make([]attr.Value, 0, len(t.Attributes()))
		for _, e := range t.Attributes() {
			out = append(out, e)
		}
		return out
	case basetypes.DynamicValue:
		return []attr.Value{t.UnderlyingValue()}
	}
	return nil
}

// rpcArgs converts the args attribute into the positional arguments of the call.
func rpcArgs(d types.Dynamic) ([]any, error) {
	if d.IsNull() || d.IsUnderlyingValueNull() {
		return nil, nil
	}
	switch d.UnderlyingValue().(type) {
	case basetypes.TupleValue, basetypes.ListValue:
	default:
		return nil, fmt.Errorf("args must be a list of positional arguments, e.g. [\"web:web_server\", 0, 1024]; got %s",
			d.UnderlyingValue().Type(context.Background()))
	}
	out, err := rpcArray(attrChildren(d.UnderlyingValue()))
	if err != nil {
		return nil, fmt.Errorf("args%w", err) // args[i]: why
	}
	return out, nil
}

// errRPCNull is the error of a null value, which XML-RPC cannot carry.
var errRPCNull = errors.New("null cannot be sent: XML-RPC has no nil value")

// rpcValue converts one Terraform value into the Go value the XML-RPC encoder sends.
func rpcValue(v attr.Value) (any, error) {
	if v == nil || v.IsNull() {
		return nil, errRPCNull
	}
	switch t := v.(type) {
	case basetypes.DynamicValue:
		return rpcValue(t.UnderlyingValue())
	case basetypes.StringValue:
		return t.ValueString(), nil
	case basetypes.BoolValue:
		return t.ValueBool(), nil
	case basetypes.Int64Value:
		return t.ValueInt64(), nil
	case basetypes.Float64Value:
		return t.ValueFloat64(), nil
	case basetypes.NumberValue:
		return rpcNumber(t.ValueBigFloat())
	case basetypes.TupleValue, basetypes.ListValue, basetypes.SetValue:
		return rpcArray(attrChildren(v))
	case basetypes.MapValue:
		return rpcStruct(t.Elements(), func(k string) string { return fmt.Sprintf("[%q]", k) })
	case basetypes.ObjectValue:
		return rpcStruct(t.Attributes(), func(k string) string { return "." + k })
	}
	return nil, fmt.Errorf("values of type %s cannot be sent", v.Type(context.Background()))
}

// rpcArray converts the elements of a list, set or tuple into an XML-RPC array; an error names the element
// ("[i]: why").
func rpcArray(elems []attr.Value) ([]any, error) {
	out := make([]any, 0, len(elems))
	for i, e := range elems {
		v, err := rpcValue(e)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// rpcStruct converts the elements of a map or object into an XML-RPC struct; an error names the element as
// key writes it.
func rpcStruct(elems map[string]attr.Value, key func(string) string) (map[string]any, error) {
	out := make(map[string]any, len(elems))
	for k, e := range elems {
		v, err := rpcValue(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key(k), err)
		}
		out[k] = v
	}
	return out, nil
}

// rpcNumber sends whole numbers as XML-RPC int (Supervisor's offsets and lengths must be int; Python reads
// any size) and the others as double.
func rpcNumber(f *big.Float) (any, error) {
	if f == nil {
		return nil, errRPCNull
	}
	if f.IsInt() {
		i, acc := f.Int64()
		if acc != big.Exact {
			return nil, fmt.Errorf("%s is too large for an XML-RPC int", f.Text('f', -1))
		}
		return i, nil
	}
	v, _ := f.Float64()
	if math.IsInf(v, 0) {
		return nil, fmt.Errorf("%s does not fit in an XML-RPC double", f.Text('g', 10))
	}
	return v, nil
}
