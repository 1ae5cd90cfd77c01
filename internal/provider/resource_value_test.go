package provider

import (
	"context"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// testResourceValue builds a value of r's schema as Terraform sends plans and states to the handlers: the
// attributes of vals set, those named in unknown unknown (computed values of a create plan), the rest null.
func testResourceValue(r fwresource.Resource, vals map[string]any, unknown ...string) (schema.Schema, tftypes.Value) {
	ctx := context.Background()
	var sresp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	return sresp.Schema, testObjectValue(typ, vals, unknown...)
}

// testObjectValue builds a value of the object type typ (a schema's): the attributes of vals set (a
// tftypes.Value as it is, e.g. for a dynamic attribute), those named in unknown unknown, the rest null.
func testObjectValue(typ tftypes.Object, vals map[string]any, unknown ...string) tftypes.Value {
	raw := map[string]tftypes.Value{}
	for k, at := range typ.AttributeTypes {
		raw[k] = tftypes.NewValue(at, nil)
	}
	for k, v := range vals {
		if tv, ok := v.(tftypes.Value); ok {
			raw[k] = tv
			continue
		}
		raw[k] = tftypes.NewValue(typ.AttributeTypes[k], v)
	}
	for _, k := range unknown {
		raw[k] = tftypes.NewValue(typ.AttributeTypes[k], tftypes.UnknownValue)
	}
	return tftypes.NewValue(typ, raw)
}
