package provider

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestStrategyStateUpgrade: a version 0 state (strategy default "CONFIG") of either resource is upgraded with
// strategy null, so that a configuration without strategy shows no diff; any other value is kept.
func TestStrategyStateUpgrade(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		r     resource.ResourceWithUpgradeState
		state map[string]any
	}{
		{&applicationResource{}, map[string]any{"id": "web", "name": "web", "state": "running", "stop_on_destroy": true,
			"statename": "RUNNING", "managed": true, "major_failure": false, "minor_failure": false, "processes": []any{}}},
		{&processGroupResource{}, map[string]any{"id": "pool:*", "application": "pool", "state": "running",
			"extra_args": "", "stop_on_destroy": true, "processes": []any{}}},
	} {
		var sresp resource.SchemaResponse
		tc.r.Schema(ctx, resource.SchemaRequest{}, &sresp)
		if sresp.Schema.Version != 1 {
			t.Fatalf("%T: schema version %d, want 1", tc.r, sresp.Schema.Version)
		}
		typ := sresp.Schema.Type().TerraformType(ctx)
		up, ok := tc.r.UpgradeState(ctx)[0]
		if !ok {
			t.Fatalf("%T: no upgrader from version 0", tc.r)
		}
		for old, want := range map[string]any{"CONFIG": nil, "LESS_LOADED": "LESS_LOADED"} {
			st := map[string]any{"strategy": old}
			for k, v := range tc.state {
				st[k] = v
			}
			raw, _ := json.Marshal(st)
			req := resource.UpgradeStateRequest{RawState: &tfprotov6.RawState{JSON: raw}}
			var resp resource.UpgradeStateResponse
			up.StateUpgrader(ctx, req, &resp)
			if resp.Diagnostics.HasError() || resp.DynamicValue == nil {
				t.Fatalf("%T %s: %v", tc.r, old, resp.Diagnostics)
			}
			v, err := resp.DynamicValue.Unmarshal(typ)
			if err != nil {
				t.Fatal(err)
			}
			var attrs map[string]tftypes.Value
			if err := v.As(&attrs); err != nil {
				t.Fatal(err)
			}
			var got *string
			if err := attrs["strategy"].As(&got); err != nil {
				t.Fatal(err)
			}
			switch {
			case want == nil && got != nil:
				t.Errorf("%T: strategy %q after the upgrade, want null", tc.r, *got)
			case want != nil && (got == nil || *got != want):
				t.Errorf("%T: strategy %v after the upgrade, want %v", tc.r, got, want)
			}
			var name string
			key := "name"
			if _, ok := tc.state["application"]; ok {
				key = "application"
			}
			if err := attrs[key].As(&name); err != nil || name != tc.state[key] {
				t.Errorf("%T: %s not kept: %q %v", tc.r, key, name, err)
			}
		}
	}
}
