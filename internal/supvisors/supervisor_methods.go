package supvisors

import (
	"context"
	"fmt"
)

// SupervisorClient wraps the supervisor.* namespace of the supervisord reached
// by its Client (every method acts on that supervisord only). Obtain it with
// Client.Supervisor.
type SupervisorClient struct{ c *Client }

// SupervisorState is the answer of supervisor.getState.
type SupervisorState struct {
	Statecode int                 // 2 FATAL, 1 RUNNING, 0 RESTARTING, -1 SHUTDOWN
	Statename SupervisorStateName // compare by name
}

func supervisorStateFrom(f fields) SupervisorState {
	return SupervisorState{Statecode: f.int("statecode"), Statename: SupervisorStateName(f.str("statename"))}
}

// SupervisorProcessInfo is the answer of supervisor.getProcessInfo (one
// element of supervisor.getAllProcessInfo).
type SupervisorProcessInfo struct {
	Name          string
	Group         string
	Start         int64 // UNIX time of the last start (0 if never)
	Stop          int64
	Now           int64
	State         int
	Statename     ProcessState
	Spawnerr      string
	Exitstatus    int
	Logfile       string
	StdoutLogfile string
	StderrLogfile string
	Pid           int
	Description   string
}

// Namespec returns the namespec of the process.
func (p SupervisorProcessInfo) Namespec() string { return MakeNamespec(p.Group, p.Name) }

func supervisorProcessInfoFrom(f fields) SupervisorProcessInfo {
	return SupervisorProcessInfo{
		Name:          f.str("name"),
		Group:         f.str("group"),
		Start:         f.int64("start"),
		Stop:          f.int64("stop"),
		Now:           f.int64("now"),
		State:         f.int("state"),
		Statename:     ProcessState(f.str("statename")),
		Spawnerr:      f.str("spawnerr"),
		Exitstatus:    f.int("exitstatus"),
		Logfile:       f.str("logfile"),
		StdoutLogfile: f.str("stdout_logfile"),
		StderrLogfile: f.str("stderr_logfile"),
		Pid:           f.int("pid"),
		Description:   f.str("description"),
	}
}

// ConfigInfo is one element of supervisor.getAllConfigInfo. Values that
// Supervisor reports as "auto" or "none" are kept as strings in Raw and give
// zero values in the typed fields.
type ConfigInfo struct {
	Name                  string
	Group                 string
	GroupPrio             int
	ProcessPrio           int
	Inuse                 bool
	Autostart             bool
	Command               string
	Directory             string
	UID                   string
	Exitcodes             []int
	Killasgroup           bool
	RedirectStderr        bool
	Serverurl             string
	Startretries          int
	Startsecs             int
	Stopsignal            int
	Stopwaitsecs          int
	StdoutLogfile         string
	StdoutLogfileBackups  int
	StdoutLogfileMaxbytes int64
	StdoutCaptureMaxbytes int64
	StdoutEventsEnabled   bool
	StdoutSyslog          bool
	StderrLogfile         string
	StderrLogfileBackups  int
	StderrLogfileMaxbytes int64
	StderrCaptureMaxbytes int64
	StderrEventsEnabled   bool
	StderrSyslog          bool
	Raw                   map[string]any // every key as decoded
}

// Namespec returns the namespec of the process.
func (ci ConfigInfo) Namespec() string { return MakeNamespec(ci.Group, ci.Name) }

func configInfoFrom(f fields) ConfigInfo {
	var codes []int
	if arr, ok := f["exitcodes"].([]any); ok {
		for _, e := range arr {
			if n, ok := toInt64(e); ok {
				codes = append(codes, int(n))
			}
		}
	}
	return ConfigInfo{
		Name:                  f.str("name"),
		Group:                 f.str("group"),
		GroupPrio:             f.int("group_prio"),
		ProcessPrio:           f.int("process_prio"),
		Inuse:                 f.bool("inuse"),
		Autostart:             f.bool("autostart"),
		Command:               f.str("command"),
		Directory:             noneIsEmpty(f.str("directory")),
		UID:                   noneIsEmpty(f.str("uid")),
		Exitcodes:             codes,
		Killasgroup:           f.bool("killasgroup"),
		RedirectStderr:        f.bool("redirect_stderr"),
		Serverurl:             noneIsEmpty(f.str("serverurl")),
		Startretries:          f.int("startretries"),
		Startsecs:             f.int("startsecs"),
		Stopsignal:            f.int("stopsignal"),
		Stopwaitsecs:          f.int("stopwaitsecs"),
		StdoutLogfile:         noneIsEmpty(f.str("stdout_logfile")),
		StdoutLogfileBackups:  f.int("stdout_logfile_backups"),
		StdoutLogfileMaxbytes: f.int64("stdout_logfile_maxbytes"),
		StdoutCaptureMaxbytes: f.int64("stdout_capture_maxbytes"),
		StdoutEventsEnabled:   f.bool("stdout_events_enabled"),
		StdoutSyslog:          f.bool("stdout_syslog"),
		StderrLogfile:         noneIsEmpty(f.str("stderr_logfile")),
		StderrLogfileBackups:  f.int("stderr_logfile_backups"),
		StderrLogfileMaxbytes: f.int64("stderr_logfile_maxbytes"),
		StderrCaptureMaxbytes: f.int64("stderr_capture_maxbytes"),
		StderrEventsEnabled:   f.bool("stderr_events_enabled"),
		StderrSyslog:          f.bool("stderr_syslog"),
		Raw:                   map[string]any(f),
	}
}

