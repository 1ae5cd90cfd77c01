package supvisors

import "strings"

// Result structs of the supvisors.* methods. Field names are the Go names of
// the wire keys; decoding is tolerant (missing keys give zero values, ints and
// doubles convert into each other).

// APIInfo is what Detect found out about the endpoint.
type APIInfo struct {
	Version string   // supvisors.get_api_version, e.g. "0.19"; empty on a plain supervisord
	Methods []string // system.listMethods, sorted
	// Plain is set for a plain supervisord (no supvisors namespace): only the
	// supervisor.* and system.* methods work there (see plain.go).
	Plain bool
	// SupervisorVersion is supervisor.getSupervisorVersion on a plain
	// supervisord, e.g. "4.3.0".
	SupervisorVersion string
	// Era is the API profile of the Supvisors release (profile.go); 0 on a
	// plain supervisord and for a release outside the supported range.
	Era Era
}

// err is the error every call gets from a Supvisors release outside the
// supported range (nil when supported, and on a plain supervisord).
func (a *APIInfo) err(endpoint string) error {
	if a == nil || a.Plain || a.Era != 0 {
		return nil
	}
	return &VersionError{Version: a.Version, Endpoint: endpoint}
}

// Has reports whether the endpoint lists method.
func (a *APIInfo) Has(method string) bool {
	if a == nil {
		return false
	}
	for _, m := range a.Methods {
		if m == method {
			return true
		}
	}
	return false
}

// SupvisorsState is the answer of get_supvisors_state: the global state as
// seen by the instance reached.
type SupvisorsState struct {
	Identifier       string             // identifier (host:port) of the instance reached
	NickIdentifier   string             // its nickname
	NowMonotonic     float64            // monotonic clock of that instance
	FSMStatecode     int                // state code (version dependent: compare FSMStatename)
	FSMStatename     SupvisorsStateName // state name
	DegradedMode     bool               // some instance is missing
	DiscoveryMode    bool               // multicast discovery in use
	MasterIdentifier string             // "" before the election
	StartingJobs     []string           // identifiers with starting jobs in progress
	StoppingJobs     []string           // identifiers with stopping jobs in progress
	InstanceStates   map[string]string  // identifier -> instance state name

	reported map[string]bool // wire keys the release answered (after the profile's rewrite)
}

// Reports tells whether the release reached reported the wire key of this
// state (e.g. "degraded_mode", from 0.19; "starting_jobs", from 0.13):
// fields it did not report hold zero values. A state built by hand (no
// answer) reports everything.
func (s SupvisorsState) Reports(key string) bool { return s.reported == nil || s.reported[key] }

// HasJobs reports whether starting or stopping jobs are in progress.
func (s SupvisorsState) HasJobs() bool { return len(s.StartingJobs) > 0 || len(s.StoppingJobs) > 0 }

func decodeSupvisorsState(v any) (SupvisorsState, error) {
	return decodeOne(v, "get_supvisors_state", supvisorsStateFrom)
}

func supvisorsStateFrom(f fields) SupvisorsState {
	return SupvisorsState{
		Identifier:       f.str("identifier"),
		NickIdentifier:   f.str("nick_identifier"),
		NowMonotonic:     f.float("now_monotonic"),
		FSMStatecode:     f.int("fsm_statecode"),
		FSMStatename:     SupvisorsStateName(f.str("fsm_statename")),
		DegradedMode:     f.bool("degraded_mode"),
		DiscoveryMode:    f.bool("discovery_mode"),
		MasterIdentifier: f.str("master_identifier"),
		StartingJobs:     f.strs("starting_jobs"),
		StoppingJobs:     f.strs("stopping_jobs"),
		InstanceStates:   f.strMap("instance_states"),
		reported:         presentKeys(f),
	}
}

func presentKeys(f fields) map[string]bool {
	out := make(map[string]bool, len(f))
	for k := range f {
		out[k] = true
	}
	return out
}

