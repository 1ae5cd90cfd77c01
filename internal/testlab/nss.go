package testlab

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// The self-identification trap (shared RUNNING-SUPVISORS.md): Supvisors 0.19 finds itself in supvisors_list by
// reverse-resolving the IPv4 address of every NON-loopback interface (socket.gethostbyaddr) and looking for the
// entry's host (here 127.0.0.1) among the names, aliases and addresses returned. Unless one of the machine's
// addresses resolves to a record that carries 127.0.0.1, every supervisord of a loopback cluster fails with
// "could not find the Supvisors in supvisors_list". The lab then runs supervisord under nss_wrapper with a
// private hosts file in which every such address carries 127.0.0.1 as an alias. Nothing changes system-wide.

// nonLoopbackIPv4 lists the IPv4 addresses of the machine's non-loopback interfaces, sorted.
func nonLoopbackIPv4() ([]string, error) {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, ifc := range ifaces {
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip4 := ipn.IP.To4()
			if ip4 == nil || ip4.IsLoopback() || seen[ip4.String()] {
				continue
			}
			seen[ip4.String()] = true
			out = append(out, ip4.String())
		}
	}
	sort.Strings(out)
	return out, nil
}

// selfIdentifyProbe prints "ok" when one of the given addresses reverse-resolves to a record holding
// 127.0.0.1, exactly the test Supvisors 0.19 makes (mapper.NetworkAddress.host_matches).
const selfIdentifyProbe = `
import socket, sys
for ip in sys.argv[1:]:
    try:
        name, aliases, addrs = socket.gethostbyaddr(ip)
    except OSError:
        continue
    if '127.0.0.1' in [name] + aliases + addrs:
        print('ok'); break
else:
    print('no')
`

// probeSelfIdentify runs the probe with python under the given extra environment.
func probeSelfIdentify(ctx context.Context, python string, env []string, addrs []string) (bool, string, error) {
	cmd := exec.CommandContext(ctx, python, append([]string{"-c", selfIdentifyProbe}, addrs...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return false, string(out), err
	}
	return strings.TrimSpace(string(out)) == "ok", string(out), nil
}

// findNSSWrapper locates libnss_wrapper.so: $SUPVISORS_LAB_NSS_WRAPPER, the usual library directories
// (multiarch included), then `dpkg -L libnss-wrapper`.
func findNSSWrapper() (string, error) {
	if p := os.Getenv("SUPVISORS_LAB_NSS_WRAPPER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("SUPVISORS_LAB_NSS_WRAPPER=%s: %w", p, err)
		}
		return p, nil
	}
	var candidates []string
	for _, pattern := range []string{
		"/usr/lib/*-linux-gnu*/libnss_wrapper.so", "/lib/*-linux-gnu*/libnss_wrapper.so",
		"/usr/lib64/libnss_wrapper.so", "/usr/lib/libnss_wrapper.so", "/usr/local/lib/libnss_wrapper.so",
		"/usr/local/lib64/libnss_wrapper.so",
	} {
		m, _ := filepath.Glob(pattern)
		candidates = append(candidates, m...)
	}
	if out, err := exec.Command("dpkg", "-L", "libnss-wrapper").Output(); err == nil {
		for _, l := range strings.Split(string(out), "\n") {
			if strings.HasSuffix(l, "/libnss_wrapper.so") {
				candidates = append(candidates, l)
			}
		}
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c, nil
		}
	}
	return "", fmt.Errorf("libnss_wrapper.so not found: install it (Debian/Ubuntu: `make deps` or " +
		"`apt-get install libnss-wrapper`; Fedora: nss_wrapper) or set SUPVISORS_LAB_NSS_WRAPPER to its path")
}

// selfIdentifyEnv decides how supervisord must run so that Supvisors finds itself in a 127.0.0.1 list: it
// returns nil when the plain setup works, or the nss_wrapper environment (LD_PRELOAD, NSS_WRAPPER_HOSTS with a
// hosts file written into dir). The probe is re-run under the wrapper to make sure it helps.
func selfIdentifyEnv(ctx context.Context, python, dir string, logf func(string, ...any)) ([]string, error) {
	addrs, err := nonLoopbackIPv4()
	if err != nil {
		return nil, fmt.Errorf("list network interfaces: %w", err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("this machine has no non-loopback IPv4 address: Supvisors 0.19 identifies itself " +
			"through one (bring up any interface, e.g. a dummy one)")
	}
	if os.Getenv("SUPVISORS_LAB_NSS") != "force" {
		ok, out, err := probeSelfIdentify(ctx, python, nil, addrs)
		if err != nil {
			return nil, fmt.Errorf("probe self-identification with %s: %w: %s", python, err, out)
		}
		if ok {
			logf("testlab: plain setup works (an address of %v resolves to 127.0.0.1): no nss_wrapper", addrs)
			return nil, nil
		}
	}
	lib, err := findNSSWrapper()
	if err != nil {
		return nil, fmt.Errorf("none of %v reverse-resolves to a record holding 127.0.0.1, so Supvisors cannot "+
			"identify itself in a loopback cluster without nss_wrapper: %w", addrs, err)
	}
	var b strings.Builder
	b.WriteString("127.0.0.1 localhost\n") // nss_wrapper does not accept comment lines
	for _, a := range addrs {
		fmt.Fprintf(&b, "%s supvisors-nic-%s 127.0.0.1\n", a, strings.ReplaceAll(a, ".", "-"))
	}
	hosts := filepath.Join(dir, "nss-hosts")
	if err := os.WriteFile(hosts, []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	env := []string{"LD_PRELOAD=" + lib, "NSS_WRAPPER_HOSTS=" + hosts}
	ok, out, err := probeSelfIdentify(ctx, python, env, addrs)
	if err != nil || !ok {
		return nil, fmt.Errorf("nss_wrapper (%s) did not make %v resolve to 127.0.0.1 (probe: %v %s)",
			lib, addrs, err, strings.TrimSpace(out))
	}
	logf("testlab: using nss_wrapper %s with %s (self-identification trap)", lib, hosts)
	return env, nil
}