func noneIsEmpty(s string) string {
	if s == "none" {
		return ""
	}
	return s
}

// ProcessStatus is one element of the answers of the group/all actions
// (startProcessGroup, stopAllProcesses, signalProcessGroup, ...).
type ProcessStatus struct {
	Name        string
	Group       string
	Status      FaultCode // FaultSuccess (80) when it worked
	Description string
}

// OK reports whether the action succeeded for that process.
func (s ProcessStatus) OK() bool { return s.Status == FaultSuccess }

func processStatusFrom(f fields) ProcessStatus {
	return ProcessStatus{Name: f.str("name"), Group: f.str("group"),
		Status: FaultCode(f.int("status")), Description: f.str("description")}
}

// LogTail is the answer of supervisor.tailProcessStdoutLog and friends.
type LogTail struct {
	Bytes    string // the log data
	Offset   int64  // offset to give to the next call
	Overflow bool   // more data than requested was available
}

// ReloadResult is the answer of supervisor.reloadConfig.
type ReloadResult struct {
	Added   []string
	Changed []string
	Removed []string
}

func (s *SupervisorClient) str(ctx context.Context, method string, args ...any) (string, error) {
	return s.c.callString(ctx, method, args...)
}

func (s *SupervisorClient) statuses(ctx context.Context, method string, args ...any) ([]ProcessStatus, error) {
	return callList(ctx, s.c, method, processStatusFrom, args...)
}

func (s *SupervisorClient) tail(ctx context.Context, method, name string, offset, length int) (LogTail, error) {
	v, err := s.c.call(ctx, method, name, offset, length)
	if err != nil {
		return LogTail{}, err
	}
	arr, err := asArray(v, method)
	if err == nil && len(arr) != 3 {
		err = fmt.Errorf("%s: expected [bytes, offset, overflow], got %d elements", method, len(arr))
	}
	if err != nil {
		return LogTail{}, s.c.decodeError(method, err)
	}
	off, _ := toInt64(arr[1])
	ovf, _ := toBool(arr[2])
	return LogTail{Bytes: toString(arr[0]), Offset: off, Overflow: ovf}, nil
}

// GetAPIVersion calls supervisor.getAPIVersion (e.g. "3.0").
func (s *SupervisorClient) GetAPIVersion(ctx context.Context) (string, error) {
	return s.str(ctx, supervisorGetAPIVersion)
}

// GetVersion calls supervisor.getVersion, the deprecated alias of
// getAPIVersion.
func (s *SupervisorClient) GetVersion(ctx context.Context) (string, error) {
	return s.str(ctx, supervisorGetVersion)
}

// GetSupervisorVersion calls supervisor.getSupervisorVersion (e.g. "4.2.5").
func (s *SupervisorClient) GetSupervisorVersion(ctx context.Context) (string, error) {
	return s.str(ctx, supervisorGetSupervisorVer)
}

// GetIdentification calls supervisor.getIdentification (the [supervisord]
// identifier).
func (s *SupervisorClient) GetIdentification(ctx context.Context) (string, error) {
	return s.str(ctx, supervisorGetIdentification)
}

// GetState calls supervisor.getState.
func (s *SupervisorClient) GetState(ctx context.Context) (SupervisorState, error) {
	return callOne(ctx, s.c, supervisorGetState, supervisorStateFrom)
}

// GetPID calls supervisor.getPID.
func (s *SupervisorClient) GetPID(ctx context.Context) (int, error) {
	v, err := s.c.call(ctx, supervisorGetPID)
	if err != nil {
		return 0, err
	}
	n, ok := toInt64(v)
	if !ok {
		return 0, s.c.decodeError(supervisorGetPID, fmt.Errorf("expected an int, got %s", describe(v)))
	}
	return int(n), nil
}