// wireKeys is the set of wire keys an answer carried (after the profile's
// rewrite of an older release's answer into the 0.19 shape). Embedded in the
// result structs whose keys some supported release lacks, it gives them
// Reports; a struct built by hand (nil set) reports everything.
type wireKeys map[string]bool

// Reports tells whether the release reached reported the wire key (e.g.
// "last_event_mtime", from 0.19; "process_failure", from 0.18): fields it did
// not report hold zero values.
func (k wireKeys) Reports(key string) bool { return k == nil || k[key] }

// InstanceStateModes is one element of get_all_instances_state_modes /
// get_instance_state_modes: the state and modes declared by one instance.
type InstanceStateModes struct {
	Identifier       string
	NickIdentifier   string
	NowMonotonic     float64
	FSMStatecode     int
	FSMStatename     SupvisorsStateName
	DegradedMode     bool
	DiscoveryMode    bool
	MasterIdentifier string
	StartingJobs     bool // starting jobs in progress on that instance
	StoppingJobs     bool // stopping jobs in progress on that instance
	InstanceStates   map[string]string
}

func instanceStateModesFrom(f fields) InstanceStateModes {
	return InstanceStateModes{
		Identifier:       f.str("identifier"),
		NickIdentifier:   f.str("nick_identifier"),
		NowMonotonic:     f.float("now_monotonic"),
		FSMStatecode:     f.int("fsm_statecode"),
		FSMStatename:     SupvisorsStateName(f.str("fsm_statename")),
		DegradedMode:     f.bool("degraded_mode"),
		DiscoveryMode:    f.bool("discovery_mode"),
		MasterIdentifier: f.str("master_identifier"),
		StartingJobs:     jobsFlag(f["starting_jobs"]),
		StoppingJobs:     jobsFlag(f["stopping_jobs"]),
		InstanceStates:   f.strMap("instance_states"),
	}
}

// jobsFlag accepts a boolean or a list of identifiers.
func jobsFlag(v any) bool {
	if arr, ok := v.([]any); ok {
		return len(arr) > 0
	}
	b, _ := toBool(v)
	return b
}

// MasterIdentifier is the answer of get_master_identifier (empty before the
// election).
type MasterIdentifier struct {
	Identifier     string
	NickIdentifier string
}

func decodeMasterIdentifier(v any) (MasterIdentifier, error) {
	if s, ok := v.(string); ok { // Supvisors < 0.19 returned the identifier
		return MasterIdentifier{Identifier: s}, nil
	}
	if v == nil {
		return MasterIdentifier{}, nil
	}
	return decodeOne(v, "get_master_identifier", identifierFrom)
}

func identifierFrom(f fields) MasterIdentifier {
	return MasterIdentifier{Identifier: f.str("identifier"), NickIdentifier: f.str("nick_identifier")}
}

// CoreIdentifier is one element of get_core_identifiers (Supvisors 0.19.1).
type CoreIdentifier = MasterIdentifier

// Strategies is the answer of get_strategies.
type Strategies struct {
	AutoFencing      bool   // wire key "auto-fencing"
	Starting         string // default starting strategy
	Conciliation     string // conciliation strategy
	SupvisorsFailure string // Supvisors failure strategy (0.19)
}

func strategiesFrom(f fields) Strategies {
	return Strategies{
		AutoFencing:      f.bool("auto-fencing"),
		Starting:         f.str("starting"),
		Conciliation:     f.str("conciliation"),
		SupvisorsFailure: f.str("supvisors_failure"),
	}
}

// StatisticsStatus is the answer of get_statistics_status.
type StatisticsStatus struct {
	HostStats        bool
	ProcessStats     bool
	CollectingPeriod float64 // seconds
}

func statisticsStatusFrom(f fields) StatisticsStatus {
	return StatisticsStatus{
		HostStats:        f.bool("host_stats"),
		ProcessStats:     f.bool("process_stats"),
		CollectingPeriod: f.float("collecting_period"),
	}
}

