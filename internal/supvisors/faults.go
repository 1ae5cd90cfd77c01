package supvisors

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultCode is the numeric code of an XML-RPC fault. Codes 1-92 come from
// Supervisor, 100-105 from Supvisors (0.18 and later; the meaning of the
// Supvisors codes changed between versions).
type FaultCode int

// Supervisor fault codes (supervisor.xmlrpc.Faults).
const (
	FaultUnknownMethod        FaultCode = 1
	FaultIncorrectParameters  FaultCode = 2
	FaultBadArguments         FaultCode = 3
	FaultSignatureUnsupported FaultCode = 4
	FaultShutdownState        FaultCode = 6
	FaultBadName              FaultCode = 10
	FaultBadSignal            FaultCode = 11
	FaultNoFile               FaultCode = 20
	FaultNotExecutable        FaultCode = 21
	FaultFailed               FaultCode = 30
	FaultAbnormalTermination  FaultCode = 40
	FaultSpawnError           FaultCode = 50
	FaultAlreadyStarted       FaultCode = 60
	FaultNotRunning           FaultCode = 70
	FaultSuccess              FaultCode = 80
	FaultAlreadyAdded         FaultCode = 90
	FaultStillRunning         FaultCode = 91
	FaultCantReread           FaultCode = 92
)

// Supvisors fault codes (supvisors.ttypes.SupvisorsFaults, 0.18 and later).
const (
	FaultSupvisorsConfError FaultCode = 100
	FaultBadSupvisorsState  FaultCode = 101
	FaultNotManaged         FaultCode = 102
	FaultDisabled           FaultCode = 103
	FaultNotApplicable      FaultCode = 104
	FaultNotInstalled       FaultCode = 105
)

var faultNames = map[FaultCode]string{
	FaultUnknownMethod:        "UNKNOWN_METHOD",
	FaultIncorrectParameters:  "INCORRECT_PARAMETERS",
	FaultBadArguments:         "BAD_ARGUMENTS",
	FaultSignatureUnsupported: "SIGNATURE_UNSUPPORTED",
	FaultShutdownState:        "SHUTDOWN_STATE",
	FaultBadName:              "BAD_NAME",
	FaultBadSignal:            "BAD_SIGNAL",
	FaultNoFile:               "NO_FILE",
	FaultNotExecutable:        "NOT_EXECUTABLE",
	FaultFailed:               "FAILED",
	FaultAbnormalTermination:  "ABNORMAL_TERMINATION",
	FaultSpawnError:           "SPAWN_ERROR",
	FaultAlreadyStarted:       "ALREADY_STARTED",
	FaultNotRunning:           "NOT_RUNNING",
	FaultSuccess:              "SUCCESS",
	FaultAlreadyAdded:         "ALREADY_ADDED",
	FaultStillRunning:         "STILL_RUNNING",
	FaultCantReread:           "CANT_REREAD",
	FaultSupvisorsConfError:   "SUPVISORS_CONF_ERROR",
	FaultBadSupvisorsState:    "BAD_SUPVISORS_STATE",
	FaultNotManaged:           "NOT_MANAGED",
	FaultDisabled:             "DISABLED",
	FaultNotApplicable:        "NOT_APPLICABLE",
	FaultNotInstalled:         "NOT_INSTALLED",
}

// String returns the symbolic name of the code ("BAD_NAME"), or "FAULT_<n>"
// for a code this package does not know.
func (c FaultCode) String() string {
	if name, ok := faultNames[c]; ok {
		return name
	}
	return "FAULT_" + strconv.Itoa(int(c))
}

// FaultCodes returns every fault code this package names, in increasing order.
func FaultCodes() []FaultCode { return sortedKeys(faultNames) }

// Fault is an XML-RPC fault returned by the server: the call reached the
// server and was refused (or failed) there.
type Fault struct {
	Code   FaultCode // numeric faultCode
	String string    // faultString, usually "<NAME>: <message>"
}

// Error returns the fault string (which already starts with the fault name),
// or the fault name when the server sent an empty string.
func (f *Fault) Error() string {
	if f.String == "" {
		return f.Code.String()
	}
	if !strings.HasPrefix(f.String, f.Code.String()) {
		return f.Code.String() + ": " + f.String
	}
	return f.String
}

// Is reports whether target is a *Fault with the same code, so that
// errors.Is(err, &Fault{Code: FaultBadName}) works.
func (f *Fault) Is(target error) bool {
	t, ok := target.(*Fault)
	return ok && t != nil && t.Code == f.Code
}

// Message returns the fault string without its "<NAME>: " prefix.
func (f *Fault) Message() string {
	prefix := f.Code.String() + ":"
	if strings.HasPrefix(f.String, prefix) {
		return strings.TrimSpace(f.String[len(prefix):])
	}
	return f.String
}

// IsFault reports whether err is, or wraps, a *Fault with the given code.
func IsFault(err error, code FaultCode) bool {
	var f *Fault
	return errors.As(err, &f) && f.Code == code
}

// CallError gives the method and the endpoint of a call that failed with an
// XML-RPC fault or an undecodable answer. It wraps the cause (a *Fault or a
// *DecodeError): use errors.As to reach it.
type CallError struct {
	Method   string // XML-RPC method name, e.g. "supvisors.start_application"
	Endpoint string // endpoint URL, without credentials
	Err      error
}

// Error formats as "<method> on <endpoint>: <cause>".
func (e *CallError) Error() string {
	return fmt.Sprintf("%s on %s: %v", e.Method, e.Endpoint, e.Err)
}

