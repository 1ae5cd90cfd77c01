package provider

// https through a real TLS-terminating reverse proxy (internal/testlab TLSProxy) in front of the real cluster.

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestInsecureWarns: insecure = true on an https URL is accepted with a warning that says what it costs.
func TestInsecureWarns(t *testing.T) {
	m := providerModel{
		URL: types.StringValue("https://127.0.0.1:1"), Username: types.StringNull(), Password: types.StringNull(),
		RequestTimeout: types.StringNull(), ReadyTimeout: types.StringNull(), CAFile: types.StringNull(),
		Insecure: types.BoolValue(true), InstanceURLs: types.MapNull(types.StringType),
	}
	cfg, diags := m.clientConfig(func(string) string { return "" })
	if diags.HasError() || !cfg.Insecure {
		t.Fatalf("insecure refused: %v", diags)
	}
	if len(diags.Warnings()) != 1 || !strings.Contains(diags.Warnings()[0].Detail(), "does not verify the certificate") {
		t.Fatalf("want one warning about the unverified certificate, got %v", diags)
	}
	m.Insecure = types.BoolValue(false)
	if _, diags := m.clientConfig(func(string) string { return "" }); len(diags) != 0 {
		t.Fatalf("verified https: unexpected diagnostics %v", diags)
	}
}

// TestAccProvider_tlsProxy: the provider reads the real cluster through a TLS proxy with ca_file (verified), is
// refused with a clear message when ca_file holds another CA, and reads with insecure = true (with a warning,
// see TestInsecureWarns).
func TestAccProvider_tlsProxy(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel()
	proxy, err := testAccLab.StartTLSProxy(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Close() })
	provider := func(extra ...string) string {
		return testAccProviderConfig(proxy.URL, testAccLab.Username(), testAccLab.Password(), extra...)
	}
	const reads = `
data "supvisors_state" "test" {}
data "supvisors_applications" "test" {}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: provider(`ca_file = "`+proxy.CAFile+`"`) + reads,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.supvisors_state.test", "fsm_statename", "OPERATION"),
					resource.TestCheckTypeSetElemAttr("data.supvisors_applications.test", "names.*", "web"),
				),
			},
			{
				Config: provider(`ca_file = "`+proxy.OtherCAFile+`"`) + reads,
				ExpectError: regexp.MustCompile(`(?s)TLS\s+connection\s+to\s+the\s+server\s+at\s+https://127.0.0.1:[0-9]+\s+failed.*` +
					`unknown\s+authority.*Set\s+ca_file`),
			},
			{
				// no ca_file: the system's trust store does not know the lab's CA either
				Config:      provider() + `data "supvisors_state" "test" {}`,
				ExpectError: regexp.MustCompile(`(?s)could\s+not\s+be\s+verified.*ca_file`),
			},
			{
				Config: provider(`insecure = true`) + reads,
				Check:  resource.TestCheckResourceAttr("data.supvisors_state.test", "fsm_statename", "OPERATION"),
			},
		},
	})
}