// NetworkInfo is the answer of get_network_info.
type NetworkInfo struct {
	Identifier     string
	NickIdentifier string
	HostID         string
	HTTPPort       int
	Stereotypes    []string
	Network        LocalNetwork
}

// LocalNetwork is the network view of one instance.
type LocalNetwork struct {
	MachineID string
	FQDN      string
	Addresses map[string]NetworkAddress // by network interface name
}

// NetworkAddress describes one network interface.
type NetworkAddress struct {
	HostName      string
	Aliases       []string
	IPv4Addresses []string
	NICInfo       NICInfo
}

// NICInfo is the address of a network interface.
type NICInfo struct {
	NICName     string
	IPv4Address string
	Netmask     string
}

func networkInfoFrom(f fields) NetworkInfo {
	n := f.sub("network")
	out := NetworkInfo{
		Identifier:     f.str("identifier"),
		NickIdentifier: f.str("nick_identifier"),
		HostID:         f.str("host_id"),
		HTTPPort:       f.int("http_port"),
		Stereotypes:    f.strs("stereotypes"),
		Network: LocalNetwork{
			MachineID: n.str("machine_id"),
			FQDN:      n.str("fqdn"),
			Addresses: map[string]NetworkAddress{},
		},
	}
	addrs := n.sub("addresses")
	for _, nic := range sortedKeys(addrs) {
		a := addrs.sub(nic)
		ni := a.sub("nic_info")
		out.Network.Addresses[nic] = NetworkAddress{
			HostName:      a.str("host_name"),
			Aliases:       a.strs("aliases"),
			IPv4Addresses: a.strs("ipv4_addresses"),
			NICInfo: NICInfo{
				NICName:     ni.str("nic_name"),
				IPv4Address: ni.str("ipv4_address"),
				Netmask:     ni.str("netmask"),
			},
		}
	}
	return out
}

// InstanceInfo is one element of get_all_instances_info / get_instance_info.
type InstanceInfo struct {
	Identifier            string
	NickIdentifier        string
	NodeName              string
	Port                  int
	Statecode             int
	Statename             InstanceState
	Loading               int
	ProcessFailure        bool
	RemoteSequenceCounter int
	RemoteMtime           float64
	RemoteTime            int64
	LocalSequenceCounter  int
	LocalMtime            float64
	LocalTime             int64

	// NodeName from 0.12 (0.10: the address name, which is the host name),
	// Port from 0.12, ProcessFailure, LocalSequenceCounter, RemoteMtime and
	// LocalMtime from 0.18.
	wireKeys
}

func instanceInfoFrom(f fields) InstanceInfo {
	return InstanceInfo{
		Identifier:            f.str("identifier"),
		NickIdentifier:        f.str("nick_identifier"),
		NodeName:              f.str("node_name"),
		Port:                  f.int("port"),
		Statecode:             f.int("statecode"),
		Statename:             InstanceState(f.str("statename")),
		Loading:               f.int("loading"),
		ProcessFailure:        f.bool("process_failure"),
		RemoteSequenceCounter: f.int("remote_sequence_counter"),
		RemoteMtime:           f.float("remote_mtime"),
		RemoteTime:            f.int64("remote_time"),
		LocalSequenceCounter:  f.int("local_sequence_counter"),
		LocalMtime:            f.float("local_mtime"),
		LocalTime:             f.int64("local_time"),
		wireKeys:              presentKeys(f),
	}
}

// ApplicationInfo is the answer of get_application_info (one element of
// get_all_applications_info).
type ApplicationInfo struct {
	ApplicationName string
	Managed         bool // false for a Supervisor group that the rules do not name
	NowMonotonic    float64
	Statecode       int
	Statename       ApplicationState
	MajorFailure    bool
	MinorFailure    bool
}

func applicationInfoFrom(f fields) ApplicationInfo {
	return ApplicationInfo{
		ApplicationName: f.str("application_name"),
		Managed:         f.bool("managed"),
		NowMonotonic:    f.float("now_monotonic"),
		Statecode:       f.int("statecode"),
		Statename:       ApplicationState(f.str("statename")),
		MajorFailure:    f.bool("major_failure"),
		MinorFailure:    f.bool("minor_failure"),
	}
}