// Unwrap returns the cause.
func (e *CallError) Unwrap() error { return e.Err }

// Sentinel errors matched by *HTTPError through errors.Is.
var (
	// ErrUnauthorized matches an HTTP 401 answer: missing or wrong credentials.
	ErrUnauthorized = errors.New("unauthorized: missing or wrong username/password")
	// ErrNoEndpoint matches an HTTP 404 answer: no XML-RPC endpoint at this path.
	ErrNoEndpoint = errors.New("no XML-RPC endpoint at this URL")
	// ErrServerFault matches an HTTP 500 answer: the server crashed while
	// handling the call (a server-side bug, not a refusal).
	ErrServerFault = errors.New("internal server error")
)

// ErrNotSupvisors is wrapped by the error returned when the endpoint answers
// XML-RPC but has no supvisors namespace (a plain supervisord without the
// Supvisors plugin).
var ErrNotSupvisors = errors.New("not a Supvisors endpoint")

// HTTPError is an HTTP answer other than 200 OK.
type HTTPError struct {
	StatusCode int    // e.g. 401
	Status     string // e.g. "401 Unauthorized"
	Endpoint   string // endpoint URL, without credentials
	Method     string // XML-RPC method that was called
}

// Error describes the HTTP status and what it usually means.
func (e *HTTPError) Error() string {
	status := e.Status
	if status == "" {
		status = strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode)
	}
	var hint string
	switch e.StatusCode {
	case http.StatusUnauthorized:
		hint = " (missing or wrong username/password)"
	case http.StatusBadRequest:
		hint = " (supervisord answers 400 to a POST on a path that is not its XML-RPC endpoint: check the URL path, usually /RPC2)"
	case http.StatusNotFound:
		hint = " (no XML-RPC endpoint at this path; Supervisor serves /RPC2)"
	case http.StatusInternalServerError:
		hint = " (the server failed while handling the call)"
	}
	prefix := e.Endpoint
	if e.Method != "" {
		prefix = e.Method + " on " + e.Endpoint
	}
	return fmt.Sprintf("%s: HTTP %s%s", prefix, status, hint)
}

// Is matches ErrUnauthorized (401), ErrNoEndpoint (404) and ErrServerFault
// (500).
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrNoEndpoint:
		return e.StatusCode == http.StatusNotFound
	case ErrServerFault:
		return e.StatusCode == http.StatusInternalServerError
	}
	return false
}

// TransportError is a failure to exchange a request and its answer: the
// connection was refused or dropped, the request timed out, TLS failed, or the
// context was cancelled. Nothing is known about what the server did.
type TransportError struct {
	Endpoint string // endpoint URL, without credentials
	Method   string // XML-RPC method that was called
	Attempts int    // number of attempts made (read calls are retried)
	Err      error  // the cause (may be context.Canceled / context.DeadlineExceeded)
}

// Error describes the failure.
func (e *TransportError) Error() string {
	prefix := e.Endpoint
	if e.Method != "" {
		prefix = e.Method + " on " + e.Endpoint
	}
	msg := fmt.Sprintf("%s: %v", prefix, e.Err)
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return msg
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// DecodeError is an answer that is not a valid XML-RPC response, or whose
// value does not have the expected shape.
type DecodeError struct {
	Method string
	Err    error
}

// Error describes what could not be decoded.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("cannot decode the answer to %s: %v", e.Method, e.Err)
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// NotReadyError is returned when the Supvisors cluster stayed in a state that
// refuses the call (BAD_SUPVISORS_STATE) for as long as the client was allowed
// to wait. It unwraps to the *Fault.
type NotReadyError struct {
	State    SupvisorsStateName // state of the cluster at the last attempt ("" if unknown)
	Accepted []string           // states in which the call is accepted, as reported by the server
	Method   string             // XML-RPC method
	Waited   time.Duration      // how long the client waited
	Err      error              // the last *Fault
}

// Error names the state, the accepted ones and what to do.
func (e *NotReadyError) Error() string {
	var b strings.Builder
	state := string(e.State)
	if state == "" {
		state = "unknown"
	}
	fmt.Fprintf(&b, "Supvisors is not ready for %s: cluster state is %s", e.Method, state)
	if len(e.Accepted) > 0 {
		fmt.Fprintf(&b, ", the call is accepted only in %s", strings.Join(e.Accepted, ", "))
	}
	if e.Waited > 0 {
		fmt.Fprintf(&b, " (waited %s)", e.Waited.Round(100*time.Millisecond))
	}
	if hint := stateHint(e.State); hint != "" {
		b.WriteString(": ")
		b.WriteString(hint)
	}
	return b.String()
}

// Unwrap returns the last *Fault.
func (e *NotReadyError) Unwrap() error { return e.Err }

func stateHint(s SupvisorsStateName) string {
	switch s {
	case StateConciliation:
		return "the cluster has conflicts (a process running on several instances); " +
			"see data source supvisors_conflicts and resolve them with supvisors.conciliate or by stopping the duplicates"
	case StateOff, StateSynchronization, StateElection, StateDistribution:
		return "the cluster is starting or an instance is (re)joining; wait or increase ready_timeout"
	case StateRestarting, StateShuttingDown, StateFinal:
		return "the cluster is restarting or shutting down"
	case StateOperation:
		return "the server refused the call although the cluster is in OPERATION (jobs may be in progress); retry later"
	}
	return ""
}
