package supvisors

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Supported Supvisors releases. The range starts at 0.10: 0.5 .. 0.9 report
// no "managed" flag at all (so an unmanaged group cannot be told from an
// application), accept strategies as integers only (0.5) and give 102/103
// other meanings; 0.20 and later are not known yet.
const (
	MinSupportedVersion = "0.10"
	MaxSupportedVersion = "0.19.x"
)

// ErrUnsupportedVersion is wrapped by the error returned by every call to a
// Supvisors release outside the supported range (see *VersionError).
var ErrUnsupportedVersion = errors.New("unsupported Supvisors version")

// VersionError is returned by the first call (and every later one) to an
// endpoint whose Supvisors release is outside the supported range. Nothing is
// sent after the detection.
type VersionError struct {
	Version  string // as answered by get_api_version
	Endpoint string
}

// Error names the version and the supported range.
func (e *VersionError) Error() string {
	return fmt.Sprintf("Supvisors %s at %s is not supported: this provider supports Supvisors %s to %s",
		e.Version, e.Endpoint, MinSupportedVersion, MaxSupportedVersion)
}

// Unwrap returns ErrUnsupportedVersion.
func (e *VersionError) Unwrap() error { return ErrUnsupportedVersion }

// ErrUnsupported is wrapped by the error of a call that the Supvisors release
// reached cannot serve (a method it does not have, a strategy it does not
// accept). Nothing was sent.
var ErrUnsupported = errors.New("not supported by this Supvisors release")

// UnsupportedError says what the release reached cannot do, and from which
// release it can. Nothing was sent.
type UnsupportedError struct {
	What     string // e.g. "method supvisors.get_network_info" or "strategy LESS_LOADED_NODE"
	Version  string // release reached
	Endpoint string
	Since    string   // first release that has it ("" when unknown)
	Valid    []string // accepted values, for an argument
}

// Error names what is missing, the release, and what would be valid.
func (e *UnsupportedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is not supported by Supvisors %s at %s", e.What, e.Version, e.Endpoint)
	if e.Since != "" {
		fmt.Fprintf(&b, " (it is from Supvisors %s)", e.Since)
	}
	if len(e.Valid) > 0 {
		fmt.Fprintf(&b, "; valid values there: %s", strings.Join(e.Valid, ", "))
	}
	return b.String()
}

// Unwrap returns ErrUnsupported.
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// Era is a family of Supvisors releases that answer the same way. The client
// picks one from the detected version and decodes every answer into the
// structs of 0.19.
type Era int

// Eras, oldest first.
const (
	// EraAddress is 0.10: the address API only (get_master_address,
	// get_address_info, get_all_addresses_info), {statecode, statename}
	// states, processes placed by "addresses", "managed" only in the rules.
	EraAddress Era = iota + 1
	// EraAlias is 0.11: both the address and the identifier names; instance
	// identifiers are nicknames.
	EraAlias
	// EraNick is 0.12: identifier API only, still no jobs in the state.
	EraNick
	// EraJobs is 0.13 .. 0.17: fsm_* state keys with starting/stopping jobs.
	EraJobs
	// EraHostPort is 0.18: identifiers are host:port with a nickname,
	// DISTRIBUTION state, inner process info, statistics status.
	EraHostPort
	// EraCurrent is 0.19: the API this package is written for.
	EraCurrent
)

// String names the era by its releases.
func (e Era) String() string {
	switch e {
	case EraAddress:
		return "0.10"
	case EraAlias:
		return "0.11"
	case EraNick:
		return "0.12"
	case EraJobs:
		return "0.13-0.17"
	case EraHostPort:
		return "0.18"
	case EraCurrent:
		return "0.19"
	}
	return "unknown"
}

// parseVersion reads "0.18.7" into (0, 18, 7).
func parseVersion(v string) (major, minor, patch int, ok bool) {
	parts := strings.Split(strings.TrimSpace(v), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, false
	}
	nums := make([]int, 3)
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return 0, 0, 0, false
		}
		nums[i] = n
	}
	return nums[0], nums[1], nums[2], true
}

