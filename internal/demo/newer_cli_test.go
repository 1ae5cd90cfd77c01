package main

// The flows of Terraform 1.14+ driven with the CLI itself (terraform-plugin-testing has no -invoke and no
// query -generate-config-out): the adoption of a whole cluster with terraform query, as the guide tells it, and
// actions run with terraform apply -invoke. Both share one lab cluster, started by the first of them that runs;
// with an older CLI (or OpenTofu) they skip before starting it.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-version"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

// newerCLI is the lab, the provider build and the CLI that the tests of this file share.
var newerCLI struct {
	once   sync.Once
	err    error
	lab    *testlab.Cluster
	cli    string
	rc     string // CLI configuration with dev_overrides for the provider built from this tree
	client *supvisors.Client
}

func TestMain(m *testing.M) {
	code := m.Run()
	if newerCLI.lab != nil {
		if err := newerCLI.lab.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stop the lab: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// setupNewerCLI skips the test unless TF_ACC is set and the CLI is Terraform >= 1.14, then returns the shared
// lab, CLI and configuration (starting the lab and building the provider the first time).
func setupNewerCLI(t *testing.T) (*testlab.Cluster, string, string, *supvisors.Client) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" || testing.Short() {
		t.Skip("acceptance test: set TF_ACC=1, without -short (starts a Supvisors lab cluster and runs the terraform CLI)")
	}
	cli, err := findTerraformCLI()
	if err != nil {
		t.Fatal(err)
	}
	if why := needTerraform114(cli); why != "" {
		t.Skip(why)
	}
	newerCLI.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		root, err := repoRoot()
		if err != nil {
			newerCLI.err = err
			return
		}
		tmp, err := os.MkdirTemp("", "supvisors-newer-cli-")
		if err != nil {
			newerCLI.err = err
			return
		}
		binDir := filepath.Join(tmp, "bin")
		if _, err := buildProvider(ctx, root, binDir, testWriter{t}); err != nil {
			newerCLI.err = err
			return
		}
		rc := filepath.Join(tmp, "terraformrc")
		if err := writeTerraformRC(rc, binDir); err != nil {
			newerCLI.err = err
			return
		}
		// The lab outlives the test that starts it (TestMain stops it), so it logs to stderr (the default).
		lab, err := testlab.Start(ctx, testlab.Options{})
		if err != nil {
			newerCLI.err = fmt.Errorf("the Supvisors test lab did not start: %w", err)
			return
		}
		client, err := supvisors.New(supvisors.Config{URL: lab.URL(0), Username: lab.Username(), Password: lab.Password(),
			SnapshotMaxAge: -1})
		if err != nil {
			newerCLI.err = err
			return
		}
		newerCLI.lab, newerCLI.cli, newerCLI.rc, newerCLI.client = lab, cli, rc, client
	})
	if newerCLI.err != nil {
		t.Fatal(newerCLI.err)
	}
	return newerCLI.lab, newerCLI.cli, newerCLI.rc, newerCLI.client
}

// needTerraform114 returns why cli cannot run these tests ("" when it can): OpenTofu, or Terraform below 1.14.
func needTerraform114(cli string) string {
	out, err := exec.Command(cli, "version", "-json").Output()
	if err != nil {
		return fmt.Sprintf("%s version -json failed (%v): terraform query and actions need Terraform 1.14 or later", cli, err)
	}
	var v struct {
		TerraformVersion string `json:"terraform_version"`
	}
	if json.Unmarshal(out, &v) != nil || v.TerraformVersion == "" || strings.HasPrefix(filepath.Base(cli), "tofu") {
		return fmt.Sprintf("%s is not Terraform (OpenTofu has no terraform query and no actions): make test-terraform runs this test with Terraform 1.16.4", cli)
	}
	ver, err := version.NewVersion(v.TerraformVersion)
	if err != nil || ver.Core().LessThan(version.Must(version.NewVersion("1.14.0"))) {
		return fmt.Sprintf("Terraform %s: terraform query and actions need Terraform 1.14 or later; make test-terraform runs this test with Terraform 1.16.4", v.TerraformVersion)
	}
	return ""
}

// queryFile returns the query file of the guide: its terraform code block holding list blocks.
func queryFile(t *testing.T) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, guidePath))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range fence.FindAllStringSubmatch(string(b), -1) {
		indent, code := m[1], m[3]
		if m[2] != "terraform" || !strings.Contains(code, `list "supvisors_application"`) {
			continue
		}
		var lines []string
		for _, l := range strings.Split(code, "\n") {
			lines = append(lines, strings.TrimPrefix(l, indent))
		}
		return strings.Join(lines, "\n")
	}
	t.Fatalf("%s has no terraform code block with list blocks (the query file)", guidePath)
	return ""
}

