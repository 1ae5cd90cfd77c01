package supvisors

import (
	"context"
	"fmt"
	"math"
)

// Typed wrappers of the supvisors.* namespace (Supvisors 0.19). Methods marked
// LOCAL-ONLY act on the instance that receives the call only: use Instance to
// reach each instance.

// decodeError wraps a decoding failure of method's answer.
func (c *Client) decodeError(method string, err error) error {
	return &CallError{Method: method, Endpoint: c.ep.display, Err: &DecodeError{Method: method, Err: err}}
}

// callOne calls method and decodes a struct answer.
func callOne[T any](ctx context.Context, c *Client, method string, dec func(fields) T, args ...any) (T, error) {
	var zero T
	v, err := c.call(ctx, method, args...)
	if err != nil {
		return zero, err
	}
	out, err := decodeOne(v, method, dec)
	if err != nil {
		return zero, c.decodeError(method, err)
	}
	return out, nil
}

// callList calls method and decodes an array-of-structs answer.
func callList[T any](ctx context.Context, c *Client, method string, dec func(fields) T, args ...any) ([]T, error) {
	v, err := c.call(ctx, method, args...)
	if err != nil {
		return nil, err
	}
	out, err := decodeList(v, method, dec)
	if err != nil {
		return nil, c.decodeError(method, err)
	}
	return out, nil
}

// callString calls method and decodes a string answer.
func (c *Client) callString(ctx context.Context, method string, args ...any) (string, error) {
	v, err := c.call(ctx, method, args...)
	if err != nil {
		return "", err
	}
	s, err := decodeString(v, method)
	if err != nil {
		return "", c.decodeError(method, err)
	}
	return s, nil
}

// callBool calls method and decodes a boolean answer.
func (c *Client) callBool(ctx context.Context, method string, args ...any) (bool, error) {
	v, err := c.call(ctx, method, args...)
	if err != nil {
		return false, err
	}
	b, err := decodeBool(v, method)
	if err != nil {
		return false, c.decodeError(method, err)
	}
	return b, nil
}

// callAction calls an action whose answer (True) carries no information.
// Starts, stops and restarts with wait=false share the requests of the
// shared poll (see batchable in poll.go).
func (c *Client) callAction(ctx context.Context, method string, args ...any) error {
	if batchable(method, args) {
		_, err := c.polls.command(ctx, method, args)
		return err
	}
	_, err := c.call(ctx, method, args...)
	return err
}

// GetAPIVersion calls supvisors.get_api_version: the version of the Supvisors
// XML-RPC API, e.g. "0.19".
func (c *Client) GetAPIVersion(ctx context.Context) (string, error) {
	return c.callString(ctx, supvisorsGetAPIVersion)
}

// GetSupvisorsState calls supvisors.get_supvisors_state (any state).
// Before 0.19 the instance states and the master are completed from
// get_all_instances_info and get_master_identifier.
func (c *Client) GetSupvisorsState(ctx context.Context) (SupvisorsState, error) {
	st, err := callOne(ctx, c, supvisorsGetSupvisorsState, supvisorsStateFrom)
	if err == nil {
		err = c.completeState(ctx, &st)
	}
	return st, err
}

// GetAllInstancesStateModes calls supvisors.get_all_instances_state_modes: the
// state and modes declared by every instance.
func (c *Client) GetAllInstancesStateModes(ctx context.Context) ([]InstanceStateModes, error) {
	return callList(ctx, c, supvisorsGetAllInstancesStateModes, instanceStateModesFrom)
}

// GetInstanceStateModes calls supvisors.get_instance_state_modes for an
// identifier (host:port), a nickname or a stereotype.
func (c *Client) GetInstanceStateModes(ctx context.Context, identifier string) ([]InstanceStateModes, error) {
	return callList(ctx, c, supvisorsGetInstanceStateModes, instanceStateModesFrom, identifier)
}

