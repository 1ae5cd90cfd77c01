package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

// The configuration both flows of the guide start from: the provider, configured from the environment.
const guideProviderTF = `terraform {
  required_providers {
    supvisors = {
      source = "supvisors/supvisors"
    }
  }
}

provider "supvisors" {}
`

// guidePath is the guide this test follows, relative to the repository root.
const guidePath = "templates/guides/adopting-an-existing-cluster.md.tmpl"

// guideSnippets are the code blocks of the guide that the test runs, found by their content.
type guideSnippets struct {
	listing   string      // the throw-away configuration listing the applications
	imports   string      // the import blocks (step 1)
	generated string      // generated.tf as the guide shows it (step 3)
	resources string      // the hand-written blocks of the `terraform import` flow
	removed   string      // the removed block that lets go of an application
	importIDs [][2]string // address and ID of each `terraform import` command
}

var fence = regexp.MustCompile("(?ms)^( *)```(terraform|shell)\\n(.*?)^ *```$")

// readGuide extracts the code blocks of the guide (list items indent them: the indentation is removed).
func readGuide(t *testing.T, root string) guideSnippets {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, guidePath))
	if err != nil {
		t.Fatal(err)
	}
	var g guideSnippets
	importCmd := regexp.MustCompile(`^terraform import (\S+) (\S+)$`)
	for _, m := range fence.FindAllStringSubmatch(string(b), -1) {
		indent, lang := m[1], m[2]
		var lines []string
		for _, l := range strings.Split(m[3], "\n") {
			lines = append(lines, strings.TrimPrefix(l, indent))
		}
		code := strings.Join(lines, "\n")
		switch {
		case lang == "shell":
			for _, l := range lines {
				if sm := importCmd.FindStringSubmatch(strings.TrimSpace(l)); sm != nil {
					g.importIDs = append(g.importIDs, [2]string{sm[1], sm[2]})
				}
			}
		case strings.Contains(code, `data "supvisors_applications"`):
			g.listing = code
		case strings.Contains(code, "removed {"):
			g.removed = code
		case strings.Contains(code, "import {"):
			g.imports = code
		case strings.Contains(code, "__generated__"):
			g.generated = code
		case strings.Contains(code, `resource "supvisors_application"`):
			g.resources = code
		}
	}
	if g.listing == "" || g.imports == "" || g.generated == "" || g.resources == "" || g.removed == "" || len(g.importIDs) == 0 {
		t.Fatalf("%s: missing code blocks (listing, import blocks, generated.tf, resource blocks, removed block, terraform import commands): %+v",
			guidePath, g)
	}
	return g
}

