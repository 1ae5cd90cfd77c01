package supvisors

import "slices"

// SupvisorsStateName is the name of the Supvisors finite state machine state
// (fsm_statename). Compare by name: the codes changed between versions.
type SupvisorsStateName string

// Supvisors states of 0.19 (code in parentheses, for reference only).
const (
	StateOff             SupvisorsStateName = "OFF"             // (0)
	StateSynchronization SupvisorsStateName = "SYNCHRONIZATION" // (1)
	StateElection        SupvisorsStateName = "ELECTION"        // (2)
	StateDistribution    SupvisorsStateName = "DISTRIBUTION"    // (3)
	StateOperation       SupvisorsStateName = "OPERATION"       // (4)
	StateConciliation    SupvisorsStateName = "CONCILIATION"    // (5)
	StateRestarting      SupvisorsStateName = "RESTARTING"      // (6)
	StateShuttingDown    SupvisorsStateName = "SHUTTING_DOWN"   // (7)
	StateFinal           SupvisorsStateName = "FINAL"           // (8)
)

// SupvisorsStates returns every Supvisors state of 0.19, in FSM order.
func SupvisorsStates() []SupvisorsStateName {
	return []SupvisorsStateName{StateOff, StateSynchronization, StateElection, StateDistribution,
		StateOperation, StateConciliation, StateRestarting, StateShuttingDown, StateFinal}
}

// Valid reports whether s is a state of Supvisors 0.19.
func (s SupvisorsStateName) Valid() bool { return slices.Contains(SupvisorsStates(), s) }

// String returns the name.
func (s SupvisorsStateName) String() string { return string(s) }

// ApplicationState is the name of an application state (statename of
// get_application_info).
type ApplicationState string

// Application states.
const (
	ApplicationStopped  ApplicationState = "STOPPED"
	ApplicationStarting ApplicationState = "STARTING"
	ApplicationRunning  ApplicationState = "RUNNING"
	ApplicationStopping ApplicationState = "STOPPING"
	ApplicationDeleted  ApplicationState = "DELETED"
)

// ApplicationStates returns every application state.
func ApplicationStates() []ApplicationState {
	return []ApplicationState{ApplicationStopped, ApplicationStarting, ApplicationRunning,
		ApplicationStopping, ApplicationDeleted}
}

// Valid reports whether s is a known application state.
func (s ApplicationState) Valid() bool { return slices.Contains(ApplicationStates(), s) }

// IsTransitional reports whether the application is STARTING or STOPPING.
func (s ApplicationState) IsTransitional() bool {
	return s == ApplicationStarting || s == ApplicationStopping
}

// String returns the name.
func (s ApplicationState) String() string { return string(s) }

// ProcessState is the name of a Supervisor process state.
type ProcessState string

// Supervisor process states (code in parentheses, for reference only).
const (
	ProcessStopped  ProcessState = "STOPPED"  // (0)
	ProcessStarting ProcessState = "STARTING" // (10)
	ProcessRunning  ProcessState = "RUNNING"  // (20)
	ProcessBackoff  ProcessState = "BACKOFF"  // (30)
	ProcessStopping ProcessState = "STOPPING" // (40)
	ProcessExited   ProcessState = "EXITED"   // (100)
	ProcessFatal    ProcessState = "FATAL"    // (200)
	ProcessUnknown  ProcessState = "UNKNOWN"  // (1000)
)

// ProcessStates returns every process state.
func ProcessStates() []ProcessState {
	return []ProcessState{ProcessStopped, ProcessStarting, ProcessRunning, ProcessBackoff,
		ProcessStopping, ProcessExited, ProcessFatal, ProcessUnknown}
}

// Valid reports whether s is a known process state.
func (s ProcessState) Valid() bool { return slices.Contains(ProcessStates(), s) }

// IsRunning reports whether the process is STARTING, RUNNING or BACKOFF,
// i.e. Supervisor's RUNNING_STATES: the process is (being) started and a stop
// would act on it.
func (s ProcessState) IsRunning() bool {
	return s == ProcessStarting || s == ProcessRunning || s == ProcessBackoff
}

// IsStopped reports whether the process is STOPPED, EXITED, FATAL or UNKNOWN,
// i.e. Supervisor's STOPPED_STATES (plus UNKNOWN).
func (s ProcessState) IsStopped() bool {
	return s == ProcessStopped || s == ProcessExited || s == ProcessFatal || s == ProcessUnknown
}

// IsTransitional reports whether the process is STARTING, BACKOFF or STOPPING:
// a state that will change by itself.
func (s ProcessState) IsTransitional() bool {
	return s == ProcessStarting || s == ProcessBackoff || s == ProcessStopping
}

// String returns the name.
func (s ProcessState) String() string { return string(s) }

// InstanceState is the name of a Supvisors instance state (statename of
// get_instance_info, values of instance_states).
type InstanceState string

// Supvisors instance states of 0.19.
const (
	InstanceStopped  InstanceState = "STOPPED"
	InstanceChecking InstanceState = "CHECKING"
	InstanceChecked  InstanceState = "CHECKED"
	InstanceRunning  InstanceState = "RUNNING"
	InstanceFailed   InstanceState = "FAILED"
	InstanceIsolated InstanceState = "ISOLATED"
)

