package provider

// Helpers of the acceptance tests of the Terraform 1.12+ / 1.14+ features (identity, list resources, actions):
// the CLI version gates and the process ids that tell a restart happened.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

// cliFeatureCheck skips a test whose feature the CLI lacks, saying which feature, which CLI it needs and which
// CLI ran.
type cliFeatureCheck struct {
	feature  string
	min      *version.Version
	opentofu bool // OpenTofu (at min or later) has the feature too
}

func (c cliFeatureCheck) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	switch {
	case testAccIsOpenTofu() && !c.opentofu:
		resp.Skip = fmt.Sprintf("%s: OpenTofu %s has none (Terraform %s or later has them; make test-terraform "+
			"runs this test with Terraform 1.16.4)", c.feature, req.TerraformVersion, c.min)
	case req.TerraformVersion.Core().LessThan(c.min):
		resp.Skip = fmt.Sprintf("%s need Terraform %s or later, this CLI is %s (make test-terraform runs this test "+
			"with Terraform 1.16.4)", c.feature, c.min, req.TerraformVersion)
	}
}

// testAccNeedsIdentity gates the tests of resource identity (Terraform and OpenTofu 1.12+).
var testAccNeedsIdentity = []tfversion.TerraformVersionCheck{
	cliFeatureCheck{feature: "resource identities", min: tfversion.Version1_12_0, opentofu: true},
}

// testAccNeedsQuery gates the tests of the list resources (terraform query, Terraform 1.14+).
var testAccNeedsQuery = []tfversion.TerraformVersionCheck{
	cliFeatureCheck{feature: "list resources (terraform query)", min: tfversion.Version1_14_0},
}

// testAccNeedsActions gates the tests of the actions (Terraform 1.14+).
var testAccNeedsActions = []tfversion.TerraformVersionCheck{
	cliFeatureCheck{feature: "actions", min: tfversion.Version1_14_0},
}

// testAccIsOpenTofu tells whether the acceptance tests run OpenTofu (.ci/tofu.sh sets the provider host).
func testAccIsOpenTofu() bool {
	return os.Getenv("TF_ACC_PROVIDER_HOST") == "registry.opentofu.org" ||
		strings.HasPrefix(filepath.Base(os.Getenv("TF_ACC_TERRAFORM_PATH")), "tofu")
}

// testAccClusterPids returns "pid@identifier" of every running process of namespec (see testlab.RunningPids).
func testAccClusterPids(t *testing.T, namespec string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pids, err := testlab.RunningPids(ctx, testAccClient(t), namespec)
	if err != nil {
		t.Fatal(err)
	}
	return pids
}

// testAccStartProcesses starts namespec (every process it designates) and waits until they run.
func testAccStartProcesses(t *testing.T, namespec, extraArgs string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := testAccClient(t)
	if err := c.StartProcess(ctx, supvisors.StrategyConfig, namespec, extraArgs, true); err != nil &&
		!supvisors.IsFault(err, supvisors.FaultAlreadyStarted) {
		t.Fatalf("start_process(%q): %v", namespec, err)
	}
	if _, err := c.WaitProcesses(ctx, namespec, true); err != nil {
		t.Fatalf("%s did not start: %v", namespec, err)
	}
}

// testAccStopProcesses stops namespec; for cleanups (errors are logged).
func testAccStopProcesses(t *testing.T, namespec string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := testAccClient(t)
	if err := c.StopProcess(ctx, namespec, true); err != nil && !supvisors.IsFault(err, supvisors.FaultNotRunning) {
		t.Logf("cleanup: stop_process(%q): %v", namespec, err)
	}
}

// testAccTriggeredAction is a configuration that invokes the action address after terraform_data.trigger is
// created or its input changes: the action_trigger way of running an action.
func testAccTriggeredAction(actionBlock, address, input string) string {
	return testAccProviderBlock() + actionBlock + fmt.Sprintf(`
resource "terraform_data" "trigger" {
  input = %q

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [%s]
    }
  }
}
`, input, address)
}
