package provider

// Acceptance test harness shared by every resource and data source test of this package.
//
// With TF_ACC set, TestMain starts ONE real 3-instance Supvisors cluster (internal/testlab) for the whole test
// binary, and every acceptance test runs the real terraform CLI (TF_ACC_TERRAFORM_PATH) against the provider
// served in-process. Without TF_ACC only the unit tests run and no cluster is started.
//
// Each test works on its own lab application(s) (app_a .. app_h, pg_a .. pg_d, ...) so tests can use
// resource.ParallelTest; tests that share an application, or change the cluster as a whole, use resource.Test.

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

// testAccLab is the cluster of this test binary; nil without TF_ACC.
var testAccLab *testlab.Cluster

// testAccProtoV6ProviderFactories serves the provider in-process, so no registry or built binary is needed.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"supvisors": providerserver.NewProtocol6WithError(New("test")()),
}

func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC") == "" {
		os.Exit(m.Run())
	}
	// A plain supervisord (no Supvisors) runs beside the cluster, for the plain-Supervisor tests (plain_acc_test.go).
	os.Exit(testAccWithPlain(func() int {
		return testlab.Main(m, testlab.Options{}, func(c *testlab.Cluster) { testAccLab = c })
	}))
}

// testAccPreCheck gates every acceptance test: it skips without TF_ACC (the Terraform convention, so that
// `make testunit` runs only unit tests; `make test` always sets TF_ACC) and fails when TF_ACC is set but TestMain
// did not start the lab. Tests that touch the lab before resource.Test must call it first.
func testAccPreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run it against a real lab cluster (make test does)")
	}
	if testAccLab == nil {
		t.Fatal("no Supvisors test lab: acceptance tests need TF_ACC=1, which makes TestMain start one")
	}
}

// testAccProviderBlock returns a provider block for the lab's first instance, with its credentials.
func testAccProviderBlock() string {
	return testAccProviderBlockWith()
}

// testAccProviderBlockWith is testAccProviderBlock with extra attribute lines, e.g. `ready_timeout = "5s"`.
func testAccProviderBlockWith(extra ...string) string {
	if testAccLab == nil {
		return `provider "supvisors" {}` + "\n"
	}
	return testAccProviderConfig(testAccLab.URL(0), testAccLab.Username(), testAccLab.Password(), extra...)
}

// testAccProviderConfig renders a provider block with the given url and credentials (empty = omitted) and extra
// attribute lines.
func testAccProviderConfig(url, username, password string, extra ...string) string {
	var b strings.Builder
	b.WriteString("provider \"supvisors\" {\n")
	if url != "" {
		fmt.Fprintf(&b, "  url = %q\n", url)
	}
	if username != "" {
		fmt.Fprintf(&b, "  username = %q\n", username)
	}
	if password != "" {
		fmt.Fprintf(&b, "  password = %q\n", password)
	}
	for _, line := range extra {
		fmt.Fprintf(&b, "  %s\n", line)
	}
	b.WriteString("}\n")
	return b.String()
}

// testAccClient returns a client of the lab's first instance, for out-of-band actions and checks.
func testAccClient(t *testing.T) *supvisors.Client {
	t.Helper()
	testAccPreCheck(t)
	c, err := supvisors.New(supvisors.Config{
		URL:      testAccLab.URL(0),
		Username: testAccLab.Username(),
		Password: testAccLab.Password(),
		// Out-of-band checks must see the cluster as it is now.
		SnapshotMaxAge: -1,
	})
	if err != nil {
		t.Fatalf("lab client: %v", err)
	}
	return c
}