// allEvents returns namespec -> "statename@last_event_mtime" for every process of the cluster.
func allEvents(ctx context.Context, t *testing.T, c *supvisors.Client) map[string]string {
	t.Helper()
	procs, err := c.GetAllProcessInfo(ctx)
	if err != nil {
		t.Fatalf("get_all_process_info: %v", err)
	}
	ev := map[string]string{}
	for _, p := range procs {
		ev[p.Namespec()] = fmt.Sprintf("%s@%.6f", p.Statename, p.LastEventMtime)
	}
	return ev
}

// TestQueryGuideFlow adopts the whole lab cluster the way the guide tells it: the guide's query file,
// `terraform query -generate-config-out`, `terraform apply` (everything imported, nothing else), then a plan
// that must be empty; no process may change (state and last event of every process of the cluster). It logs
// the time of the query and of the adoption.
func TestQueryGuideFlow(t *testing.T) {
	query := queryFile(t) // checked without TF_ACC too
	lab, cli, rc, client := setupNewerCLI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	// What the cluster starts itself, and besides: a homogeneous program started by hand, and the unmanaged group
	// with extra arguments.
	for _, app := range []string{"web", "worker"} {
		if _, _, err := client.WaitApplication(ctx, app, supvisors.ApplicationRunning); err != nil {
			t.Fatalf("%s is not running in the lab: %v", app, err)
		}
	}
	for _, start := range [][2]string{{"pool:*", ""}, {"tools:tool", "-v 2"}} {
		if err := client.StartProcess(ctx, supvisors.StrategyConfig, start[0], start[1], true); err != nil &&
			!supvisors.IsFault(err, supvisors.FaultAlreadyStarted) {
			t.Fatalf("start %s out of band: %v", start[0], err)
		}
		if _, err := client.WaitProcesses(ctx, start[0], true); err != nil {
			t.Fatalf("%s did not start: %v", start[0], err)
		}
	}
	snap, err := client.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := allEvents(ctx, t, client)

	dir := filepath.Join(t.TempDir(), "query")
	writeFiles(t, dir, map[string]string{"main.tf": guideProviderTF, "adopt.tfquery.hcl": query})
	tf := newTerraformRunner(cli, dir, rc, lab.URL(0), lab.Username(), lab.Password(), nil)

	start := time.Now()
	out := mustRun(ctx, t, tf, "query", "-no-color", "-generate-config-out=generated.tf")
	queryTime := time.Since(start)
	generated, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
	if err != nil {
		t.Fatalf("query -generate-config-out wrote no generated.tf: %v\n%s", err, out)
	}
	apps := regexp.MustCompile(`(?m)^resource "supvisors_application" `).FindAll(generated, -1)
	groups := regexp.MustCompile(`(?m)^resource "supvisors_process_group" `).FindAll(generated, -1)
	imports := regexp.MustCompile(`(?m)^import \{`).FindAll(generated, -1)
	if want := len(snap.ManagedApplicationNames()); len(apps) != want {
		t.Errorf("generated.tf has %d supvisors_application blocks, want one per managed application (%d)", len(apps), want)
	}
	if len(groups) != 1 || !regexp.MustCompile(`program\s+= "tool"`).Match(generated) {
		t.Errorf("generated.tf should have one supvisors_process_group, for the unmanaged tools:tool (%d):\n%s", len(groups), generated)
	}
	if !regexp.MustCompile(`extra_args\s+= "-v 2"`).Match(generated) {
		t.Errorf("the generated tools:tool block should keep the extra arguments it runs with:\n%s", generated)
	}
	if regexp.MustCompile(`strategy\s+= "`).Match(generated) {
		t.Errorf("generated.tf must leave strategy unset (null: the rules' strategy):\n%s", generated)
	}
	if len(imports) != len(apps)+len(groups) {
		t.Errorf("generated.tf has %d import blocks for %d resources", len(imports), len(apps)+len(groups))
	}

	start = time.Now()
	out = mustRun(ctx, t, tf, "apply", "-no-color", "-auto-approve")
	applyTime := time.Since(start)
	expectLine(t, out, fmt.Sprintf(`Apply complete! Resources: %d imported, 0 added, 0 changed, 0 destroyed.`, len(imports)))

	out, code := runCode(ctx, t, tf, "plan", "-no-color", "-detailed-exitcode")
	if code != 0 {
		t.Fatalf("the plan after adopting the cluster is not empty (exit code %d):\n%s", code, out)
	}
	expectLine(t, out, `No changes. Your infrastructure matches the configuration.`)

	after := allEvents(ctx, t, client)
	for ns, ev := range before {
		if after[ns] != ev {
			t.Errorf("%s changed during the adoption (%s, then %s): adopting must not start, stop or restart anything", ns, ev, after[ns])
		}
	}
	t.Logf("whole-cluster adoption of %d applications and %d process groups: terraform query -generate-config-out %.2fs, terraform apply %.2fs",
		len(apps), len(groups), queryTime.Seconds(), applyTime.Seconds())
}