// ProcessInfo is one element of get_all_process_info / get_process_info /
// get_conflicts: the cluster-wide view of a process.
type ProcessInfo struct {
	ApplicationName string
	ProcessName     string
	NowMonotonic    float64
	Statecode       int
	Statename       ProcessState
	ExpectedExit    bool
	LastEventMtime  float64
	Identifiers     []string // instances where it runs; more than one is a conflict
	ExtraArgs       string

	wireKeys // LastEventMtime and NowMonotonic from 0.19 (the older last_event_time is wall-clock time)
}

// Namespec returns "application:process", or "process" alone when both names
// are equal (Supervisor's make_namespec).
func (p ProcessInfo) Namespec() string { return MakeNamespec(p.ApplicationName, p.ProcessName) }

// MakeNamespec returns "group:process", or "process" when both are equal, as
// Supervisor does.
func MakeNamespec(group, process string) string {
	if group == process {
		return process
	}
	return group + ":" + process
}

// SplitNamespec splits a namespec into its group and process parts: "g:p" ->
// (g, p); "g:*" and "g:" -> (g, ""); "p" -> (p, p) as Supervisor does.
func SplitNamespec(namespec string) (group, process string) {
	g, p, ok := strings.Cut(namespec, ":")
	if !ok {
		return namespec, namespec
	}
	if p == "*" {
		p = ""
	}
	return g, p
}

func processInfoFrom(f fields) ProcessInfo {
	return ProcessInfo{
		ApplicationName: f.str("application_name"),
		ProcessName:     f.str("process_name"),
		NowMonotonic:    f.float("now_monotonic"),
		Statecode:       f.int("statecode"),
		Statename:       ProcessState(f.str("statename")),
		ExpectedExit:    f.bool("expected_exit"),
		LastEventMtime:  f.float("last_event_mtime"),
		Identifiers:     f.strs("identifiers"),
		ExtraArgs:       f.str("extra_args"),
		wireKeys:        presentKeys(f),
	}
}

// LocalProcessInfo is the answer of get_local_process_info (one element of
// get_all_local_process_info): the view of the supervisord that received the
// call.
type LocalProcessInfo struct {
	Name           string
	Group          string
	State          int
	Statename      ProcessState
	Start          int64
	Stop           int64
	Now            int64
	Pid            int
	Description    string
	Spawnerr       string
	Expected       bool
	StartMonotonic float64
	StopMonotonic  float64
	NowMonotonic   float64
	ExtraArgs      string
	Startsecs      int
	Stopwaitsecs   int
	ProcessIndex   int
	ProgramName    string
	Disabled       bool
	HasStdout      bool
	HasStderr      bool
}

// Namespec returns the namespec of the process.
func (p LocalProcessInfo) Namespec() string { return MakeNamespec(p.Group, p.Name) }

func localProcessInfoFrom(f fields) LocalProcessInfo {
	return LocalProcessInfo{
		Name:           f.str("name"),
		Group:          f.str("group"),
		State:          f.int("state"),
		Statename:      ProcessState(f.str("statename")),
		Start:          f.int64("start"),
		Stop:           f.int64("stop"),
		Now:            f.int64("now"),
		Pid:            f.int("pid"),
		Description:    f.str("description"),
		Spawnerr:       f.str("spawnerr"),
		Expected:       f.bool("expected"),
		StartMonotonic: f.float("start_monotonic"),
		StopMonotonic:  f.float("stop_monotonic"),
		NowMonotonic:   f.float("now_monotonic"),
		ExtraArgs:      f.str("extra_args"),
		Startsecs:      f.int("startsecs"),
		Stopwaitsecs:   f.int("stopwaitsecs"),
		ProcessIndex:   f.int("process_index"),
		ProgramName:    f.str("program_name"),
		Disabled:       f.bool("disabled"),
		HasStdout:      f.bool("has_stdout"),
		HasStderr:      f.bool("has_stderr"),
	}
}