// GetMasterIdentifier calls supvisors.get_master_identifier (zero value before
// the election).
func (c *Client) GetMasterIdentifier(ctx context.Context) (MasterIdentifier, error) {
	v, err := c.call(ctx, supvisorsGetMasterIdentifier)
	if err != nil {
		return MasterIdentifier{}, err
	}
	out, err := decodeMasterIdentifier(v)
	if err != nil {
		return out, c.decodeError(supvisorsGetMasterIdentifier, err)
	}
	return out, nil
}

// GetCoreIdentifiers calls supvisors.get_core_identifiers (Supvisors 0.19.1):
// the core instances of the cluster.
func (c *Client) GetCoreIdentifiers(ctx context.Context) ([]CoreIdentifier, error) {
	return callList(ctx, c, supvisorsGetCoreIdentifiers, identifierFrom)
}

// GetStrategies calls supvisors.get_strategies.
func (c *Client) GetStrategies(ctx context.Context) (Strategies, error) {
	return callOne(ctx, c, supvisorsGetStrategies, strategiesFrom)
}

// GetStatisticsStatus calls supvisors.get_statistics_status.
func (c *Client) GetStatisticsStatus(ctx context.Context) (StatisticsStatus, error) {
	return callOne(ctx, c, supvisorsGetStatisticsStatus, statisticsStatusFrom)
}

// GetNetworkInfo calls supvisors.get_network_info. Supvisors 0.19 answers a
// struct and 0.19.1 a list (the parameter may be a stereotype): the first
// element whose identifier or nickname is identifier is returned, else the
// first one. Supvisors 0.19 fails with HTTP 500 for a nickname: give
// host:port.
func (c *Client) GetNetworkInfo(ctx context.Context, identifier string) (NetworkInfo, error) {
	v, err := c.call(ctx, supvisorsGetNetworkInfo, identifier)
	if err != nil {
		return NetworkInfo{}, err
	}
	if arr, ok := v.([]any); ok {
		infos, err := decodeList(arr, supvisorsGetNetworkInfo, networkInfoFrom)
		if err != nil {
			return NetworkInfo{}, c.decodeError(supvisorsGetNetworkInfo, err)
		}
		if len(infos) == 0 {
			return NetworkInfo{}, c.decodeError(supvisorsGetNetworkInfo, fmt.Errorf("empty answer for %q", identifier))
		}
		for _, info := range infos {
			if info.Identifier == identifier || info.NickIdentifier == identifier {
				return info, nil
			}
		}
		return infos[0], nil
	}
	out, err := decodeOne(v, supvisorsGetNetworkInfo, networkInfoFrom)
	if err != nil {
		return out, c.decodeError(supvisorsGetNetworkInfo, err)
	}
	return out, nil
}

// GetAllInstancesInfo calls supvisors.get_all_instances_info.
func (c *Client) GetAllInstancesInfo(ctx context.Context) ([]InstanceInfo, error) {
	return callList(ctx, c, supvisorsGetAllInstancesInfo, instanceInfoFrom)
}

// GetInstanceInfo calls supvisors.get_instance_info for an identifier
// (host:port), a nickname or a stereotype (several elements).
func (c *Client) GetInstanceInfo(ctx context.Context, identifier string) ([]InstanceInfo, error) {
	return callList(ctx, c, supvisorsGetInstanceInfo, instanceInfoFrom, identifier)
}

// GetAllApplicationsInfo calls supvisors.get_all_applications_info (unmanaged
// groups included, with Managed false).
// On 0.10, Managed comes from get_application_rules.
func (c *Client) GetAllApplicationsInfo(ctx context.Context) ([]ApplicationInfo, error) {
	apps, err := callList(ctx, c, supvisorsGetAllApplicationsInfo, applicationInfoFrom)
	if err == nil {
		err = c.completeApplications(ctx, apps)
	}
	return apps, err
}

// GetApplicationInfo calls supvisors.get_application_info. On 0.10, Managed
// comes from get_application_rules.
func (c *Client) GetApplicationInfo(ctx context.Context, name string) (ApplicationInfo, error) {
	info, err := callOne(ctx, c, supvisorsGetApplicationInfo, applicationInfoFrom, name)
	if err == nil {
		one := []ApplicationInfo{info}
		err = c.completeApplications(ctx, one)
		info = one[0]
	}
	return info, err
}

