package provider

// Unit tests of what the handlers share: the provider data they are configured with, their identities, the
// plan-time strategy check, and the diagnostics of faults by code.

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func TestResourceConfigure(t *testing.T) {
	r := &applicationResource{}
	resp := &fwresource.ConfigureResponse{}
	r.Configure(context.Background(), fwresource.ConfigureRequest{}, resp) // not configured yet: no error
	if resp.Diagnostics.HasError() || r.data != nil {
		t.Fatalf("nil provider data: %v", resp.Diagnostics)
	}
	r.Configure(context.Background(), fwresource.ConfigureRequest{ProviderData: "bad"}, resp)
	if !strings.Contains(diagsText(resp.Diagnostics), "Expected *providerData, got string") || r.data != nil {
		t.Fatalf("wrong provider data: %v", resp.Diagnostics)
	}
	data := &providerData{}
	resp = &fwresource.ConfigureResponse{}
	r.Configure(context.Background(), fwresource.ConfigureRequest{ProviderData: data}, resp)
	if resp.Diagnostics.HasError() || r.data != data {
		t.Fatalf("provider data: %v", resp.Diagnostics)
	}
}

// TestIdentities: the identity set by the handlers, for a whole application and for one program.
func TestIdentities(t *testing.T) {
	ctx := context.Background()
	identity := func(r fwresource.ResourceWithIdentity) *tfsdk.ResourceIdentity {
		var resp fwresource.IdentitySchemaResponse
		r.IdentitySchema(ctx, fwresource.IdentitySchemaRequest{}, &resp)
		typ := resp.IdentitySchema.Type().TerraformType(ctx)
		return &tfsdk.ResourceIdentity{Schema: resp.IdentitySchema, Raw: tftypes.NewValue(typ, nil)}
	}
	id := identity(&applicationResource{})
	if d := setApplicationIdentity(ctx, id, "web"); d.HasError() {
		t.Fatal(d)
	}
	var am applicationIdentityModel
	id.Get(ctx, &am)
	if am.Name.ValueString() != "web" || setApplicationIdentity(ctx, nil, "web") != nil {
		t.Fatalf("application identity %+v", am)
	}
	for s, program := range map[reconcile.Scope]types.String{
		{App: "pool"}:                  types.StringNull(),
		{App: "pool", Program: "pool"}: types.StringValue("pool"),
	} {
		id := identity(&processGroupResource{})
		if d := setProcessGroupIdentity(ctx, id, s); d.HasError() {
			t.Fatal(d)
		}
		var pm processGroupIdentityModel
		id.Get(ctx, &pm)
		if pm.Application.ValueString() != "pool" || !pm.Program.Equal(program) {
			t.Errorf("%v: identity %+v", s, pm)
		}
	}
	if setProcessGroupIdentity(ctx, nil, reconcile.Scope{App: "x"}) != nil {
		t.Fatal("identity without support")
	}
}

// TestCheckStrategyAtPlan: a strategy the release does not accept is refused at the strategy attribute; an
// unset one is not checked; a cluster that cannot be reached is left to the apply.
func TestCheckStrategyAtPlan(t *testing.T) {
	ctx := context.Background()
	old := supvisorstest.New(t)
	old.Handle("system.listMethods", supvisorstest.Value([]any{"supvisors.get_api_version", "supvisors.start_application"}))
	old.Handle("supvisors.get_api_version", supvisorstest.Value("0.11"))
	c := fakeClient(t, old.URL(), nil)
	var diags diag.Diagnostics
	checkStrategyAtPlan(ctx, c, types.StringValue(string(supvisors.StrategyLessLoadedNode)), &diags)
	if !strings.Contains(diagsText(diags), "Starting strategy not supported by this Supvisors release") {
		t.Fatalf("old release: %v", diags)
	}
	diags = nil
	checkStrategyAtPlan(ctx, c, types.StringValue("CONFIG"), &diags)
	checkStrategyAtPlan(ctx, c, types.StringNull(), &diags)
	checkStrategyAtPlan(ctx, nil, types.StringValue("LESS_LOADED_NODE"), &diags)
	checkStrategyAtPlan(ctx, fakeClient(t, "http://127.0.0.1:1", nil), types.StringValue("LESS_LOADED_NODE"), &diags)
	if diags.HasError() {
		t.Fatalf("accepted strategies: %v", diags)
	}
}

// TestFaultDetail: every fault code the provider explains has its own cause; others the generic one.
func TestFaultDetail(t *testing.T) {
	for code, why := range faultWhy {
		got := faultDetail(&supvisors.Fault{Code: code, String: "X: y"})
		if !strings.HasPrefix(got, why) || !strings.Contains(got, "Server message: X: y (fault ") {
			t.Errorf("%d: %s", code, got)
		}
	}
	if got := faultDetail(&supvisors.Fault{Code: 12345, String: "odd"}); !strings.HasPrefix(got, "The server refused the call.") {
		t.Errorf("unknown code: %s", got)
	}
	if got := clientErrorDetailFor(context.DeadlineExceeded, true); !strings.Contains(got, "Reads (data sources") {
		t.Errorf("read deadline: %s", got)
	}
	if got := quotedList(nil) + capitalize(""); got != "(none)" {
		t.Errorf("quotedList: %q", got)
	}
}
