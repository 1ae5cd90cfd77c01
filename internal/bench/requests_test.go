package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

// TestRequestCounts drives the real terraform CLI and the provider binary against a real cluster through the
// counting proxy and checks the request targets (counts only, never times): a plan over N resources sends 1
// request, and an apply starting K applications with -parallelism=10 sends at most 3 requests per started
// application (the shared poll; each resource polling on its own sent about 19).
func TestRequestCounts(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does) to run it against a real local cluster")
	}
	const n, k = 40, 10
	tfBin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tfBin == "" {
		var err error
		if tfBin, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("the terraform CLI is not on PATH and TF_ACC_TERRAFORM_PATH is not set")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	root, err := moduleRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pluginDir := filepath.Join(tmp, "plugins")
	if err := buildProvider(ctx, root, pluginDir); err != nil {
		t.Fatal(err)
	}
	env := &tfEnv{bin: tfBin, rcFile: filepath.Join(tmp, "terraformrc")}
	if err := writeTerraformRC(env.rcFile, pluginDir); err != nil {
		t.Fatal(err)
	}
	lab, err := testlab.Start(ctx, testlab.Options{BenchApps: n + k, Logf: t.Logf})
	if err != nil {
		t.Fatalf("the cluster did not start: %v", err)
	}
	t.Cleanup(func() { _ = lab.Stop() })
	proxy, err := startCountingProxy(lab.URL(0))
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	provider := providerBlock(proxy.URL(), lab.Username(), lab.Password())
	args := []string{"-input=false", "-no-color", "-lock=false", "-parallelism=10"}
	direct := labClient(lab, 0)

	count := func(ws *workspace, what string, codes []int, cmd ...string) int64 {
		t.Helper()
		before := proxy.Count()
		if _, err := ws.run(ctx, codes, append(cmd, args...)...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		got := proxy.Count() - before
		t.Logf("%s: %d HTTP requests: %s", what, got, strings.Join(shortRPCs(summarizeRPCs(proxy.Since(before))), "; "))
		return got
	}
	newWorkspace := func(name string) *workspace {
		ws := &workspace{env: env, dir: filepath.Join(tmp, name)}
		if err := os.MkdirAll(ws.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return ws
	}

	plan := newWorkspace("plan")
	if err := plan.write(applicationsConfig(provider, benchNames(0, n), "stopped")); err != nil {
		t.Fatal(err)
	}
	if got := count(plan, fmt.Sprintf("adopting %d stopped applications", n), []int{0}, "apply", "-auto-approve"); got > 2 {
		t.Errorf("adopting %d applications already in the wanted state sent %d requests, want at most 2 (snapshots)", n, got)
	}
	if got := count(plan, fmt.Sprintf("plan over %d resources", n), []int{0}, "plan", "-detailed-exitcode"); got != 1 {
		t.Errorf("a plan over %d resources sent %d requests, want 1", n, got)
	}

	apply := newWorkspace("apply")
	names := benchNames(n, k)
	if err := apply.write(applicationsConfig(provider, names, "stopped")); err != nil {
		t.Fatal(err)
	}
	count(apply, "adopting the applications to start", []int{0}, "apply", "-auto-approve")
	if err := apply.write(applicationsConfig(provider, names, "running")); err != nil {
		t.Fatal(err)
	}
	got := count(apply, fmt.Sprintf("apply starting %d applications", k), []int{0}, "apply", "-auto-approve")
	if err := checkState(ctx, direct, names, supvisors.ApplicationRunning); err != nil {
		t.Fatal(err)
	}
	if got > 3*k {
		t.Errorf("the apply starting %d applications sent %d requests, want at most %d (3 per started application)", k, got, 3*k)
	}
	if got := count(apply, "plan after the apply", []int{0}, "plan", "-detailed-exitcode"); got != 1 {
		t.Errorf("the plan after the apply sent %d requests, want 1", got)
	}
}
