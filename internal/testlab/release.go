package testlab

import (
	"fmt"
	"slices"
	"strings"
)

// Release describes one Supvisors release the lab can run: what pip installs into its venv and how its
// configuration is written (see shared VERSIONS.md §1).
type Release struct {
	// Version is the Supvisors release on PyPI, e.g. "0.18.7".
	Version string
	// Pins are the other pinned packages of its venv (supervisor first).
	Pins []string
	// Era selects the configuration format and rules syntax.
	Era Era
	// Namespace tells that the release binds a socket on all interfaces (the internal ZMQ port up to 0.17):
	// the lab then runs it inside a private network namespace.
	Namespace bool
	// MaxInstances is the number of instances the release can run on one loopback address (0: no limit);
	// an address-era instance is its host name, so 0.10 runs one.
	MaxInstances int
}

// Era is a configuration era of Supvisors.
type Era int

// Configuration eras.
const (
	// EraAddress is 0.10: address_list, one internal_port, rules with <distributed>/<addresses>; an instance
	// is its host name.
	EraAddress Era = iota
	// EraIdentifier011 is 0.11: supvisors_list <nick>host:http_port:internal_port, rules with
	// <distributed>/<identifiers>.
	EraIdentifier011
	// EraInternalPort is 0.12-0.17: supvisors_list with internal ports, rules with <distribution>.
	EraInternalPort
	// EraHTTP is 0.18+: supvisors_list <nick>host:http_port (no internal port).
	EraHTTP
)

// DefaultRelease is the release Options.Release defaults to.
const DefaultRelease = SupvisorsVersion

// releases are the releases the lab knows, oldest first. Every pin is exact so that a venv is reproducible;
// changing one makes a new venv (see venvName).
var releases = []Release{
	{Version: "0.10", Pins: []string{"supervisor==4.3.0", "psutil==" + PsutilVersion, "pyzmq==27.1.0"},
		Era: EraAddress, Namespace: true, MaxInstances: 1},
	{Version: "0.11", Pins: []string{"supervisor==4.3.0", "psutil==" + PsutilVersion, "pyzmq==27.1.0"},
		Era: EraIdentifier011, Namespace: true},
	{Version: "0.15", Pins: []string{"supervisor==4.3.0", "psutil==" + PsutilVersion, "pyzmq==27.1.0"},
		Era: EraInternalPort, Namespace: true},
	{Version: "0.18.7", Pins: []string{"supervisor==4.2.5", "psutil==" + PsutilVersion, "setuptools==75.8.0"},
		Era: EraHTTP},
	{Version: SupvisorsVersion, Pins: []string{"supervisor==" + SupervisorVersion, "psutil==" + PsutilVersion},
		Era: EraHTTP},
}

// Releases returns the versions the lab can run, oldest first.
func Releases() []string {
	out := make([]string, 0, len(releases))
	for _, r := range releases {
		out = append(out, r.Version)
	}
	return out
}

// LookupRelease returns the release of version ("" is DefaultRelease).
func LookupRelease(version string) (Release, error) {
	if version == "" {
		version = DefaultRelease
	}
	i := slices.IndexFunc(releases, func(r Release) bool { return r.Version == version })
	if i < 0 {
		return Release{}, fmt.Errorf("testlab: unknown Supvisors release %q (the lab runs %s)", version,
			strings.Join(Releases(), ", "))
	}
	return releases[i], nil
}

// supervisorPin returns the pinned supervisor version of the release.
func (r Release) supervisorPin() string {
	for _, p := range r.Pins {
		if v, ok := strings.CutPrefix(p, "supervisor=="); ok {
			return v
		}
	}
	return "any"
}

// pins is what pip installs into the venv of the release.
func (r Release) pins() []string {
	return append([]string{"supvisors==" + r.Version}, r.Pins...)
}

// venvName is the directory name of the venv of the release.
func (r Release) venvName() string {
	return "venv-supvisors-" + r.Version + "-supervisor-" + r.supervisorPin()
}