// GetApplicationRules calls supvisors.get_application_rules.
func (c *Client) GetApplicationRules(ctx context.Context, name string) (ApplicationRules, error) {
	return callOne(ctx, c, supvisorsGetApplicationRules, applicationRulesFrom, name)
}

// GetAllProcessInfo calls supvisors.get_all_process_info.
func (c *Client) GetAllProcessInfo(ctx context.Context) ([]ProcessInfo, error) {
	return callList(ctx, c, supvisorsGetAllProcessInfo, processInfoFrom)
}

// GetProcessInfo calls supvisors.get_process_info for "app:proc", "app:*" or
// "app:".
func (c *Client) GetProcessInfo(ctx context.Context, namespec string) ([]ProcessInfo, error) {
	return callList(ctx, c, supvisorsGetProcessInfo, processInfoFrom, namespec)
}

// GetAllLocalProcessInfo calls supvisors.get_all_local_process_info: every
// process of the supervisord that receives the call.
func (c *Client) GetAllLocalProcessInfo(ctx context.Context) ([]LocalProcessInfo, error) {
	return callList(ctx, c, supvisorsGetAllLocalProcessInfo, localProcessInfoFrom)
}

// GetLocalProcessInfo calls supvisors.get_local_process_info: one process of
// the supervisord that receives the call.
func (c *Client) GetLocalProcessInfo(ctx context.Context, namespec string) (LocalProcessInfo, error) {
	return callOne(ctx, c, supvisorsGetLocalProcessInfo, localProcessInfoFrom, namespec)
}

// GetAllInnerProcessInfo calls supvisors.get_all_inner_process_info: every
// process of one instance as Supvisors knows it.
func (c *Client) GetAllInnerProcessInfo(ctx context.Context, identifier string) ([]InnerProcessInfo, error) {
	return callList(ctx, c, supvisorsGetAllInnerProcessInfo, innerProcessInfoFrom, identifier)
}

// GetInnerProcessInfo calls supvisors.get_inner_process_info: processes
// matching namespec on one instance as Supvisors knows them.
func (c *Client) GetInnerProcessInfo(ctx context.Context, identifier, namespec string) ([]InnerProcessInfo, error) {
	return callList(ctx, c, supvisorsGetInnerProcessInfo, innerProcessInfoFrom, identifier, namespec)
}

// GetProcessRules calls supvisors.get_process_rules ("app:*" allowed).
func (c *Client) GetProcessRules(ctx context.Context, namespec string) ([]ProcessRules, error) {
	return callList(ctx, c, supvisorsGetProcessRules, processRulesFrom, namespec)
}

// GetConflicts calls supvisors.get_conflicts: processes running on several
// instances.
func (c *Client) GetConflicts(ctx context.Context) ([]ProcessInfo, error) {
	return callList(ctx, c, supvisorsGetConflicts, processInfoFrom)
}

// StartApplication calls supvisors.start_application. With wait=false it
// returns as soon as the start is queued (see WaitApplication). Faults:
// ALREADY_STARTED (already converged), BAD_NAME, NOT_MANAGED,
// ABNORMAL_TERMINATION (nothing could be queued), NOT_RUNNING (wait ended with
// the application not RUNNING).
func (c *Client) StartApplication(ctx context.Context, strategy StartingStrategy, name string, wait bool) error {
	return c.callAction(ctx, supvisorsStartApplication, string(strategy), name, wait)
}

// TestStartApplication calls supvisors.test_start_application: where each
// process would start, without starting anything.
func (c *Client) TestStartApplication(ctx context.Context, strategy StartingStrategy, name string) ([]StartPrediction, error) {
	return callList(ctx, c, supvisorsTestStartApplication, startPredictionFrom, string(strategy), name)
}

// StopApplication calls supvisors.stop_application. NOT_RUNNING means already
// stopped.
func (c *Client) StopApplication(ctx context.Context, name string, wait bool) error {
	return c.callAction(ctx, supvisorsStopApplication, name, wait)
}

