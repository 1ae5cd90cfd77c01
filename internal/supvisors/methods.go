package supvisors

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
	supvisorsGetAPIVersion             = "supvisors.get_api_version"
	supvisorsGetSupvisorsState         = "supvisors.get_supvisors_state"
	supvisorsGetAllInstancesStateModes = "supvisors.get_all_instances_state_modes"
	supvisorsGetInstanceStateModes     = "supvisors.get_instance_state_modes"
	supvisorsGetMasterIdentifier       = "supvisors.get_master_identifier"
	supvisorsGetCoreIdentifiers        = "supvisors.get_core_identifiers"
	supvisorsGetStrategies             = "supvisors.get_strategies"
	supvisorsGetStatisticsStatus       = "supvisors.get_statistics_status"
	supvisorsGetNetworkInfo            = "supvisors.get_network_info"
	supvisorsGetAllInstancesInfo       = "supvisors.get_all_instances_info"
	supvisorsGetInstanceInfo           = "supvisors.get_instance_info"
	supvisorsGetAllApplicationsInfo    = "supvisors.get_all_applications_info"
	supvisorsGetApplicationInfo        = "supvisors.get_application_info"
	supvisorsGetApplicationRules       = "supvisors.get_application_rules"
	supvisorsGetAllProcessInfo         = "supvisors.get_all_process_info"
	supvisorsGetProcessInfo            = "supvisors.get_process_info"
	supvisorsGetAllLocalProcessInfo    = "supvisors.get_all_local_process_info"
	supvisorsGetLocalProcessInfo       = "supvisors.get_local_process_info"
	supvisorsGetAllInnerProcessInfo    = "supvisors.get_all_inner_process_info"
	supvisorsGetInnerProcessInfo       = "supvisors.get_inner_process_info"
	supvisorsGetProcessRules           = "supvisors.get_process_rules"
	supvisorsGetConflicts              = "supvisors.get_conflicts"
	supvisorsStartApplication          = "supvisors.start_application"
	supvisorsTestStartApplication      = "supvisors.test_start_application"
	supvisorsStopApplication           = "supvisors.stop_application"
	supvisorsRestartApplication        = "supvisors.restart_application"
	supvisorsStartArgs                 = "supvisors.start_args"
	supvisorsStartProcess              = "supvisors.start_process"
	supvisorsTestStartProcess          = "supvisors.test_start_process"
	supvisorsStartAnyProcess           = "supvisors.start_any_process"
	supvisorsStopProcess               = "supvisors.stop_process"
	supvisorsRestartProcess            = "supvisors.restart_process"
	supvisorsUpdateNumprocs            = "supvisors.update_numprocs"
	supvisorsEnable                    = "supvisors.enable"
	supvisorsDisable                   = "supvisors.disable"
	supvisorsConciliate                = "supvisors.conciliate"
	supvisorsRestartSequence           = "supvisors.restart_sequence"
	supvisorsRestart                   = "supvisors.restart"
	supvisorsShutdown                  = "supvisors.shutdown"
	supvisorsEndSync                   = "supvisors.end_sync"
	supvisorsChangeLogLevel            = "supvisors.change_log_level"
	supvisorsEnableHostStatistics      = "supvisors.enable_host_statistics"
	supvisorsEnableProcessStatistics   = "supvisors.enable_process_statistics"
	supvisorsUpdateCollectingPeriod    = "supvisors.update_collecting_period"
	supvisorsGetLoggerLevels           = "supvisors.get_logger_levels"
	// supvisors.* of the address era (0.10; deprecated aliases in 0.11, removed in 0.12)
	supvisorsGetMasterAddress     = "supvisors.get_master_address"
	supvisorsGetAllAddressesInfo  = "supvisors.get_all_addresses_info"
	supvisorsGetAddressInfo       = "supvisors.get_address_info"
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
	supvisorsGetAPIVersion:             kindRead,
	supvisorsGetSupvisorsState:         kindRead,
	supvisorsGetAllInstancesStateModes: kindRead,
	supvisorsGetInstanceStateModes:     kindRead,
	supvisorsGetMasterIdentifier:       kindRead,
	supvisorsGetCoreIdentifiers:        kindRead,
	supvisorsGetStrategies:             kindRead,
	supvisorsGetStatisticsStatus:       kindRead,
	supvisorsGetNetworkInfo:            kindRead,
	supvisorsGetAllInstancesInfo:       kindRead,
	supvisorsGetInstanceInfo:           kindRead,
	supvisorsGetAllApplicationsInfo:    kindRead,
	supvisorsGetApplicationInfo:        kindRead,
	supvisorsGetApplicationRules:       kindRead,
	supvisorsGetAllProcessInfo:         kindRead,
	supvisorsGetProcessInfo:            kindRead,
	supvisorsGetAllLocalProcessInfo:    kindRead,
	supvisorsGetLocalProcessInfo:       kindRead,
	supvisorsGetAllInnerProcessInfo:    kindRead,
	supvisorsGetInnerProcessInfo:       kindRead,
	supvisorsGetProcessRules:           kindRead,
	supvisorsGetConflicts:              kindRead,
	supvisorsTestStartApplication:      kindMutate, // a prediction that writes simulated states (API.md §6.16)
	supvisorsTestStartProcess:          kindMutate, // idem: not side-effect free, never retried, drops snapshots
	supvisorsGetLoggerLevels:           kindRead,
	supvisorsGetMasterAddress:          kindRead,
	supvisorsGetAllAddressesInfo:       kindRead,
	supvisorsGetAddressInfo:            kindRead,
	supvisorsStartApplication:          kindMutate,
	supvisorsStopApplication:           kindMutate,
	supvisorsRestartApplication:        kindMutate,
	supvisorsStartArgs:                 kindMutate,
	supvisorsStartProcess:              kindMutate,
	supvisorsStartAnyProcess:           kindMutate,
	supvisorsStopProcess:               kindMutate,
	supvisorsRestartProcess:            kindMutate,
	supvisorsUpdateNumprocs:            kindMutate,
	supvisorsEnable:                    kindMutate,
	supvisorsDisable:                   kindMutate,
	supvisorsConciliate:                kindMutate,
	supvisorsRestartSequence:           kindMutate,
	supvisorsRestart:                   kindMutate,
	supvisorsShutdown:                  kindMutate,
	supvisorsEndSync:                   kindMutate,
	supvisorsChangeLogLevel:            kindMutate,
	supvisorsEnableHostStatistics:      kindMutate,
	supvisorsEnableProcessStatistics:   kindMutate,
	supvisorsUpdateCollectingPeriod:    kindMutate,

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
func WrappedMethods() []string { return sortedKeys(methodTable) }

// IsReadOnlyMethod reports whether method is a wrapped method that cannot
// change what the cluster does (the getters, the log readers and tails,
// system.listMethods, system.methodHelp and system.methodSignature).
// system.multicall and the test_start_* predictions (which write simulated
// states into Supvisors' process model in 0.19.1) are not reported read-only.
func IsReadOnlyMethod(method string) bool {
	k, ok := methodTable[method]
	return ok && k == kindRead
}
