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
	return ensureVenv(ctx, venvSpec{name: rel.venvName(), pins: rel.pins(), what: "Supvisors " + rel.Version,
		imports: "supvisors.plugin, supervisor.supervisord"}, logf)
}

// venvSpec is one cached venv of the lab.
type venvSpec struct {
	name    string   // its directory in CacheDir (CI caches depend on these names)
	pins    []string // what pip installs; the ready marker holds them, so changing one rebuilds the venv
	what    string   // what it holds, for the messages: "Supvisors 0.19.1", "Supervisor 4.2.5"
	imports string   // the modules a ready venv imports (python -c "import <imports>")
}

// ensureVenv returns the python interpreter of the cached venv of spec, building it when it is missing or
// broken, behind a file lock.
func ensureVenv(ctx context.Context, spec venvSpec, logf func(string, ...any)) (string, error) {
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("create the lab cache %s: %w", cache, err)
	}
	v := venv{venvSpec: spec, dir: filepath.Join(cache, spec.name)}
	if v.ready(ctx) {
		return v.python(), nil
	}
	unlock, err := lockFile(ctx, v.dir+".lock", logf)
	if err != nil {
		return "", err
	}
	defer unlock()
	if v.ready(ctx) { // made by another process while we waited for the lock
		return v.python(), nil
	}
	if err := v.build(ctx, logf); err != nil {
		return "", err
	}
	return v.python(), nil
}

// venv is the venv of a venvSpec in the cache.
type venv struct {
	venvSpec
	dir string
}

func (v venv) python() string { return filepath.Join(v.dir, "bin", "python") }
func (v venv) marker() string { return filepath.Join(v.dir, ".testlab-ready") }
func (v venv) want() string   { return strings.Join(v.pins, " ") + "\n" }

// ready reports whether the venv holds its pins and imports its modules (a venv breaks when its base
// interpreter changes or disappears).
func (v venv) ready(ctx context.Context) bool {
	b, err := os.ReadFile(v.marker())
	if err != nil || string(b) != v.want() {
		return false
	}
	return exec.CommandContext(ctx, v.python(), "-c", "import "+v.imports).Run() == nil
}

// build makes the venv afresh (python3 -m venv, pip install of the pins) and writes its ready marker.
func (v venv) build(ctx context.Context, logf func(string, ...any)) error {
	base, err := basePython(v.what)
	if err != nil {
		return err
	}
	start := time.Now()
	logf("testlab: installing %s into %s (one time; cached for later runs)", v.what, v.dir)
	if err := os.RemoveAll(v.dir); err != nil {
		return fmt.Errorf("remove the broken venv %s: %w", v.dir, err)
	}
	steps := [][]string{
		{base, "-m", "venv", v.dir},
		append([]string{v.python(), "-m", "pip", "install", "--no-input", "--disable-pip-version-check"}, v.pins...),
	}
	for i, args := range steps {
		logf("testlab: running %s", strings.Join(args, " "))
		out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
		if err != nil {
			hint := ""
			if i == 0 {
				hint = " (on Debian/Ubuntu: apt-get install python3-venv)"
			}
			return fmt.Errorf("%s failed%s: %w\n%s", strings.Join(args, " "), hint, err, tail(string(out), 30))
		}
	}
	if err := os.WriteFile(v.marker(), []byte(v.want()), 0o644); err != nil {
		return err
	}
	if !v.ready(ctx) {
		return fmt.Errorf("the venv %s was installed but `import %s` fails in it", v.dir, v.imports)
	}
	logf("testlab: %s venv ready in %s", v.what, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// basePython is the interpreter that creates the venvs: $SUPVISORS_LAB_PYTHON, else python3 on PATH.
func basePython(what string) (string, error) {
	if base := os.Getenv("SUPVISORS_LAB_PYTHON"); base != "" {
		return base, nil
	}
	base, err := exec.LookPath("python3")
	if err != nil {
		return "", fmt.Errorf("python3 not found on PATH (needed to install %s; set SUPVISORS_LAB_PYTHON): %w", what, err)
	}
	return base, nil
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