// ReadLog calls supervisor.readLog (main log; a negative offset reads from
// the end).
func (s *SupervisorClient) ReadLog(ctx context.Context, offset, length int) (string, error) {
	return s.str(ctx, supervisorReadLog, offset, length)
}

// ReadMainLog calls supervisor.readMainLog, the old alias of readLog.
func (s *SupervisorClient) ReadMainLog(ctx context.Context, offset, length int) (string, error) {
	return s.str(ctx, supervisorReadMainLog, offset, length)
}

// ClearLog calls supervisor.clearLog.
func (s *SupervisorClient) ClearLog(ctx context.Context) error {
	return s.c.callAction(ctx, supervisorClearLog)
}

// Shutdown calls supervisor.shutdown: this supervisord exits.
func (s *SupervisorClient) Shutdown(ctx context.Context) error {
	return s.c.callAction(ctx, supervisorShutdown)
}

// Restart calls supervisor.restart: this supervisord restarts.
func (s *SupervisorClient) Restart(ctx context.Context) error {
	return s.c.callAction(ctx, supervisorRestart)
}

// ReloadConfig calls supervisor.reloadConfig.
func (s *SupervisorClient) ReloadConfig(ctx context.Context) (ReloadResult, error) {
	v, err := s.c.call(ctx, supervisorReloadConfig)
	if err != nil {
		return ReloadResult{}, err
	}
	// [[added, changed, removed]]
	outer, err := asArray(v, supervisorReloadConfig)
	if err == nil && len(outer) == 1 {
		var inner []any
		inner, err = asArray(outer[0], supervisorReloadConfig)
		if err == nil && len(inner) == 3 {
			return ReloadResult{Added: toStrings(inner[0]), Changed: toStrings(inner[1]), Removed: toStrings(inner[2])}, nil
		}
	}
	if err == nil {
		err = fmt.Errorf("expected [[added, changed, removed]]")
	}
	return ReloadResult{}, s.c.decodeError(supervisorReloadConfig, err)
}

// AddProcessGroup calls supervisor.addProcessGroup.
func (s *SupervisorClient) AddProcessGroup(ctx context.Context, name string) error {
	return s.c.callAction(ctx, supervisorAddProcessGroup, name)
}

// RemoveProcessGroup calls supervisor.removeProcessGroup.
func (s *SupervisorClient) RemoveProcessGroup(ctx context.Context, name string) error {
	return s.c.callAction(ctx, supervisorRemoveProcessGroup, name)
}

// StartProcess calls supervisor.startProcess on this supervisord (bypassing
// Supvisors' placement; DISABLED if the program is disabled here).
func (s *SupervisorClient) StartProcess(ctx context.Context, name string, wait bool) error {
	return s.c.callAction(ctx, supervisorStartProcess, name, wait)
}

// StartProcessGroup calls supervisor.startProcessGroup.
func (s *SupervisorClient) StartProcessGroup(ctx context.Context, name string, wait bool) ([]ProcessStatus, error) {
	return s.statuses(ctx, supervisorStartProcessGroup, name, wait)
}

// StartAllProcesses calls supervisor.startAllProcesses.
func (s *SupervisorClient) StartAllProcesses(ctx context.Context, wait bool) ([]ProcessStatus, error) {
	return s.statuses(ctx, supervisorStartAllProcesses, wait)
}

// StopProcess calls supervisor.stopProcess.
func (s *SupervisorClient) StopProcess(ctx context.Context, name string, wait bool) error {
	return s.c.callAction(ctx, supervisorStopProcess, name, wait)
}

// StopProcessGroup calls supervisor.stopProcessGroup.
func (s *SupervisorClient) StopProcessGroup(ctx context.Context, name string, wait bool) ([]ProcessStatus, error) {
	return s.statuses(ctx, supervisorStopProcessGroup, name, wait)
}

// StopAllProcesses calls supervisor.stopAllProcesses.
func (s *SupervisorClient) StopAllProcesses(ctx context.Context, wait bool) ([]ProcessStatus, error) {
	return s.statuses(ctx, supervisorStopAllProcesses, wait)
}

// SignalProcess calls supervisor.signalProcess; signal is a name ("HUP") or
// a number ("1").
func (s *SupervisorClient) SignalProcess(ctx context.Context, name, signal string) error {
	return s.c.callAction(ctx, supervisorSignalProcess, name, signal)
}