// hclBlocks returns the top-level blocks of an HCL text, each as its non-empty, non-comment lines trimmed and
// joined, sorted: enough to compare a generated file with the guide's copy of it (Terraform writes the blocks in
// the order the imports finish, which varies).
func hclBlocks(s string) []string {
	var blocks []string
	var cur []string
	depth := 0
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		cur = append(cur, l)
		switch {
		case strings.HasSuffix(l, "{"):
			depth++
		case l == "}":
			depth--
		}
		if depth == 0 {
			blocks = append(blocks, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	if len(cur) > 0 {
		blocks = append(blocks, strings.Join(cur, "\n"))
	}
	sort.Strings(blocks)
	return blocks
}

// TestImportGuideFlow runs the guide "Adopting an existing cluster" with the real CLI against a real cluster:
// import blocks + `plan -generate-config-out`, apply, then a plan that must report no changes; then the same
// adoption with `terraform import` and hand-written blocks. Nothing may be restarted by either flow.
//
// terraform-plugin-testing cannot run -generate-config-out, hence the CLI here. Gated on TF_ACC like the
// other acceptance tests; it starts its own lab cluster.
func TestImportGuideFlow(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	guide := readGuide(t, root) // checked without TF_ACC too
	if os.Getenv("TF_ACC") == "" || testing.Short() {
		t.Skip("acceptance test: set TF_ACC=1, without -short (starts a Supvisors lab cluster and runs the terraform CLI)")
	}
	cli, err := findTerraformCLI()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()

	lab, err := testlab.Start(ctx, testlab.Options{Logf: t.Logf})
	if err != nil {
		t.Fatalf("the Supvisors test lab did not start: %v", err)
	}
	t.Cleanup(func() {
		if err := lab.Stop(); err != nil {
			t.Errorf("stop the lab: %v", err)
		}
	})

	tmp := t.TempDir()
	binDir := filepath.Join(tmp, "bin")
	if _, err := buildProvider(ctx, root, binDir, testWriter{t}); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(tmp, "terraformrc")
	if err := writeTerraformRC(rc, binDir); err != nil {
		t.Fatal(err)
	}

	client, err := supvisors.New(supvisors.Config{URL: lab.URL(0), Username: lab.Username(), Password: lab.Password()})
	if err != nil {
		t.Fatal(err)
	}
	// The situation of the guide: web runs (the cluster started it), pool was started by hand.
	if _, _, err := client.WaitApplication(ctx, "web", supvisors.ApplicationRunning); err != nil {
		t.Fatalf("web is not running in the lab: %v", err)
	}
	if err := client.StartProcess(ctx, supvisors.StrategyConfig, "pool:*", "", true); err != nil {
		t.Fatalf("start pool out of band: %v", err)
	}
	before := processEvents(ctx, t, client, "web", "pool")

	t.Run("listing the applications", func(t *testing.T) {
		dir := filepath.Join(tmp, "listing")
		writeFiles(t, dir, map[string]string{"main.tf": guideProviderTF, "list.tf": guide.listing})
		tf := newTerraformRunner(cli, dir, rc, lab.URL(0), lab.Username(), lab.Password(), nil)
		out := mustRun(ctx, t, tf, "apply", "-no-color", "-auto-approve")
		for _, want := range []string{`"web" = "RUNNING"`, `"pool" = "RUNNING"`, `"batch" = "STOPPED"`} {
			if !strings.Contains(out, want) {
				t.Errorf("the listing of the guide does not show %s:\n%s", want, out)
			}
		}
	})

	t.Run("import blocks and generate-config-out", func(t *testing.T) {
		dir := filepath.Join(tmp, "generated")
		writeFiles(t, dir, map[string]string{"main.tf": guideProviderTF, "imports.tf": guide.imports})
		tf := newTerraformRunner(cli, dir, rc, lab.URL(0), lab.Username(), lab.Password(), nil)

		out := mustRun(ctx, t, tf, "plan", "-no-color", "-generate-config-out=generated.tf")
		expectLine(t, out, `Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.`)
		generated, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
		if err != nil {
			t.Fatalf("generate-config-out wrote no generated.tf: %v", err)
		}
		t.Logf("generated.tf:\n%s", generated)
		// The guide shows the file as Terraform writes it; OpenTofu may lay it out differently.
		if got, want := hclBlocks(string(generated)), hclBlocks(guide.generated); filepath.Base(cli) != "tofu" &&
			strings.Join(got, "\n\n") != strings.Join(want, "\n\n") {
			t.Errorf("generated.tf differs from the copy in %s (update the guide):\n--- generated\n%s\n--- guide\n%s",
				guidePath, strings.Join(got, "\n\n"), strings.Join(want, "\n\n"))
		}

		out = mustRun(ctx, t, tf, "apply", "-no-color", "-auto-approve")
		expectLine(t, out, `Apply complete! Resources: 2 imported, 0 added, 0 changed, 0 destroyed.`)

		out, code := runCode(ctx, t, tf, "plan", "-no-color", "-detailed-exitcode")
		if code != 0 {
			t.Fatalf("the plan after importing with the generated configuration is not empty (exit code %d):\n%s", code, out)
		}
		expectLine(t, out, `No changes. Your infrastructure matches the configuration.`)
	})

	t.Run("terraform import command", func(t *testing.T) {
		dir := filepath.Join(tmp, "cli")
		writeFiles(t, dir, map[string]string{"main.tf": guideProviderTF, "resources.tf": guide.resources})
		tf := newTerraformRunner(cli, dir, rc, lab.URL(0), lab.Username(), lab.Password(), nil)

		for _, imp := range guide.importIDs {
			out := mustRun(ctx, t, tf, "import", "-no-color", imp[0], imp[1])
			expectLine(t, out, `Import successful!`)
		}

		out, code := runCode(ctx, t, tf, "plan", "-no-color", "-detailed-exitcode")
		if code != 0 {
			t.Fatalf("the plan after terraform import is not empty (exit code %d):\n%s", code, out)
		}
		expectLine(t, out, `No changes. Your infrastructure matches the configuration.`)

		// Letting go of web: its block replaced by the guide's removed block; the application keeps running.
		var keep []string
		for _, b := range hclBlocks(guide.resources) {
			if !strings.Contains(b, `"web"`) {
				keep = append(keep, b)
			}
		}
		writeFiles(t, dir, map[string]string{"resources.tf": strings.Join(keep, "\n\n") + "\n", "removed.tf": guide.removed})
		out = mustRun(ctx, t, tf, "apply", "-no-color", "-auto-approve")
		// OpenTofu adds ", 1 forgotten".
		expectMatch(t, out, `(?m)^Apply complete! Resources: 0 added, 0 changed, 0 destroyed(, 1 forgotten)?\.$`)
		if state := mustRun(ctx, t, tf, "state", "list"); strings.Contains(state, "supvisors_application.web") {
			t.Errorf("supvisors_application.web is still in the state after the removed block:\n%s", state)
		}
	})

	// Adoption and letting go read only: every process must still be the one that ran before (no stop, start or restart).
	after := processEvents(ctx, t, client, "web", "pool")
	for ns, ev := range before {
		if after[ns] != ev {
			t.Errorf("%s changed during the import flows (last event %v, then %v): adoption must not restart anything", ns, ev, after[ns])
		}
	}
}

// processEvents returns namespec -> "statename@last_event_mtime" for the processes of apps.
func processEvents(ctx context.Context, t *testing.T, c *supvisors.Client, apps ...string) map[string]string {
	t.Helper()
	procs, err := c.GetAllProcessInfo(ctx)
	if err != nil {
		t.Fatalf("get_all_process_info: %v", err)
	}
	want := map[string]bool{}
	for _, a := range apps {
		want[a] = true
	}
	ev := map[string]string{}
	for _, p := range procs {
		if want[p.ApplicationName] {
			ev[p.Namespec()] = string(p.Statename) + "@" + time.Duration(p.LastEventMtime*float64(time.Second)).String()
		}
	}
	for _, a := range apps {
		found := false
		for ns := range ev {
			found = found || strings.HasPrefix(ns, a+":")
		}
		if !found {
			t.Fatalf("no process of %s in get_all_process_info", a)
		}
	}
	return ev
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// mustRun runs the CLI and fails the test on a non-zero exit, showing the output.
func mustRun(ctx context.Context, t *testing.T, tf *terraformRunner, args ...string) string {
	t.Helper()
	out, err := tf.run(ctx, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out
}

// runCode runs the CLI and returns its output and exit code (for -detailed-exitcode).
func runCode(ctx context.Context, t *testing.T, tf *terraformRunner, args ...string) (string, int) {
	t.Helper()
	out, err := tf.run(ctx, args...)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out, 0
	case errors.As(err, &exit):
		return out, exit.ExitCode()
	default:
		t.Fatalf("%v\n%s", err, out)
		return out, -1
	}
}

// expectLine fails the test when no line of out is exactly want (after trimming spaces).
func expectLine(t *testing.T, out, want string) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(want) + `\s*$`)
	if !re.MatchString(out) {
		t.Fatalf("expected the line %q in the output:\n%s", want, out)
	}
}

// expectMatch fails the test when out does not match the regular expression re.
func expectMatch(t *testing.T, out, re string) {
	t.Helper()
	if !regexp.MustCompile(re).MatchString(out) {
		t.Fatalf("expected the output to match %q:\n%s", re, out)
	}
}

// testWriter sends command output to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	if s := strings.TrimRight(string(p), "\n"); s != "" {
		w.t.Log(s)
	}
	return len(p), nil
}
