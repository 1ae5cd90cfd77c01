package supvisors

import "slices"

// callKind is the retry class of a method.
type callKind uint8

const (
	// kindRead: no side effect; transport failures and BAD_SUPVISORS_STATE
	// are retried.
	kindRead callKind = iota
	// kindMutate: side effects; only BAD_SUPVISORS_STATE is retried, and the
	// snapshots are dropped after the call.
	kindMutate
)

// Names of the wrapped XML-RPC methods. Every typed method calls one of these
// through the table below, from which WrappedMethods is built.
const (
	// supvisors.* (Supvisors 0.19 / 0.19.1)
	mGetAPIVersion             = "supvisors.get_api_version"
	mGetSupvisorsState         = "supvisors.get_supvisors_state"
	mGetAllInstancesStateModes = "supvisors.get_all_instances_state_modes"
	mGetInstanceStateModes     = "supvisors.get_instance_state_modes"
	mGetMasterIdentifier       = "supvisors.get_master_identifier"
	mGetCoreIdentifiers        = "supvisors.get_core_identifiers"
	mGetStrategies             = "supvisors.get_strategies"
	mGetStatisticsStatus       = "supvisors.get_statistics_status"
	mGetNetworkInfo            = "supvisors.get_network_info"
	mGetAllInstancesInfo       = "supvisors.get_all_instances_info"
	mGetInstanceInfo           = "supvisors.get_instance_info"
	mGetAllApplicationsInfo    = "supvisors.get_all_applications_info"
	mGetApplicationInfo        = "supvisors.get_application_info"
	mGetApplicationRules       = "supvisors.get_application_rules"
	mGetAllProcessInfo         = "supvisors.get_all_process_info"
	mGetProcessInfo            = "supvisors.get_process_info"
	mGetAllLocalProcessInfo    = "supvisors.get_all_local_process_info"
	mGetLocalProcessInfo       = "supvisors.get_local_process_info"
	mGetAllInnerProcessInfo    = "supvisors.get_all_inner_process_info"
	mGetInnerProcessInfo       = "supvisors.get_inner_process_info"
	mGetProcessRules           = "supvisors.get_process_rules"
	mGetConflicts              = "supvisors.get_conflicts"
	mStartApplication          = "supvisors.start_application"
	mTestStartApplication      = "supvisors.test_start_application"
	mStopApplication           = "supvisors.stop_application"
	mRestartApplication        = "supvisors.restart_application"
	mStartArgs                 = "supvisors.start_args"
	mStartProcess              = "supvisors.start_process"
	mTestStartProcess          = "supvisors.test_start_process"
	mStartAnyProcess           = "supvisors.start_any_process"
	mStopProcess               = "supvisors.stop_process"
	mRestartProcess            = "supvisors.restart_process"
	mUpdateNumprocs            = "supvisors.update_numprocs"
	mEnable                    = "supvisors.enable"
	mDisable                   = "supvisors.disable"
	mConciliate                = "supvisors.conciliate"
	mRestartSequence           = "supvisors.restart_sequence"
	mRestart                   = "supvisors.restart"
	mShutdown                  = "supvisors.shutdown"
	mEndSync                   = "supvisors.end_sync"
	mChangeLogLevel            = "supvisors.change_log_level"
	mEnableHostStatistics      = "supvisors.enable_host_statistics"
	mEnableProcessStatistics   = "supvisors.enable_process_statistics"
	mUpdateCollectingPeriod    = "supvisors.update_collecting_period"
	mGetLoggerLevels           = "supvisors.get_logger_levels"
	// supvisors.* of the address era (0.10; deprecated aliases in 0.11, removed in 0.12)
	mGetMasterAddress             = "supvisors.get_master_address"
	mGetAllAddressesInfo          = "supvisors.get_all_addresses_info"
	mGetAddressInfo               = "supvisors.get_address_info"
	supervisorGetAPIVersion       = "supervisor.getAPIVersion"
	supervisorGetVersion          = "supervisor.getVersion"
	supervisorGetSupervisorVer    = "supervisor.getSupervisorVersion"
	supervisorGetIdentification   = "supervisor.getIdentification"
	supervisorGetState            = "supervisor.getState"
	supervisorGetPID              = "supervisor.getPID"
	supervisorReadLog             = "supervisor.readLog"
	supervisorReadMainLog         = "supervisor.readMainLog"
	supervisorClearLog            = "supervisor.clearLog"
	supervisorShutdown            = "supervisor.shutdown"
	supervisorRestart             = "supervisor.restart"
	supervisorReloadConfig        = "supervisor.reloadConfig"
	supervisorAddProcessGroup     = "supervisor.addProcessGroup"
	supervisorRemoveProcessGroup  = "supervisor.removeProcessGroup"
	supervisorStartProcess        = "supervisor.startProcess"
	supervisorStartProcessGroup   = "supervisor.startProcessGroup"
	supervisorStartAllProcesses   = "supervisor.startAllProcesses"
	supervisorStopProcess         = "supervisor.stopProcess"
	supervisorStopProcessGroup    = "supervisor.stopProcessGroup"
	supervisorStopAllProcesses    = "supervisor.stopAllProcesses"
	supervisorSignalProcess       = "supervisor.signalProcess"
	supervisorSignalProcessGroup  = "supervisor.signalProcessGroup"
	supervisorSignalAllProcesses  = "supervisor.signalAllProcesses"
	supervisorGetAllConfigInfo    = "supervisor.getAllConfigInfo"
	supervisorGetProcessInfo      = "supervisor.getProcessInfo"
	supervisorGetAllProcessInfo   = "supervisor.getAllProcessInfo"
	supervisorReadProcessStdout   = "supervisor.readProcessStdoutLog"
	supervisorReadProcessStderr   = "supervisor.readProcessStderrLog"
	supervisorReadProcessLog      = "supervisor.readProcessLog"
	supervisorTailProcessStdout   = "supervisor.tailProcessStdoutLog"
	supervisorTailProcessStderr   = "supervisor.tailProcessStderrLog"
	supervisorTailProcessLog      = "supervisor.tailProcessLog"
	supervisorClearProcessLogs    = "supervisor.clearProcessLogs"
	supervisorClearProcessLog     = "supervisor.clearProcessLog"
	supervisorClearAllProcessLogs = "supervisor.clearAllProcessLogs"
	supervisorSendProcessStdin    = "supervisor.sendProcessStdin"
	supervisorSendRemoteComm      = "supervisor.sendRemoteCommEvent"
	systemListMethods             = "system.listMethods"
	systemMethodHelp              = "system.methodHelp"
	systemMethodSignature         = "system.methodSignature"
	systemMulticall               = "system.multicall"
)