// RestartApplication calls supvisors.restart_application (also starts a
// stopped application).
func (c *Client) RestartApplication(ctx context.Context, strategy StartingStrategy, name string, wait bool) error {
	return c.callAction(ctx, supvisorsRestartApplication, string(strategy), name, wait)
}

// StartArgs calls supvisors.start_args. LOCAL-ONLY: starts the process on the
// instance that receives the call, with extra arguments.
func (c *Client) StartArgs(ctx context.Context, namespec, extraArgs string, wait bool) error {
	return c.callAction(ctx, supvisorsStartArgs, namespec, extraArgs, wait)
}

// StartProcess calls supvisors.start_process ("app:*" allowed; unmanaged
// groups too). Extra arguments stick in the program configuration of the
// instance that starts it.
func (c *Client) StartProcess(ctx context.Context, strategy StartingStrategy, namespec, extraArgs string, wait bool) error {
	return c.callAction(ctx, supvisorsStartProcess, string(strategy), namespec, extraArgs, wait)
}

// TestStartProcess calls supvisors.test_start_process.
func (c *Client) TestStartProcess(ctx context.Context, strategy StartingStrategy, namespec string) ([]StartPrediction, error) {
	return callList(ctx, c, supvisorsTestStartProcess, startPredictionFrom, string(strategy), namespec)
}

// StartAnyProcess calls supvisors.start_any_process: starts one stopped
// process whose namespec matches regex and returns its namespec.
func (c *Client) StartAnyProcess(ctx context.Context, strategy StartingStrategy, regex, extraArgs string, wait bool) (string, error) {
	return c.callString(ctx, supvisorsStartAnyProcess, string(strategy), regex, extraArgs, wait)
}

// StopProcess calls supvisors.stop_process ("app:*" allowed). NOT_RUNNING
// means already stopped.
func (c *Client) StopProcess(ctx context.Context, namespec string, wait bool) error {
	return c.callAction(ctx, supvisorsStopProcess, namespec, wait)
}

// RestartProcess calls supvisors.restart_process.
func (c *Client) RestartProcess(ctx context.Context, strategy StartingStrategy, namespec, extraArgs string, wait bool) error {
	return c.callAction(ctx, supvisorsRestartProcess, string(strategy), namespec, extraArgs, wait)
}

// UpdateNumprocs calls supvisors.update_numprocs on a homogeneous program.
// LOCAL-ONLY: call it on every instance (see Instance). Beware: Supvisors 0.19
// keeps the new numprocs of a non-homogeneous program although it answers
// NOT_APPLICABLE.
func (c *Client) UpdateNumprocs(ctx context.Context, program string, numprocs int, wait, lazy bool) error {
	if numprocs < math.MinInt32 || numprocs > math.MaxInt32 {
		// XML-RPC's int is 32-bit: never send what it cannot carry (nothing is sent). Other bad values
		// (0, negative) are the server's to refuse (INCORRECT_PARAMETERS).
		return fmt.Errorf("supvisors: numprocs %d for program %q does not fit in an XML-RPC int (32-bit, at most %d)",
			numprocs, program, math.MaxInt32)
	}
	return c.callAction(ctx, supvisorsUpdateNumprocs, program, numprocs, wait, lazy)
}

// Enable calls supvisors.enable. LOCAL-ONLY.
func (c *Client) Enable(ctx context.Context, program string, wait bool) error {
	return c.callAction(ctx, supvisorsEnable, program, wait)
}

// Disable calls supvisors.disable (stops the local processes of the program).
// LOCAL-ONLY.
func (c *Client) Disable(ctx context.Context, program string, wait bool) error {
	return c.callAction(ctx, supvisorsDisable, program, wait)
}

// Conciliate calls supvisors.conciliate (accepted in CONCILIATION only). It
// returns false for the USER strategy, which does nothing.
func (c *Client) Conciliate(ctx context.Context, strategy ConciliationStrategy) (bool, error) {
	return c.callBool(ctx, supvisorsConciliate, string(strategy))
}