// eraOf returns the era of a version, or 0 when it is outside the supported
// range.
func eraOf(version string) Era {
	major, minor, _, ok := parseVersion(version)
	if !ok || major != 0 {
		return 0
	}
	switch {
	case minor < 10 || minor > 19:
		return 0
	case minor == 10:
		return EraAddress
	case minor == 11:
		return EraAlias
	case minor == 12:
		return EraNick
	case minor <= 17:
		return EraJobs
	case minor == 18:
		return EraHostPort
	}
	return EraCurrent
}

// ReportsJobs tells whether get_supvisors_state reports starting/stopping jobs
// (0.13 and later). Without them the end of a start or stop cannot be seen by
// polling: the client turns wait=false commands into blocking ones.
func (e Era) ReportsJobs() bool { return e >= EraJobs }

// ReportsManaged tells whether get_application_info reports "managed" (0.11
// and later); on 0.10 the client reads it from get_application_rules.
func (e Era) ReportsManaged() bool { return e >= EraAlias }

// StartingStrategies returns the starting strategies the era accepts.
func (e Era) StartingStrategies() []StartingStrategy {
	all := StartingStrategies()
	if e < EraNick { // *_NODE from 0.12
		return slices.DeleteFunc(all, func(s StartingStrategy) bool {
			return s == StrategyLessLoadedNode || s == StrategyMostLoadedNode
		})
	}
	return all
}

// methodSince gives the first release of the methods that are not in every
// supported release (for the messages of UnsupportedError).
var methodSince = map[string]string{
	supvisorsGetAllInstancesStateModes: "0.19",
	supvisorsGetInstanceStateModes:     "0.19",
	supvisorsGetNetworkInfo:            "0.19",
	supvisorsGetCoreIdentifiers:        "0.19.1",
	supvisorsGetStatisticsStatus:       "0.18",
	supvisorsGetAllInnerProcessInfo:    "0.18",
	supvisorsGetInnerProcessInfo:       "0.18",
	supvisorsTestStartApplication:      "0.18",
	supvisorsTestStartProcess:          "0.18",
	supvisorsEnableHostStatistics:      "0.18",
	supvisorsEnableProcessStatistics:   "0.18",
	supvisorsUpdateCollectingPeriod:    "0.18",
	supvisorsEndSync:                   "0.17",
	supvisorsStartAnyProcess:           "0.13",
	supvisorsEnable:                    "0.13",
	supvisorsDisable:                   "0.13",
	supvisorsRestartSequence:           "0.11",
	supvisorsGetMasterIdentifier:       "0.11",
	supvisorsGetAllInstancesInfo:       "0.11",
	supvisorsGetInstanceInfo:           "0.11",
}

// addressNames maps the identifier methods to their address-era names (0.10).
var addressNames = map[string]string{
	supvisorsGetMasterIdentifier: supvisorsGetMasterAddress,
	supvisorsGetAllInstancesInfo: supvisorsGetAllAddressesInfo,
	supvisorsGetInstanceInfo:     supvisorsGetAddressInfo,
}

// oldStateNames maps the Supvisors state names of older releases to the 0.19
// ones (INITIALIZATION became SYNCHRONIZATION in 0.19, DEPLOYMENT became
// DISTRIBUTION in 0.18, RESTART and SHUTDOWN were merged into RESTARTING and
// FINAL).
var oldStateNames = map[string]SupvisorsStateName{
	"INITIALIZATION": StateSynchronization,
	"DEPLOYMENT":     StateDistribution,
	"RESTART":        StateRestarting,
	"SHUTDOWN":       StateFinal,
}

// oldInstanceStates maps the instance state names of older releases to the
// 0.19 ones (UNKNOWN and SILENT became STOPPED, ISOLATING ends ISOLATED).
var oldInstanceStates = map[string]InstanceState{
	"UNKNOWN":   InstanceStopped,
	"SILENT":    InstanceStopped,
	"ISOLATING": InstanceIsolated,
}

// StateName maps a Supvisors state name of any supported release to its 0.19
// name (unknown names are kept).
func StateName(name string) SupvisorsStateName {
	if n, ok := oldStateNames[name]; ok {
		return n
	}
	return SupvisorsStateName(name)
}

// InstanceStateName maps an instance state name of any supported release to
// its 0.19 name (unknown names are kept).
func InstanceStateName(name string) InstanceState {
	if n, ok := oldInstanceStates[name]; ok {
		return n
	}
	return InstanceState(name)
}
