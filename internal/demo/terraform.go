package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// providerSource is the provider address that the examples declare and that dev_overrides replaces.
const providerSource = "supvisors/supvisors"

// repoRoot returns the root of the module (the directory holding go.mod and main.go), searched upwards from
// the working directory, so that `go run ./internal/demo` and `go test ./internal/demo` both find it.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if fileExists(filepath.Join(dir, "go.mod")) && fileExists(filepath.Join(dir, "main.go")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the repository root (go.mod + main.go) above the working directory")
		}
		dir = parent
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// findTerraformCLI returns the Terraform CLI to run: $TF_ACC_TERRAFORM_PATH when set (the acceptance tests use
// the same variable), else terraform on PATH, else tofu on PATH.
func findTerraformCLI() (string, error) {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if !fileExists(p) {
			return "", fmt.Errorf("TF_ACC_TERRAFORM_PATH=%s does not exist", p)
		}
		return p, nil
	}
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("neither terraform nor tofu is on PATH: install one of them (https://developer.hashicorp.com/terraform/install or https://opentofu.org/docs/intro/install/)")
}

// buildProvider compiles the provider of the repository at root into binDir, under the file name that
// Terraform looks for in a dev_overrides directory.
func buildProvider(ctx context.Context, root, binDir string, out io.Writer) (string, error) {
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(binDir, "terraform-provider-supvisors")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = root
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build of the provider failed: %w", err)
	}
	return bin, nil
}

// writeTerraformRC writes a CLI configuration that makes Terraform (or OpenTofu) use the provider binary in
// binDir for supvisors/supvisors. With dev_overrides, plan/apply/validate/import need no `init` when every
// provider of the configuration is overridden; other providers still install from their registry.
func writeTerraformRC(path, binDir string) error {
	abs, err := filepath.Abs(binDir)
	if err != nil {
		return err
	}
	content := fmt.Sprintf(`# Written by internal/demo: use the locally built provider instead of a registry release.
provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, providerSource, abs)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

// terraformRunner runs one CLI in one working directory with a fixed environment.
type terraformRunner struct {
	cli  string   // path to terraform or tofu
	dir  string   // working directory (-chdir)
	env  []string // full environment of the child
	echo io.Writer
}

// newTerraformRunner prepares the environment: the dev_overrides CLI configuration, the connection settings of
// the provider, no update check, no prompts.
func newTerraformRunner(cli, dir, rcFile, url, username, password string, echo io.Writer) *terraformRunner {
	env := os.Environ()
	env = setEnv(env, "TF_CLI_CONFIG_FILE", rcFile)
	env = setEnv(env, "CHECKPOINT_DISABLE", "1")
	env = setEnv(env, "TF_INPUT", "0")
	env = setEnv(env, "SUPVISORS_URL", url)
	env = setEnv(env, "SUPVISORS_USERNAME", username)
	env = setEnv(env, "SUPVISORS_PASSWORD", password)
	return &terraformRunner{cli: cli, dir: dir, env: env, echo: echo}
}

// setEnv returns env with key set to value (replacing any previous value).
func setEnv(env []string, key, value string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}

// run executes the CLI with args and returns its combined output; the output is also copied to the echo
// writer when one is set. A non-zero exit is returned as an error that holds the exit code.
func (r *terraformRunner) run(ctx context.Context, args ...string) (string, error) {
	var buf bytes.Buffer
	cmd := exec.CommandContext(ctx, r.cli, append([]string{"-chdir=" + r.dir}, args...)...)
	cmd.Env = r.env
	var w io.Writer = &buf
	if r.echo != nil {
		w = io.MultiWriter(&buf, r.echo)
	}
	cmd.Stdout = w
	cmd.Stderr = w
	err := cmd.Run()
	if err != nil {
		return buf.String(), fmt.Errorf("%s %s: %w", filepath.Base(r.cli), strings.Join(args, " "), err)
	}
	return buf.String(), nil
}

// copyTFFiles replaces the *.tf files of dst with those of src (state files and .terraform stay).
func copyTFFiles(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(dst, "*.tf"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	files, err := filepath.Glob(filepath.Join(src, "*.tf"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no *.tf file in %s", src)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