// RestartSequence calls supvisors.restart_sequence.
func (c *Client) RestartSequence(ctx context.Context, wait bool) error {
	return c.callAction(ctx, supvisorsRestartSequence, wait)
}

// Restart calls supvisors.restart: stops every application and restarts every
// supervisord of the cluster.
func (c *Client) Restart(ctx context.Context) error {
	return c.callAction(ctx, supvisorsRestart)
}

// Shutdown calls supvisors.shutdown: stops every application and every
// supervisord of the cluster.
func (c *Client) Shutdown(ctx context.Context) error {
	return c.callAction(ctx, supvisorsShutdown)
}

// EndSync calls supvisors.end_sync (SYNCHRONIZATION only, with USER in
// synchro_options); master may be "".
func (c *Client) EndSync(ctx context.Context, master string) error {
	return c.callAction(ctx, supvisorsEndSync, master)
}

// ChangeLogLevel calls supvisors.change_log_level.
func (c *Client) ChangeLogLevel(ctx context.Context, level LogLevel) error {
	return c.callAction(ctx, supvisorsChangeLogLevel, string(level))
}

// EnableHostStatistics calls supvisors.enable_host_statistics
// (NOT_INSTALLED without psutil).
func (c *Client) EnableHostStatistics(ctx context.Context, enable bool) error {
	return c.callAction(ctx, supvisorsEnableHostStatistics, enable)
}

// EnableProcessStatistics calls supvisors.enable_process_statistics
// (NOT_INSTALLED without psutil).
func (c *Client) EnableProcessStatistics(ctx context.Context, enable bool) error {
	return c.callAction(ctx, supvisorsEnableProcessStatistics, enable)
}

// UpdateCollectingPeriod calls supvisors.update_collecting_period (seconds).
func (c *Client) UpdateCollectingPeriod(ctx context.Context, period float64) error {
	return c.callAction(ctx, supvisorsUpdateCollectingPeriod, period)
}

// GetMasterAddress calls supvisors.get_master_address (Supvisors 0.10 and
// 0.11, where get_master_identifier is its new name): the address (0.11: the
// identifier) of the Master, "" before the election.
func (c *Client) GetMasterAddress(ctx context.Context) (string, error) {
	return c.callString(ctx, supvisorsGetMasterAddress)
}

// GetAllAddressesInfo calls supvisors.get_all_addresses_info (0.10 and 0.11,
// renamed get_all_instances_info): every instance, decoded like
// GetAllInstancesInfo (the address name is the identifier).
func (c *Client) GetAllAddressesInfo(ctx context.Context) ([]InstanceInfo, error) {
	return c.callAddresses(ctx, supvisorsGetAllAddressesInfo, supvisorsGetAllInstancesInfo)
}

// GetAddressInfo calls supvisors.get_address_info (0.10 and 0.11, renamed
// get_instance_info) for an address name (0.11: an identifier), decoded like
// GetInstanceInfo.
func (c *Client) GetAddressInfo(ctx context.Context, address string) ([]InstanceInfo, error) {
	return c.callAddresses(ctx, supvisorsGetAddressInfo, supvisorsGetInstanceInfo, address)
}

// callAddresses calls an address-era method and decodes its answer like the
// answer of its identifier-era name.
func (c *Client) callAddresses(ctx context.Context, method, as string, args ...any) ([]InstanceInfo, error) {
	api, err := c.apiFor(ctx, method)
	if err != nil {
		return nil, err
	}
	v, err := c.call(ctx, method, args...)
	if err != nil {
		return nil, err
	}
	out, err := decodeList(c.normalize(api, as, v), method, instanceInfoFrom)
	if err != nil {
		return nil, c.decodeError(method, err)
	}
	return out, nil
}

// GetLoggerLevels calls supvisors.get_logger_levels. Supvisors 0.19 lists this
// method in system.listMethods, but it is a Python staticmethod that the
// server cannot dispatch: every call fails with UNKNOWN_METHOD. It is wrapped
// for completeness and returns the raw answer of a fixed server.
func (c *Client) GetLoggerLevels(ctx context.Context) (any, error) {
	return c.call(ctx, supvisorsGetLoggerLevels)
}
