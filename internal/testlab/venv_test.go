package testlab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBasePython is a stand-in for python3 that makes a "venv" whose python logs its arguments to log and
// fails every -c (import) while the file fail-import is beside base; base fails while fail-venv is. No PyPI
// needed.
func fakeBasePython(t *testing.T) (base, log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "calls.log")
	venvPython := `#!/bin/sh
echo "python $*" >> ` + log + `
[ "$1" = "-c" ] && [ -f ` + filepath.Join(dir, "fail-import") + ` ] && exit 1
exit 0
`
	base = filepath.Join(dir, "python3")
	script := `#!/bin/sh
echo "base $*" >> ` + log + `
[ -f ` + filepath.Join(dir, "fail-venv") + ` ] && { echo "no ensurepip"; exit 1; }
mkdir -p "$3/bin"
cat > "$3/bin/python" <<'PY'
` + venvPython + `PY
chmod +x "$3/bin/python"
`
	if err := os.WriteFile(base, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return base, log
}

// fakeVenvCache points the lab's cache at a new directory and its base python at fakeBasePython.
func fakeVenvCache(t *testing.T) (cache, base, log string) {
	cache = t.TempDir()
	base, log = fakeBasePython(t)
	t.Setenv("SUPVISORS_LAB_CACHE", cache)
	t.Setenv("SUPVISORS_LAB_PYTHON", base)
	return cache, base, log
}

func TestEnsureVenvBuildsOnceAndKeepsTheNames(t *testing.T) {
	cache, _, log := fakeVenvCache(t)
	ctx := context.Background()
	var logged []string
	logf := func(f string, a ...any) { logged = append(logged, f) }

	python, err := EnsureReleaseVenv(ctx, "0.18.7", logf)
	want := filepath.Join(cache, "venv-supvisors-0.18.7-supervisor-4.2.5", "bin", "python")
	if err != nil || python != want {
		t.Fatalf("EnsureReleaseVenv: %q %v", python, err)
	}
	calls, _ := os.ReadFile(log)
	if !strings.Contains(string(calls), "python -m pip install --no-input --disable-pip-version-check supvisors==0.18.7 supervisor==4.2.5 psutil==7.2.2 setuptools==75.8.0") ||
		!strings.Contains(string(calls), "python -c import supvisors.plugin, supervisor.supervisord") {
		t.Fatalf("calls:\n%s", calls)
	}
	marker, _ := os.ReadFile(filepath.Join(cache, "venv-supvisors-0.18.7-supervisor-4.2.5", ".testlab-ready"))
	if string(marker) != "supvisors==0.18.7 supervisor==4.2.5 psutil==7.2.2 setuptools==75.8.0\n" {
		t.Fatalf("marker %q", marker)
	}
	// Ready: no second install.
	before := len(calls)
	if _, err := EnsureReleaseVenv(ctx, "0.18.7", logf); err != nil {
		t.Fatal(err)
	}
	calls, _ = os.ReadFile(log)
	if strings.Contains(string(calls[before:]), "pip install") {
		t.Fatalf("installed again:\n%s", calls[before:])
	}

	// The plain venv of a Supervisor release: its own directory and pins.
	python, err = ensurePlainVenv(ctx, "4.2.5", logf)
	if err != nil || python != filepath.Join(cache, "venv-supervisor-4.2.5", "bin", "python") {
		t.Fatalf("ensurePlainVenv: %q %v", python, err)
	}
	marker, _ = os.ReadFile(filepath.Join(cache, "venv-supervisor-4.2.5", ".testlab-ready"))
	if string(marker) != "supervisor==4.2.5 setuptools<81\n" {
		t.Fatalf("plain marker %q", marker)
	}
	// A marker of other pins makes a new venv.
	if err := os.WriteFile(filepath.Join(cache, "venv-supervisor-4.2.5", ".testlab-ready"), []byte("supervisor==4.2.4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	logged = nil
	if _, err := ensurePlainVenv(ctx, "4.2.5", logf); err != nil || len(logged) == 0 || !strings.HasPrefix(logged[0], "testlab: installing") {
		t.Fatalf("rebuild: %v %v", err, logged)
	}
	if _, err := EnsureReleaseVenv(ctx, "9.9", logf); err == nil || !strings.Contains(err.Error(), "unknown Supvisors release") {
		t.Fatalf("unknown release: %v", err)
	}
}

func TestEnsureVenvFailures(t *testing.T) {
	_, base, _ := fakeVenvCache(t)
	ctx := context.Background()
	logf := func(string, ...any) {}

	// python3 -m venv fails: the error has the hint and the output.
	fail := filepath.Join(filepath.Dir(base), "fail-venv")
	if err := os.WriteFile(fail, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ensurePlainVenv(ctx, "4.3.0", logf)
	if err == nil || !strings.Contains(err.Error(), "apt-get install python3-venv") || !strings.Contains(err.Error(), "no ensurepip") {
		t.Fatalf("venv failure: %v", err)
	}
	_ = os.Remove(fail)
	// Installed, but the import fails in it.
	failImport := filepath.Join(filepath.Dir(base), "fail-import")
	if err := os.WriteFile(failImport, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ensurePlainVenv(ctx, "4.3.0", logf)
	if err == nil || !strings.Contains(err.Error(), "was installed but `import supervisor.supervisord` fails in it") {
		t.Fatalf("import failure: %v", err)
	}
	_ = os.Remove(failImport)
	if _, err := ensurePlainVenv(ctx, "4.3.0", logf); err != nil {
		t.Fatalf("rebuilt: %v", err)
	}
	// No python3 at all.
	t.Setenv("SUPVISORS_LAB_PYTHON", "")
	t.Setenv("PATH", t.TempDir())
	if _, err := ensurePlainVenv(ctx, "4.2.4", logf); err == nil || !strings.Contains(err.Error(), "needed to install Supervisor 4.2.4") {
		t.Fatalf("no python3: %v", err)
	}
}
