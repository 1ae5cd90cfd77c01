package testlab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Pinned Python packages of the lab. The venv is named after them, so changing a pin makes a new venv.
const (
	// SupvisorsVersion is the Supvisors release the lab runs (PyPI).
	SupvisorsVersion = "0.19.1"
	// SupervisorVersion is the Supervisor release the lab runs (supvisors 0.19.1 accepts >=4.2.4,<4.4;
	// 4.3.0 no longer needs pkg_resources, so it also installs on Python >= 3.12).
	SupervisorVersion = "4.3.0"
	// PsutilVersion enables the Supvisors statistics.
	PsutilVersion = "7.2.2"
)

// CacheDir is where the lab keeps its Python venv, outside the work tree: $SUPVISORS_LAB_CACHE, else
// $XDG_CACHE_HOME/terraform-provider-supvisors, else ~/.cache/terraform-provider-supvisors.
func CacheDir() (string, error) {
	if d := os.Getenv("SUPVISORS_LAB_CACHE"); d != "" {
		return filepath.Abs(d)
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "terraform-provider-supvisors"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory: set SUPVISORS_LAB_CACHE (%w)", err)
	}
	return filepath.Join(home, ".cache", "terraform-provider-supvisors"), nil
}

// EnsureVenv returns the python interpreter of the cached venv holding the default Supvisors release (see
// EnsureReleaseVenv).
func EnsureVenv(ctx context.Context, logf func(string, ...any)) (string, error) {
	return EnsureReleaseVenv(ctx, DefaultRelease, logf)
}

// EnsureReleaseVenv returns the python interpreter of the cached venv holding the pinned packages of a
// Supvisors release (see Releases), creating the venv first when it is missing or broken (python3 -m venv +
// pip install from PyPI). A file lock serialises concurrent callers (several test binaries starting at once).
// The interpreter used to create the venv is $SUPVISORS_LAB_PYTHON, else python3 on PATH.
func EnsureReleaseVenv(ctx context.Context, version string, logf func(string, ...any)) (string, error) {
	rel, err := LookupRelease(version)
	if err != nil {
		return "", err
	}
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("create the lab cache %s: %w", cache, err)
	}
	venv := filepath.Join(cache, rel.venvName())
	python := filepath.Join(venv, "bin", "python")
	marker := filepath.Join(venv, ".testlab-ready")
	want := strings.Join(rel.pins(), " ") + "\n"

	ready := func() bool {
		b, err := os.ReadFile(marker)
		if err != nil || string(b) != want {
			return false
		}
		// the venv breaks when its base interpreter changes or disappears
		cmd := exec.CommandContext(ctx, python, "-c", "import supvisors.plugin, supervisor.supervisord")
		return cmd.Run() == nil
	}
	if ready() {
		return python, nil
	}

	unlock, err := lockFile(ctx, venv+".lock", logf)
	if err != nil {
		return "", err
	}
	defer unlock()
	if ready() { // made by another process while we waited for the lock
		return python, nil
	}

	base := os.Getenv("SUPVISORS_LAB_PYTHON")
	if base == "" {
		base, err = exec.LookPath("python3")
		if err != nil {
			return "", fmt.Errorf("python3 not found on PATH (needed to install Supvisors %s; set SUPVISORS_LAB_PYTHON): %w",
				rel.Version, err)
		}
	}
	start := time.Now()
	logf("testlab: installing Supvisors %s into %s (one time; cached for later runs)", rel.Version, venv)
	if err := os.RemoveAll(venv); err != nil {
		return "", fmt.Errorf("remove the broken venv %s: %w", venv, err)
	}
	steps := [][]string{
		{base, "-m", "venv", venv},
		append([]string{python, "-m", "pip", "install", "--no-input", "--disable-pip-version-check"}, rel.pins()...),
	}
	for _, args := range steps {
		logf("testlab: running %s", strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			hint := ""
			if args[1] == "-m" && args[2] == "venv" {
				hint = " (on Debian/Ubuntu: apt-get install python3-venv)"
			}
			return "", fmt.Errorf("%s failed%s: %w\n%s", strings.Join(args, " "), hint, err, tail(string(out), 30))
		}
	}
	if err := os.WriteFile(marker, []byte(want), 0o644); err != nil {
		return "", err
	}
	if !ready() {
		return "", fmt.Errorf("the venv %s was installed but `import supvisors.plugin` fails in it", venv)
	}
	logf("testlab: venv ready in %s", time.Since(start).Round(100*time.Millisecond))
	return python, nil
}

// lockFile takes an exclusive flock on path, waiting (and saying so) while another process holds it.
func lockFile(ctx context.Context, path string, logf func(string, ...any)) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	said := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !said {
			logf("testlab: waiting for %s (another process is installing the venv)", path)
			said = true
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("waiting for %s: %w", path, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
