package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// providerAddress is the provider's source address as Terraform configurations write it.
const providerAddress = "supvisors/supvisors"

// tfEnv holds what every terraform run of the bench shares: the CLI, its configuration file with the
// dev_overrides pointing at the freshly built provider, and a private plugin/data directory.
type tfEnv struct {
	bin     string // terraform CLI path
	rcFile  string // CLI configuration with dev_overrides
	logFile string // optional TF_LOG_PATH; empty = no logging
}

// buildProvider compiles the provider (the module root's main package) into dir and returns dir.
func buildProvider(ctx context.Context, moduleRoot, dir string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "terraform-provider-supvisors"), ".")
	cmd.Dir = moduleRoot
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build of the provider failed: %v\n%s", err, out)
	}
	return nil
}

// writeTerraformRC writes a CLI configuration that resolves supvisors/supvisors to the binary in pluginDir
// without any registry or `terraform init`.
func writeTerraformRC(path, pluginDir string) error {
	// No `terraform init` is ever run, so no installation method besides the override is needed:
	// nothing can reach a registry.
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
  }
}
disable_checkpoint = true
`, providerAddress, pluginDir)
	return os.WriteFile(path, []byte(rc), 0o600)
}

// moduleRoot finds the directory of the go.mod that `go run` uses.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the bench from inside the provider's module (go run ./internal/bench)")
	}
	return filepath.Dir(gomod), nil
}

// workspace is one Terraform working directory with its own configuration and state.
type workspace struct {
	env      *tfEnv
	dir      string
	extraEnv []string // more environment for its runs (e.g. the provider's CPU profile)
}

// write replaces the workspace's configuration.
func (w *workspace) write(config string) error {
	return os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(config), 0o600)
}

// tfResult is the outcome of one terraform command.
type tfResult struct {
	Wall     time.Duration
	ExitCode int
	Output   string
}

// run executes `terraform args...` in the workspace and times it. A non-zero exit is returned in the result;
// the error is only for failures to run at all, or for exit codes not listed in okCodes.
func (w *workspace) run(ctx context.Context, okCodes []int, args ...string) (tfResult, error) {
	cmd := exec.CommandContext(ctx, w.env.bin, args...)
	cmd.Dir = w.dir
	cmd.Env = append(filteredEnv(),
		"TF_CLI_CONFIG_FILE="+w.env.rcFile,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"TF_DATA_DIR="+filepath.Join(w.dir, ".terraform"),
	)
	cmd.Env = append(cmd.Env, w.extraEnv...)
	if w.env.logFile != "" {
		cmd.Env = append(cmd.Env, "TF_LOG=DEBUG", "TF_LOG_PATH="+w.env.logFile)
	}
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	start := time.Now()
	err := cmd.Run()
	res := tfResult{Wall: time.Since(start), Output: buf.String()}
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return res, fmt.Errorf("terraform %s: %w", strings.Join(args, " "), err)
		}
		res.ExitCode = ee.ExitCode()
	}
	for _, c := range okCodes {
		if c == res.ExitCode {
			return res, nil
		}
	}
	return res, fmt.Errorf("terraform %s in %s exited %d:\n%s", strings.Join(args, " "), w.dir, res.ExitCode, tail(res.Output, 4000))
}

// filteredEnv is the bench's environment without variables that would change what terraform or the
// provider does (another CLI config, logging, the provider's own settings).
func filteredEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "TF_CLI_CONFIG_FILE", k == "TERRAFORM_CONFIG", k == "TF_DATA_DIR",
			strings.HasPrefix(k, "TF_LOG"), k == "TF_PLUGIN_CACHE_DIR", k == "TF_REATTACH_PROVIDERS",
			strings.HasPrefix(k, "TF_VAR_"), strings.HasPrefix(k, "TF_CLI_ARGS"),
			strings.HasPrefix(k, "SUPVISORS_"), strings.HasPrefix(k, "SUPERVISOR_"):
			continue
		}
		out = append(out, kv)
	}
	return out
}

// tail returns the last n bytes of s (whole lines where possible).
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return "...\n" + s
}

// providerBlock is the provider configuration every bench workspace uses: the counting proxy's URL.
func providerBlock(url, username, password string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    supvisors = {
      source = %q
    }
  }
}

provider "supvisors" {
  url      = %q
  username = %q
  password = %q
}
`, providerAddress, url, username, password)
}

// applicationsConfig declares one supvisors_application per name, all in the same desired state.
func applicationsConfig(provider string, names []string, state string) string {
	var b strings.Builder
	b.WriteString(provider)
	for _, n := range names {
		fmt.Fprintf(&b, `
resource "supvisors_application" %q {
  name  = %q
  state = %q
}
`, n, n, state)
	}
	return b.String()
}

// terraformVersion returns e.g. "1.11.4".
func terraformVersion(ctx context.Context, bin string) string {
	cmd := exec.CommandContext(ctx, bin, "version")
	cmd.Env = append(filteredEnv(), "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE="+os.DevNull)
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimPrefix(strings.TrimSpace(first), "Terraform v")
}
