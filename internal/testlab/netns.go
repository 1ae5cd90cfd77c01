package testlab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Private network namespaces for the releases that bind on all interfaces (Supvisors up to 0.17 listens on
// 0.0.0.0:internal_port). The test binary re-executes itself inside a namespace it creates (`ip netns add`,
// only `lo` up, a hosts file that maps the host name to 127.0.0.1), so that the lab, the clients and terraform
// all run there and several labs never meet; the namespace is removed when the child ends. Root is needed.

// envNetns names the namespace the process runs in (set by the re-execution).
const envNetns = "SUPVISORS_LAB_NETNS"

// InNamespace returns the name of the private network namespace this process runs in ("" when none).
func InNamespace() string { return os.Getenv(envNetns) }

// NeedsNamespace reports whether the release must run in a private network namespace.
func NeedsNamespace(version string) bool {
	r, err := LookupRelease(version)
	return err == nil && r.Namespace
}

// RunInNamespace creates a private network namespace svtf-<random>, runs this executable again inside it with
// the same arguments (stdin, stdout and stderr shared; SIGINT and SIGTERM forwarded), then kills what is left
// in the namespace and removes it. It returns the child's exit code, or 1 with the reason on stderr when the
// namespace cannot be made.
func RunInNamespace() int {
	name := "svtf-" + randomID()[:10]
	cleanup, err := makeNamespace(name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: testlab: cannot create the private network namespace %s (needed because "+
			"this Supvisors release binds on all interfaces; root and iproute2 are required): %v\n", name, err)
		return 1
	}
	defer cleanup()
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: testlab: %v\n", err)
		return 1
	}
	cmd := exec.Command("ip", append([]string{"netns", "exec", name, exe}, os.Args[1:]...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envNetns+"="+name)
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: testlab: run inside %s: %v\n", name, err)
		return 1
	}
	go func() {
		for s := range sig {
			_ = cmd.Process.Signal(s)
		}
	}()
	err = cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() > 0:
		return ee.ExitCode()
	default:
		fmt.Fprintf(os.Stderr, "FAIL: testlab: the run inside %s ended: %v\n", name, err)
		return 1
	}
}

// makeNamespace creates the namespace with lo up and its hosts file; the returned function removes both,
// killing every process left inside first.
func makeNamespace(name string) (func(), error) {
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ip netns add %s: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	etc := filepath.Join("/etc/netns", name)
	cleanup := func() {
		if out, err := exec.Command("ip", "netns", "pids", name).Output(); err == nil {
			for _, f := range strings.Fields(string(out)) {
				if pid, err := strconv.Atoi(f); err == nil {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		_ = exec.Command("ip", "netns", "del", name).Run()
		_ = os.RemoveAll(etc)
	}
	if out, err := exec.Command("ip", "-n", name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		cleanup()
		return nil, fmt.Errorf("ip -n %s link set lo up: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	host, _ := os.Hostname()
	hosts := "127.0.0.1 localhost\n::1 localhost\n"
	if host != "" && host != "localhost" {
		hosts = "127.0.0.1 localhost " + host + "\n::1 localhost\n"
	}
	if err := os.MkdirAll(etc, 0o755); err != nil {
		cleanup()
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(etc, "hosts"), []byte(hosts), 0o644); err != nil {
		cleanup()
		return nil, err
	}
	return cleanup, nil
}