// TestInvokeFlow runs the actions with terraform apply -invoke, the way an operator does: a restart of app_a with
// the rules' strategy (CONFIG in the lab: both processes on the first instance of the rules, node1) and of one
// process, each giving new pids; then conciliate outside CONCILIATION, which must fail and change nothing.
func TestInvokeFlow(t *testing.T) {
	lab, cli, rc, client := setupNewerCLI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := client.StartProcess(ctx, supvisors.StrategyLessLoaded, "app_a:*", "", true); err != nil &&
		!supvisors.IsFault(err, supvisors.FaultAlreadyStarted) {
		t.Fatalf("start app_a: %v", err)
	}
	t.Cleanup(func() { _ = client.StopProcess(context.Background(), "app_a:*", true) })

	dir := filepath.Join(t.TempDir(), "invoke")
	writeFiles(t, dir, map[string]string{"main.tf": guideProviderTF, "actions.tf": `
action "supvisors_restart_application" "app_a" {
  config {
    name = "app_a"
  }
}

action "supvisors_restart_process" "side" {
  config {
    namespec = "app_a:side"
  }
}

action "supvisors_conciliate" "now" {
  config {
    strategy = "SENICIDE"
  }
}
`})
	tf := newTerraformRunner(cli, dir, rc, lab.URL(0), lab.Username(), lab.Password(), nil)

	pids := func() map[string]string {
		p, err := testlab.RunningPids(ctx, client, "app_a:*")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	before := pids()
	out := mustRun(ctx, t, tf, "apply", "-no-color", "-auto-approve", "-invoke=action.supvisors_restart_application.app_a")
	expectMatch(t, out, `Actions: 1 invoked\.`)
	expectMatch(t, out, `restarting application app_a .* with strategy CONFIG \(the starting_strategy of the rules of app_a\)`)
	expectMatch(t, out, `application app_a is RUNNING: main, side on `+regexp.QuoteMeta(lab.Identifier(0)))
	after := pids()
	for _, ns := range []string{"app_a:main", "app_a:side"} {
		if after[ns] == "" || after[ns] == before[ns] {
			t.Errorf("%s was not restarted by -invoke: %v, then %v", ns, before, after)
		}
		if !strings.HasSuffix(after[ns], "@"+lab.Identifier(0)) {
			t.Errorf("with the rules' strategy (CONFIG) %s should run on the first instance %s: %s", ns, lab.Identifier(0), after[ns])
		}
	}
	t.Logf("terraform apply -invoke restart_application:\n%s", out)

	before = after
	out = mustRun(ctx, t, tf, "apply", "-no-color", "-auto-approve", "-invoke=action.supvisors_restart_process.side")
	expectMatch(t, out, `app_a:side restarted: side on 127\.0\.0\.1:\d+`)
	after = pids()
	if after["app_a:side"] == "" || after["app_a:side"] == before["app_a:side"] || after["app_a:main"] != before["app_a:main"] {
		t.Errorf("-invoke of restart_process app_a:side must restart side only: %v, then %v", before, after)
	}

	before = allEvents(ctx, t, client)
	out, code := runCode(ctx, t, tf, "apply", "-no-color", "-auto-approve", "-invoke=action.supvisors_conciliate.now")
	if code == 0 {
		t.Fatalf("conciliate outside CONCILIATION must fail:\n%s", out)
	}
	expectMatch(t, out, `(?s)not in CONCILIATION.*The cluster is in\s+OPERATION`)
	if got := allEvents(ctx, t, client); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("a refused conciliate changed the cluster")
	}
}
