package testlab

import (
	"context"
	"strings"
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
	return ensureVenv(ctx, venvSpec{name: "venv-supervisor-" + version, pins: plainPins(version),
		what: "Supervisor " + version, imports: "supervisor.supervisord"}, logf)
}
