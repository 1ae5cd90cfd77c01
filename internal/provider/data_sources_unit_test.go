package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// Every data source is named by its dataSourceBase, is configurable, and has a valid schema.
func TestDataSourceConstructors(t *testing.T) {
	ctx := context.Background()
	var names []string
	for _, newDS := range dataSourceConstructors() {
		d := newDS()
		var mresp datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "supvisors"}, &mresp)
		names = append(names, mresp.TypeName)
		if _, ok := d.(datasource.DataSourceWithConfigure); !ok {
			t.Errorf("%s has no Configure", mresp.TypeName)
		}
		var sresp datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &sresp)
		if diags := sresp.Schema.ValidateImplementation(ctx); sresp.Diagnostics.HasError() || diags.HasError() {
			t.Errorf("%s: schema %v %v", mresp.TypeName, sresp.Diagnostics, diags)
		}
	}
	want := []string{"supvisors_state", "supvisors_strategies", "supvisors_instances", "supvisors_instance",
		"supvisors_applications", "supvisors_application", "supvisors_application_rules", "supvisors_process_rules",
		"supvisors_processes", "supvisors_conflicts", "supvisors_rpc"}
	if !slices.Equal(names, want) {
		t.Errorf("type names %v, want %v", names, want)
	}
}

// Without a configured provider no data source reads, and each says why.
func TestDataSourcesUnconfigured(t *testing.T) {
	for _, newDS := range dataSourceConstructors() {
		d := testDataSourceError(t, newDS(), nil, nil)
		wantDiag(t, d, "Provider not configured", "this data source cannot reach the cluster")
	}
}

func TestDataSourceConfigure(t *testing.T) {
	d := NewStateDataSource().(datasource.DataSourceWithConfigure)
	var resp datasource.ConfigureResponse
	d.Configure(context.Background(), datasource.ConfigureRequest{ProviderData: "not provider data"}, &resp)
	if !resp.Diagnostics.HasError() || resp.Diagnostics.Errors()[0].Summary() != "Unexpected provider data" {
		t.Errorf("wrong provider data: %v", resp.Diagnostics)
	}
	// Unconfigured (nil provider data while Terraform validates): no error, and a Read says why it cannot run.
	resp = datasource.ConfigureResponse{}
	d.Configure(context.Background(), datasource.ConfigureRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Errorf("nil provider data: %v", resp.Diagnostics)
	}
}

// beginWith fails when the configuration has no such attribute (a bug of the data source, never a user error).
func TestDataSourceBeginWith(t *testing.T) {
	_, c := dsFake(t)
	d := &dataSourceBase{data: &providerData{client: c}}
	var sresp datasource.SchemaResponse
	NewStateDataSource().Schema(context.Background(), datasource.SchemaRequest{}, &sresp)
	config := tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(sresp.Schema.Type().TerraformType(context.Background()), nil)}
	var diags diag.Diagnostics
	if _, got, _ := d.beginWith(context.Background(), config, "name", &diags); got != nil || !diags.HasError() {
		t.Errorf("no attribute name: client %v, %v", got, diags)
	}
}

// The hints of the unknown-name errors are left out when the cluster cannot list what it knows.
func TestDataSourceUnknownNameWithoutHint(t *testing.T) {
	cl, c := dsFake(t)
	cl.Fail("supvisors.get_all_applications_info", supvisorstest.FaultFailed, "FAILED: applications")
	cl.Fail("supvisors.get_all_instances_info", supvisorstest.FaultFailed, "FAILED: instances")
	d := testDataSourceError(t, NewApplicationRulesDataSource(), c, map[string]any{"name": "nope"})
	if want := `Supvisors knows no application named "nope". `; d.Detail() != want {
		t.Errorf("application detail %q, want %q", d.Detail(), want)
	}
	d = testDataSourceError(t, NewInstanceDataSource(), c, map[string]any{"identifier": "node9"})
	if want := `No Supvisors instance is named "node9": give its identifier (host:port) or its nickname. `; d.Detail() != want {
		t.Errorf("instance detail %q, want %q", d.Detail(), want)
	}
}
