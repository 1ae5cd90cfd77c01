package testlab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// PlainSupervisorVersions are the Supervisor releases a plain supervisord is tested with: the lab's own
// (SupervisorVersion, from the Supvisors venv) and 4.2.5, the last 4.2 release, in a venv of its own.
var PlainSupervisorVersions = []string{"4.2.5", SupervisorVersion}

// plainPins is what pip installs for a plain supervisord of the given Supervisor version. Supervisor 4.2.x
// imports pkg_resources, which setuptools 81 dropped.
func plainPins(version string) []string {
	pins := []string{"supervisor==" + version}
	if strings.HasPrefix(version, "4.2.") {
		pins = append(pins, "setuptools<81")
	}
	return pins
}

// ensurePlainVenv returns the python of a cached venv holding only Supervisor version (for StartPlain with
// PlainOptions.SupervisorVersion), creating it when missing, behind the same kind of lock as EnsureVenv.
func ensurePlainVenv(ctx context.Context, version string, logf func(string, ...any)) (string, error) {
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("create the lab cache %s: %w", cache, err)
	}
	venv := filepath.Join(cache, "venv-supervisor-"+version)
	python := filepath.Join(venv, "bin", "python")
	marker := filepath.Join(venv, ".testlab-ready")
	want := strings.Join(plainPins(version), " ") + "\n"
	ready := func() bool {
		b, err := os.ReadFile(marker)
		return err == nil && string(b) == want &&
			exec.CommandContext(ctx, python, "-c", "import supervisor.supervisord").Run() == nil
	}
	if ready() {
		return python, nil
	}
	unlock, err := lockFile(ctx, venv+".lock", logf)
	if err != nil {
		return "", err
	}
	defer unlock()
	if ready() {
		return python, nil
	}
	base := os.Getenv("SUPVISORS_LAB_PYTHON")
	if base == "" {
		if base, err = exec.LookPath("python3"); err != nil {
			return "", fmt.Errorf("python3 not found on PATH (needed to install Supervisor %s): %w", version, err)
		}
	}
	start := time.Now()
	logf("testlab: installing Supervisor %s into %s (one time; cached for later runs)", version, venv)
	if err := os.RemoveAll(venv); err != nil {
		return "", err
	}
	for _, args := range [][]string{
		{base, "-m", "venv", venv},
		append([]string{python, "-m", "pip", "install", "--no-input", "--disable-pip-version-check"}, plainPins(version)...),
	} {
		if out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s failed: %w\n%s", strings.Join(args, " "), err, tail(string(out), 30))
		}
	}
	if err := os.WriteFile(marker, []byte(want), 0o644); err != nil {
		return "", err
	}
	if !ready() {
		return "", fmt.Errorf("the venv %s was installed but `import supervisor.supervisord` fails in it", venv)
	}
	logf("testlab: Supervisor %s venv ready in %s", version, time.Since(start).Round(100*time.Millisecond))
	return python, nil
}