// SignalProcessGroup calls supervisor.signalProcessGroup.
func (s *SupervisorClient) SignalProcessGroup(ctx context.Context, name, signal string) ([]ProcessStatus, error) {
	return s.statuses(ctx, supervisorSignalProcessGroup, name, signal)
}

// SignalAllProcesses calls supervisor.signalAllProcesses.
func (s *SupervisorClient) SignalAllProcesses(ctx context.Context, signal string) ([]ProcessStatus, error) {
	return s.statuses(ctx, supervisorSignalAllProcesses, signal)
}

// GetAllConfigInfo calls supervisor.getAllConfigInfo.
func (s *SupervisorClient) GetAllConfigInfo(ctx context.Context) ([]ConfigInfo, error) {
	return callList(ctx, s.c, supervisorGetAllConfigInfo, configInfoFrom)
}

// GetProcessInfo calls supervisor.getProcessInfo ("group:name").
func (s *SupervisorClient) GetProcessInfo(ctx context.Context, name string) (SupervisorProcessInfo, error) {
	return callOne(ctx, s.c, supervisorGetProcessInfo, supervisorProcessInfoFrom, name)
}

// GetAllProcessInfo calls supervisor.getAllProcessInfo.
func (s *SupervisorClient) GetAllProcessInfo(ctx context.Context) ([]SupervisorProcessInfo, error) {
	return callList(ctx, s.c, supervisorGetAllProcessInfo, supervisorProcessInfoFrom)
}

// ReadProcessStdoutLog calls supervisor.readProcessStdoutLog.
func (s *SupervisorClient) ReadProcessStdoutLog(ctx context.Context, name string, offset, length int) (string, error) {
	return s.str(ctx, supervisorReadProcessStdout, name, offset, length)
}

// ReadProcessStderrLog calls supervisor.readProcessStderrLog.
func (s *SupervisorClient) ReadProcessStderrLog(ctx context.Context, name string, offset, length int) (string, error) {
	return s.str(ctx, supervisorReadProcessStderr, name, offset, length)
}

// ReadProcessLog calls supervisor.readProcessLog, the old alias of
// readProcessStdoutLog.
func (s *SupervisorClient) ReadProcessLog(ctx context.Context, name string, offset, length int) (string, error) {
	return s.str(ctx, supervisorReadProcessLog, name, offset, length)
}

// TailProcessStdoutLog calls supervisor.tailProcessStdoutLog.
func (s *SupervisorClient) TailProcessStdoutLog(ctx context.Context, name string, offset, length int) (LogTail, error) {
	return s.tail(ctx, supervisorTailProcessStdout, name, offset, length)
}

// TailProcessStderrLog calls supervisor.tailProcessStderrLog.
func (s *SupervisorClient) TailProcessStderrLog(ctx context.Context, name string, offset, length int) (LogTail, error) {
	return s.tail(ctx, supervisorTailProcessStderr, name, offset, length)
}

// TailProcessLog calls supervisor.tailProcessLog, the old alias of
// tailProcessStdoutLog.
func (s *SupervisorClient) TailProcessLog(ctx context.Context, name string, offset, length int) (LogTail, error) {
	return s.tail(ctx, supervisorTailProcessLog, name, offset, length)
}

// ClearProcessLogs calls supervisor.clearProcessLogs.
func (s *SupervisorClient) ClearProcessLogs(ctx context.Context, name string) error {
	return s.c.callAction(ctx, supervisorClearProcessLogs, name)
}

// ClearProcessLog calls supervisor.clearProcessLog, the old alias of
// clearProcessLogs.
func (s *SupervisorClient) ClearProcessLog(ctx context.Context, name string) error {
	return s.c.callAction(ctx, supervisorClearProcessLog, name)
}

// ClearAllProcessLogs calls supervisor.clearAllProcessLogs. supervisord
// clears one process per turn of its main loop, which lasts up to 1 s when
// idle: with many processes the answer can take longer than the request
// timeout (observed: ~30 s and more for ~50 processes).
func (s *SupervisorClient) ClearAllProcessLogs(ctx context.Context) ([]ProcessStatus, error) {
	return s.statuses(ctx, supervisorClearAllProcessLogs)
}

// SendProcessStdin calls supervisor.sendProcessStdin.
func (s *SupervisorClient) SendProcessStdin(ctx context.Context, name, chars string) error {
	return s.c.callAction(ctx, supervisorSendProcessStdin, name, chars)
}

// SendRemoteCommEvent calls supervisor.sendRemoteCommEvent.
func (s *SupervisorClient) SendRemoteCommEvent(ctx context.Context, typ, data string) error {
	return s.c.callAction(ctx, supervisorSendRemoteComm, typ, data)
}