// InnerProcessInfo is one element of get_all_inner_process_info /
// get_inner_process_info: Supvisors' copy of the process as known on one
// instance.
type InnerProcessInfo struct {
	LocalProcessInfo
	LocalMtime     float64
	EventTime      float64
	Uptime         float64
	HasCrashed     bool
	Identifier     string // set once the process has run on that instance
	NickIdentifier string
}

func innerProcessInfoFrom(f fields) InnerProcessInfo {
	return InnerProcessInfo{
		LocalProcessInfo: localProcessInfoFrom(f),
		LocalMtime:       f.float("local_mtime"),
		EventTime:        f.float("event_time"),
		Uptime:           f.float("uptime"),
		HasCrashed:       f.bool("has_crashed"),
		Identifier:       f.str("identifier"),
		NickIdentifier:   f.str("nick_identifier"),
	}
}

// ApplicationRules is the answer of get_application_rules. For an unmanaged
// application only ApplicationName and Managed (false) are set.
type ApplicationRules struct {
	ApplicationName         string
	Managed                 bool
	Distribution            string
	Identifiers             []string // as written in the rules (nicks, aliases or "*")
	StartSequence           int
	StopSequence            int
	StartingStrategy        string
	StartingFailureStrategy string
	RunningFailureStrategy  string
	StatusFormula           string

	wireKeys // StatusFormula from 0.18
}

func applicationRulesFrom(f fields) ApplicationRules {
	return ApplicationRules{
		ApplicationName:         f.str("application_name"),
		Managed:                 f.bool("managed"),
		Distribution:            f.str("distribution"),
		Identifiers:             f.strs("identifiers"),
		StartSequence:           f.int("start_sequence"),
		StopSequence:            f.int("stop_sequence"),
		StartingStrategy:        f.str("starting_strategy"),
		StartingFailureStrategy: f.str("starting_failure_strategy"),
		RunningFailureStrategy:  f.str("running_failure_strategy"),
		StatusFormula:           f.str("status_formula"),
		wireKeys:                presentKeys(f),
	}
}

// ProcessRules is one element of get_process_rules.
type ProcessRules struct {
	ApplicationName         string
	ProcessName             string
	Identifiers             []string
	StartSequence           int
	StopSequence            int
	Required                bool
	WaitExit                bool
	ExpectedLoading         int
	StartingFailureStrategy string
	RunningFailureStrategy  string

	wireKeys // StartingFailureStrategy from 0.12
}

// Namespec returns the namespec of the process.
func (r ProcessRules) Namespec() string { return MakeNamespec(r.ApplicationName, r.ProcessName) }

func processRulesFrom(f fields) ProcessRules {
	return ProcessRules{
		ApplicationName:         f.str("application_name"),
		ProcessName:             f.str("process_name"),
		Identifiers:             f.strs("identifiers"),
		StartSequence:           f.int("start_sequence"),
		StopSequence:            f.int("stop_sequence"),
		Required:                f.bool("required"),
		WaitExit:                f.bool("wait_exit"),
		ExpectedLoading:         f.int("expected_loading"),
		StartingFailureStrategy: f.str("starting_failure_strategy"),
		RunningFailureStrategy:  f.str("running_failure_strategy"),
		wireKeys:                presentKeys(f),
	}
}

// StartPrediction is one element of test_start_application /
// test_start_process: where and how a process would start.
type StartPrediction struct {
	ApplicationName    string
	ProcessName        string
	State              ProcessState // predicted state, e.g. RUNNING or EXITED
	ForcedReason       string
	RunningIdentifiers []string
}

func startPredictionFrom(f fields) StartPrediction {
	return StartPrediction{
		ApplicationName:    f.str("application_name"),
		ProcessName:        f.str("process_name"),
		State:              ProcessState(f.str("state")),
		ForcedReason:       f.str("forced_reason"),
		RunningIdentifiers: f.strs("running_identifiers"),
	}
}