// InstanceStates returns every instance state.
func InstanceStates() []InstanceState {
	return []InstanceState{InstanceStopped, InstanceChecking, InstanceChecked, InstanceRunning,
		InstanceFailed, InstanceIsolated}
}

// Valid reports whether s is a known instance state.
func (s InstanceState) Valid() bool { return slices.Contains(InstanceStates(), s) }

// String returns the name.
func (s InstanceState) String() string { return string(s) }

// SupervisorStateName is the name of the supervisord daemon state
// (supervisor.getState).
type SupervisorStateName string

// Supervisor daemon states.
const (
	SupervisorFatal      SupervisorStateName = "FATAL"      // (2)
	SupervisorRunning    SupervisorStateName = "RUNNING"    // (1)
	SupervisorRestarting SupervisorStateName = "RESTARTING" // (0)
	SupervisorShutdown   SupervisorStateName = "SHUTDOWN"   // (-1)
)

// String returns the name.
func (s SupervisorStateName) String() string { return string(s) }

// StartingStrategy selects the instance on which Supvisors starts a process.
// The server accepts the exact upper-case name.
type StartingStrategy string

// Starting strategies.
const (
	StrategyConfig         StartingStrategy = "CONFIG"
	StrategyLessLoaded     StartingStrategy = "LESS_LOADED"
	StrategyMostLoaded     StartingStrategy = "MOST_LOADED"
	StrategyLocal          StartingStrategy = "LOCAL"
	StrategyLessLoadedNode StartingStrategy = "LESS_LOADED_NODE"
	StrategyMostLoadedNode StartingStrategy = "MOST_LOADED_NODE"
)

// StartingStrategies returns every starting strategy.
func StartingStrategies() []StartingStrategy {
	return []StartingStrategy{StrategyConfig, StrategyLessLoaded, StrategyMostLoaded, StrategyLocal,
		StrategyLessLoadedNode, StrategyMostLoadedNode}
}

// Valid reports whether s is a known starting strategy.
func (s StartingStrategy) Valid() bool { return slices.Contains(StartingStrategies(), s) }

// String returns the name.
func (s StartingStrategy) String() string { return string(s) }

// ConciliationStrategy tells Supvisors how to resolve conflicts (a process
// running on several instances).
type ConciliationStrategy string

// Conciliation strategies.
const (
	ConciliationSenicide       ConciliationStrategy = "SENICIDE"
	ConciliationInfanticide    ConciliationStrategy = "INFANTICIDE"
	ConciliationUser           ConciliationStrategy = "USER"
	ConciliationStop           ConciliationStrategy = "STOP"
	ConciliationRestart        ConciliationStrategy = "RESTART"
	ConciliationRunningFailure ConciliationStrategy = "RUNNING_FAILURE"
)

// ConciliationStrategies returns every conciliation strategy.
func ConciliationStrategies() []ConciliationStrategy {
	return []ConciliationStrategy{ConciliationSenicide, ConciliationInfanticide, ConciliationUser,
		ConciliationStop, ConciliationRestart, ConciliationRunningFailure}
}

// Valid reports whether s is a known conciliation strategy.
func (s ConciliationStrategy) Valid() bool { return slices.Contains(ConciliationStrategies(), s) }

// String returns the name.
func (s ConciliationStrategy) String() string { return string(s) }

// LogLevel is a Supvisors logger level for change_log_level (lower case).
type LogLevel string

// Log levels.
const (
	LogCritical LogLevel = "critical"
	LogError    LogLevel = "error"
	LogWarn     LogLevel = "warn"
	LogInfo     LogLevel = "info"
	LogDebug    LogLevel = "debug"
	LogTrace    LogLevel = "trace"
	LogBlather  LogLevel = "blather"
)

// LogLevels returns every log level, most severe first.
func LogLevels() []LogLevel {
	return []LogLevel{LogCritical, LogError, LogWarn, LogInfo, LogDebug, LogTrace, LogBlather}
}

// Valid reports whether l is a known log level.
func (l LogLevel) Valid() bool { return slices.Contains(LogLevels(), l) }

// String returns the name.
func (l LogLevel) String() string { return string(l) }

// StartingFailureStrategyNames returns the names of the starting failure
// strategies, as reported in the rules (plain strings in the result structs).
func StartingFailureStrategyNames() []string { return []string{"ABORT", "STOP", "CONTINUE"} }

// RunningFailureStrategyNames returns the names of the running failure
// strategies, as reported in the rules.
func RunningFailureStrategyNames() []string {
	return []string{"CONTINUE", "RESTART_PROCESS", "STOP_APPLICATION", "RESTART_APPLICATION", "SHUTDOWN", "RESTART"}
}

// SupvisorsFailureStrategyNames returns the names of the Supvisors failure
// strategies, as reported by get_strategies.
func SupvisorsFailureStrategyNames() []string { return []string{"CONTINUE", "RESYNC", "SHUTDOWN"} }

// DistributionRuleNames returns the names of the application distribution
// rules, as reported by get_application_rules.
func DistributionRuleNames() []string {
	return []string{"ALL_INSTANCES", "SINGLE_INSTANCE", "SINGLE_NODE"}
}
