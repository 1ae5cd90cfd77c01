package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// TestAccResourceIdentity creates a supvisors_application (app_t) and two supvisors_process_group (one program,
// and every process of app_t), checks the identities in the state, then imports each back both by identity and
// by its import ID in an import block: the imported state must match and nothing may be restarted.
func TestAccResourceIdentity(t *testing.T) {
	testAccPreCheck(t)
	const app = "app_t"
	config := testAccProviderBlock() + `
resource "supvisors_application" "t" {
  name = "app_t"
}

resource "supvisors_process_group" "main" {
  application = "app_t"
  program     = "main"
  depends_on  = [supvisors_application.t]
}

resource "supvisors_process_group" "all" {
  application = "app_t"
  depends_on  = [supvisors_application.t]
}
`
	var pids map[string]string
	t.Cleanup(func() { testAccStopProcesses(t, app+":*") })
	importStep := func(addr string, kind acc.ImportStateKind) acc.TestStep {
		// An import block must plan a no-op import (with the same identity); the import command's state is
		// compared with the one the apply made.
		verify := kind == acc.ImportCommandWithID
		return acc.TestStep{
			Config:                  config,
			ResourceName:            addr,
			ImportState:             true,
			ImportStateKind:         kind,
			ImportStateVerify:       verify,
			ImportStateVerifyIgnore: []string{"timeouts"},
		}
	}
	acc.ParallelTest(t, acc.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   testAccNeedsIdentity,
		Steps: []acc.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity("supvisors_application.t", map[string]knownvalue.Check{
						"name": knownvalue.StringExact(app),
					}),
					statecheck.ExpectIdentity("supvisors_process_group.main", map[string]knownvalue.Check{
						"application": knownvalue.StringExact(app),
						"program":     knownvalue.StringExact("main"),
					}),
					statecheck.ExpectIdentity("supvisors_process_group.all", map[string]knownvalue.Check{
						"application": knownvalue.StringExact(app),
						"program":     knownvalue.Null(),
					}),
				},
				Check: func(*terraform.State) error {
					pids = testAccClusterPids(t, app+":*")
					if len(pids) != 2 {
						t.Errorf("app_t should run both processes after the apply, pids: %v", pids)
					}
					return nil
				},
			},
			importStep("supvisors_application.t", acc.ImportBlockWithResourceIdentity),
			importStep("supvisors_application.t", acc.ImportBlockWithID),
			importStep("supvisors_process_group.main", acc.ImportBlockWithResourceIdentity),
			importStep("supvisors_process_group.main", acc.ImportBlockWithID),
			importStep("supvisors_process_group.all", acc.ImportBlockWithResourceIdentity),
			importStep("supvisors_process_group.all", acc.ImportCommandWithID),
			{
				PreConfig: func() {
					if got := testAccClusterPids(t, app+":*"); !sameMap(got, pids) {
						t.Errorf("the imports restarted processes of app_t: pids %v, then %v", pids, got)
					}
				},
				Config:   config,
				PlanOnly: true, // still nothing to do
			},
		},
	})
}

// sameMap compares two string maps.
func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestImportByIdentity: the import helpers take the ID or the identity, and refuse bad values naming them.
func TestImportByIdentity(t *testing.T) {
	ctx := context.Background()
	identity := func(r resource.ResourceWithIdentity, values map[string]string) *tfsdk.ResourceIdentity {
		var resp resource.IdentitySchemaResponse
		r.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &resp)
		typ := resp.IdentitySchema.Type().TerraformType(ctx).(tftypes.Object)
		raw := map[string]tftypes.Value{}
		for k := range typ.AttributeTypes {
			raw[k] = tftypes.NewValue(tftypes.String, nil)
			if v, ok := values[k]; ok {
				raw[k] = tftypes.NewValue(tftypes.String, v)
			}
		}
		return &tfsdk.ResourceIdentity{Schema: resp.IdentitySchema, Raw: tftypes.NewValue(typ, raw)}
	}
	app := &applicationResource{}
	for _, tc := range []struct {
		req  resource.ImportStateRequest
		want string // name, or the error text
	}{
		{resource.ImportStateRequest{ID: "web"}, "web"},
		{resource.ImportStateRequest{Identity: identity(app, map[string]string{"name": "web"})}, "web"},
		{resource.ImportStateRequest{Identity: identity(app, map[string]string{"name": "web:web_server"})}, `Invalid import identity: The identity of supvisors_application is { name = "<application>" }: "web:web_server" contains ':'`},
		{resource.ImportStateRequest{ID: "a b"}, `Invalid import ID: The import ID of supvisors_application is the application name: "a b" contains white space`},
	} {
		var diags diag.Diagnostics
		name, ok := applicationImportName(ctx, tc.req, &diags)
		got := name
		if !ok {
			got = diagText(diags)
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("applicationImportName(%+v) = %q, want %q", tc.req.ID, got, tc.want)
		}
	}
	pg := &processGroupResource{}
	for _, tc := range []struct {
		req  resource.ImportStateRequest
		want string // scope ID, or the error text
	}{
		{resource.ImportStateRequest{ID: "worker:*"}, "worker:*"},
		{resource.ImportStateRequest{Identity: identity(pg, map[string]string{"application": "worker", "program": "worker"})}, "worker:worker"},
		{resource.ImportStateRequest{Identity: identity(pg, map[string]string{"application": "web"})}, "web:*"},
		{resource.ImportStateRequest{Identity: identity(pg, map[string]string{"application": "web", "program": "*"})}, "web:*"},
		{resource.ImportStateRequest{Identity: identity(pg, map[string]string{"program": "web_server"})}, `Invalid import identity: The identity of supvisors_process_group is { application = "<application>", program = "<program>" }`},
		{resource.ImportStateRequest{Identity: identity(pg, map[string]string{"application": "web", "program": "web*"})}, `wildcards other than a lone '*' are not supported`},
	} {
		var diags diag.Diagnostics
		s, ok := processGroupImportScope(ctx, tc.req, &diags)
		got := s.ID()
		if !ok {
			got = diagText(diags)
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("processGroupImportScope(%+v) = %q, want %q", tc.req.ID, got, tc.want)
		}
	}
}