// methodTable gives the retry class of every wrapped method. A method missing
// here is treated as mutating by Call.
var methodTable = map[string]callKind{
	mGetAPIVersion:             kindRead,
	mGetSupvisorsState:         kindRead,
	mGetAllInstancesStateModes: kindRead,
	mGetInstanceStateModes:     kindRead,
	mGetMasterIdentifier:       kindRead,
	mGetCoreIdentifiers:        kindRead,
	mGetStrategies:             kindRead,
	mGetStatisticsStatus:       kindRead,
	mGetNetworkInfo:            kindRead,
	mGetAllInstancesInfo:       kindRead,
	mGetInstanceInfo:           kindRead,
	mGetAllApplicationsInfo:    kindRead,
	mGetApplicationInfo:        kindRead,
	mGetApplicationRules:       kindRead,
	mGetAllProcessInfo:         kindRead,
	mGetProcessInfo:            kindRead,
	mGetAllLocalProcessInfo:    kindRead,
	mGetLocalProcessInfo:       kindRead,
	mGetAllInnerProcessInfo:    kindRead,
	mGetInnerProcessInfo:       kindRead,
	mGetProcessRules:           kindRead,
	mGetConflicts:              kindRead,
	mTestStartApplication:      kindMutate, // a prediction that writes simulated states (API.md §6.16)
	mTestStartProcess:          kindMutate, // idem: not side-effect free, never retried, drops snapshots
	mGetLoggerLevels:           kindRead,
	mGetMasterAddress:          kindRead,
	mGetAllAddressesInfo:       kindRead,
	mGetAddressInfo:            kindRead,
	mStartApplication:          kindMutate,
	mStopApplication:           kindMutate,
	mRestartApplication:        kindMutate,
	mStartArgs:                 kindMutate,
	mStartProcess:              kindMutate,
	mStartAnyProcess:           kindMutate,
	mStopProcess:               kindMutate,
	mRestartProcess:            kindMutate,
	mUpdateNumprocs:            kindMutate,
	mEnable:                    kindMutate,
	mDisable:                   kindMutate,
	mConciliate:                kindMutate,
	mRestartSequence:           kindMutate,
	mRestart:                   kindMutate,
	mShutdown:                  kindMutate,
	mEndSync:                   kindMutate,
	mChangeLogLevel:            kindMutate,
	mEnableHostStatistics:      kindMutate,
	mEnableProcessStatistics:   kindMutate,
	mUpdateCollectingPeriod:    kindMutate,

	supervisorGetAPIVersion:       kindRead,
	supervisorGetVersion:          kindRead,
	supervisorGetSupervisorVer:    kindRead,
	supervisorGetIdentification:   kindRead,
	supervisorGetState:            kindRead,
	supervisorGetPID:              kindRead,
	supervisorReadLog:             kindRead,
	supervisorReadMainLog:         kindRead,
	supervisorGetAllConfigInfo:    kindRead,
	supervisorGetProcessInfo:      kindRead,
	supervisorGetAllProcessInfo:   kindRead,
	supervisorReadProcessStdout:   kindRead,
	supervisorReadProcessStderr:   kindRead,
	supervisorReadProcessLog:      kindRead,
	supervisorTailProcessStdout:   kindRead,
	supervisorTailProcessStderr:   kindRead,
	supervisorTailProcessLog:      kindRead,
	supervisorClearLog:            kindMutate,
	supervisorShutdown:            kindMutate,
	supervisorRestart:             kindMutate,
	supervisorReloadConfig:        kindMutate,
	supervisorAddProcessGroup:     kindMutate,
	supervisorRemoveProcessGroup:  kindMutate,
	supervisorStartProcess:        kindMutate,
	supervisorStartProcessGroup:   kindMutate,
	supervisorStartAllProcesses:   kindMutate,
	supervisorStopProcess:         kindMutate,
	supervisorStopProcessGroup:    kindMutate,
	supervisorStopAllProcesses:    kindMutate,
	supervisorSignalProcess:       kindMutate,
	supervisorSignalProcessGroup:  kindMutate,
	supervisorSignalAllProcesses:  kindMutate,
	supervisorClearProcessLogs:    kindMutate,
	supervisorClearProcessLog:     kindMutate,
	supervisorClearAllProcessLogs: kindMutate,
	supervisorSendProcessStdin:    kindMutate,
	supervisorSendRemoteComm:      kindMutate,

	systemListMethods:     kindRead,
	systemMethodHelp:      kindRead,
	systemMethodSignature: kindRead,
	systemMulticall:       kindMutate, // read only when every call inside is (see Multicall)
}

// kindOf returns the retry class of method (mutating when unknown).
func kindOf(method string) callKind {
	if k, ok := methodTable[method]; ok {
		return k
	}
	return kindMutate
}

// WrappedMethods returns, sorted, the XML-RPC methods this package wraps with a
// typed Go method (built from the table the typed methods use).
func WrappedMethods() []string {
	names := make([]string, 0, len(methodTable))
	for name := range methodTable {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// IsReadOnlyMethod reports whether method is a wrapped method that cannot
// change what the cluster does (the getters, the log readers and tails,
// system.listMethods, system.methodHelp and system.methodSignature).
// system.multicall and the test_start_* predictions (which write simulated
// states into Supvisors' process model in 0.19.1) are not reported read-only.
func IsReadOnlyMethod(method string) bool {
	k, ok := methodTable[method]
	return ok && k == kindRead
}
