package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// clientErrorDiagnostic turns an error returned by the supvisors client into an error diagnostic.
//
// summary says what failed, in the words of the user's configuration, e.g.
// `Could not start application "web"`. The detail (see clientErrorDetail) explains the cause in plain words
// (bad credentials, unreachable server, plain supervisord, cluster not ready, a process that would not start,
// a fault code) and what to do about it, then quotes the server's own message.
//
// Use it for every client error so that all resources and data sources report the same cause the same way:
//
//	if err != nil {
//		resp.Diagnostics.Append(clientErrorDiagnostic(fmt.Sprintf("Could not read application %q", name), err))
//		return
//	}
//
// The client never puts the password in its errors; nothing here adds it.
func clientErrorDiagnostic(summary string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic(summary, clientErrorDetail(err))
}

// clientAttributeErrorDiagnostic is clientErrorDiagnostic attached to an attribute of the configuration, for
// errors that one attribute's value caused (an unknown name, say).
func clientAttributeErrorDiagnostic(p path.Path, summary string, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, summary, clientErrorDetail(err))
}

// clientReadErrorDiagnostic is clientErrorDiagnostic for what has no timeouts block: data source reads, and the
// refresh, plan and import of resources. Their time limits are request_timeout and ready_timeout of the provider
// block, so that is where a timeout diagnostic points.
func clientReadErrorDiagnostic(summary string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic(summary, clientErrorDetailFor(err, true))
}

// clientErrorDetail explains err (see clientErrorDiagnostic) for a resource's create, update or delete, which
// its timeouts block bounds.
func clientErrorDetail(err error) string {
	return clientErrorDetailFor(err, false)
}

// clientErrorDetailFor explains err; read says that the operation has no timeouts block (see
// clientReadErrorDiagnostic), which changes the setting a timeout diagnostic points at. The explainers are
// tried in this order, the first that recognises err explains it: what the cluster did (a process that did not
// settle, a cluster not ready), what the server answered (HTTP statuses, faults), an operation cut short (time
// limit, interruption), a connection that failed.
func clientErrorDetailFor(err error, read bool) string {
	if err == nil {
		return ""
	}
	for _, explain := range []func(error, bool) (string, bool){clusterDetail, serverAnswerDetail, interruptedDetail, connectionDetail} {
		if detail, ok := explain(err, read); ok {
			return detail
		}
	}
	return err.Error()
}

// clusterDetail explains what the cluster did instead: processes that settled in another state, a cluster
// that did not become ready.
func clusterDetail(err error, _ bool) (string, bool) {
	var settle *supvisors.SettleError
	var notReady *supvisors.NotReadyError
	switch {
	case errors.As(err, &settle):
		return settleDetail(settle), true
	case errors.As(err, &notReady):
		return fmt.Sprintf("%s\n\nThe provider waited up to ready_timeout for the cluster to accept the call. "+
			"Raise ready_timeout in the provider block if the cluster only needs more time to settle.", sentence(notReady.Error())), true
	}
	return "", false
}

// serverAnswerDetail explains an answer of the server that is not the one expected: a plain supervisord, an
// HTTP error status, an XML-RPC fault.
func serverAnswerDetail(err error, _ bool) (string, bool) {
	var httpErr *supvisors.HTTPError
	var fault *supvisors.Fault
	switch {
	case errors.Is(err, supvisors.ErrNotSupvisors):
		return sentence(err.Error()) + "\n\nThe server is a plain supervisord, without the Supvisors plugin. There, " +
			"supvisors_process_group, supvisors_config_update and the data sources supvisors_state and " +
			"supvisors_processes work (and supvisors_rpc with supervisor.* methods); supvisors_application and the " +
			"other data sources need Supvisors. Point url " +
			"at an instance whose configuration has an [rpcinterface:supvisors] section " +
			"(supervisor.rpcinterface_factory = supvisors.plugin:make_supvisors_rpcinterface) to use them.", true

	case errors.Is(err, supvisors.ErrUnauthorized):
		return fmt.Sprintf("The server%s refused the credentials (HTTP 401 Unauthorized). Check username and password "+
			"in the provider block or the environment variables SUPVISORS_USERNAME and SUPVISORS_PASSWORD: they must "+
			"match the [inet_http_server] (or [unix_http_server]) section of supervisord, the same on every instance.",
			endpointSuffix(err)), true

	case errors.Is(err, supvisors.ErrNoEndpoint):
		return fmt.Sprintf("The server%s has no XML-RPC endpoint at this path (HTTP 404 Not Found). A URL without a "+
			"path uses /RPC2, which is where supervisord serves XML-RPC; remove any other path from url.\n\nError: %s",
			endpointSuffix(err), err), true

	case errors.Is(err, supvisors.ErrServerFault):
		return fmt.Sprintf("The server%s failed while handling the call (HTTP 500 Internal Server Error). The "+
			"supervisord log of that instance has the Python traceback.\n\nError: %s", endpointSuffix(err), err), true

	case errors.As(err, &httpErr):
		return fmt.Sprintf("The server%s answered HTTP %s instead of an XML-RPC response. Check that url points at "+
			"supervisord's XML-RPC endpoint.", endpointSuffix(err), httpErr.Status), true

	case errors.As(err, &fault):
		return faultDetail(fault), true
	}
	return "", false
}

// interruptedDetail explains an operation cut short: by its time limit (which one depends on read), or by an
// interruption.
func interruptedDetail(err error, read bool) (string, bool) {
	switch {
	case errors.Is(err, context.DeadlineExceeded) && read:
		return "The read did not finish in time. Reads (data sources, and the refresh, plan and import of " +
			"resources) have no timeouts block: raise request_timeout in the provider block (the limit of one " +
			"HTTP exchange, default " + durationString(defaultRequestTimeout) + ") or ready_timeout (how long the " +
			"provider waits for the cluster, default " + durationString(defaultReadyTimeout) + ").\n\nError: " + err.Error(), true

	case errors.Is(err, context.DeadlineExceeded):
		return "The operation did not finish in time. Raise the matching value of the resource's timeouts block " +
			"(or request_timeout in the provider block for a single slow call).\n\nError: " + err.Error(), true

	case errors.Is(err, context.Canceled):
		return "The operation was cancelled (interrupted) before it finished. The cluster may be in the middle of " +
			"the change: run terraform apply again to converge.\n\nError: " + err.Error(), true
	}
	return "", false
}

// connectionDetail explains a connection that failed: TLS, or no answer at all.
func connectionDetail(err error, _ bool) (string, bool) {
	var transport *supvisors.TransportError
	switch {
	case supvisors.IsTLSFailure(err):
		return fmt.Sprintf("The TLS connection to the server%s failed: the server presented a TLS certificate that "+
			"could not be verified, or it does not speak TLS: %s\n\nSet ca_file in the provider block to a PEM file "+
			"with the certificate authority that signed the server's certificate (without ca_file the system's "+
			"trust store is used), check that url names a host the certificate is for, or, for tests only, set "+
			"insecure = true. A server without TLS (supervisord itself) needs an http:// URL.", endpointSuffix(err), err), true

	case errors.As(err, &transport):
		return fmt.Sprintf("Could not reach the server at %s: %s\n\nCheck url (and that this supervisord runs and "+
			"listens there), the network between Terraform and the instance, and request_timeout.", transport.Endpoint, transport.Err), true
	}
	return "", false
}

// The causes that several fault codes share.
const (
	whyParameters = "The server refused the parameters of the call."
	whySpawn      = "Supervisor could not spawn the process; check its command in the Supervisor configuration."
)

// faultWhy explains the XML-RPC faults by code (faultDetail); codes that share a cause share its text.
var faultWhy = map[supvisors.FaultCode]string{
	supvisors.FaultBadName: "Supvisors does not know this name (no such application, process or instance).",
	supvisors.FaultNotManaged: "The application is not managed by Supvisors: no rules file declares it, so Supvisors will not start " +
		"or stop it as a whole. Use the supvisors_process_group resource for the processes of an unmanaged group, " +
		"or declare the application in the Supvisors rules.",
	supvisors.FaultBadSupvisorsState: "The cluster is not in a state that accepts this call (it may be synchronising, electing a master or " +
		"in conciliation). The data source supvisors_state shows the current state; conflicts are listed by " +
		"supvisors_conflicts.",
	supvisors.FaultAbnormalTermination: "Supvisors could not carry the command out: no instance was eligible (see the identifiers of the " +
		"rules, the starting strategy and the instances' load and state) or a required process failed.",
	supvisors.FaultAlreadyStarted:      "It is already started.",
	supvisors.FaultNotRunning:          "It is not running, or it stopped before reaching the RUNNING state.",
	supvisors.FaultStillRunning:        "It is still running.",
	supvisors.FaultIncorrectParameters: whyParameters,
	supvisors.FaultBadArguments:        whyParameters,
	supvisors.FaultDisabled:            "The program is disabled on that instance; enable it first (supvisors_process_group enabled = true).",
	supvisors.FaultSpawnError:          whySpawn,
	supvisors.FaultNoFile:              whySpawn,
	supvisors.FaultNotExecutable:       whySpawn,
	supvisors.FaultUnknownMethod:       "The server does not offer this method; the provider targets Supvisors 0.19.",
	supvisors.FaultNotApplicable:       "The call does not apply to this target (e.g. numprocs of a program that is not homogeneous).",
	supvisors.FaultNotInstalled:        "A module that Supvisors needs for this call is not installed on the server (e.g. psutil for statistics).",
	supvisors.FaultSupvisorsConfError:  "The Supvisors configuration of the server is invalid; see its log.",
	supvisors.FaultShutdownState:       "The supervisord that answered is shutting down.",
}

// faultDetail explains an XML-RPC fault by its code (faultWhy), then quotes the server's message.
func faultDetail(f *supvisors.Fault) string {
	why, ok := faultWhy[f.Code]
	if !ok {
		why = "The server refused the call."
	}
	return fmt.Sprintf("%s\n\nServer message: %s (fault %d %s)", why, f.String, int(f.Code), f.Code)
}

// settleDetail lists each process that failed, with its state, where it ran and its spawn error.
func settleDetail(e *supvisors.SettleError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s settled in state %s instead of %s.", capitalize(e.Subject), e.Got, e.Want)
	if len(e.Processes) == 0 {
		b.WriteString(" No process reported an error; the Supvisors and supervisord logs may tell why.")
		return b.String()
	}
	b.WriteString("\n\nProcesses that did not reach the expected state:")
	ps := append([]supvisors.ProcessFailure(nil), e.Processes...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].Namespec < ps[j].Namespec })
	for _, p := range ps {
		fmt.Fprintf(&b, "\n  - %s: %s", p.Namespec, p.Statename)
		if len(p.Identifiers) > 0 {
			fmt.Fprintf(&b, " on %s", strings.Join(p.Identifiers, ", "))
		}
		switch {
		case p.Spawnerr != "":
			fmt.Fprintf(&b, ", spawn error: %s", p.Spawnerr)
		case p.Description != "" && !p.Statename.IsRunning():
			fmt.Fprintf(&b, " (%s)", p.Description)
		}
	}
	b.WriteString("\n\nThe process logs (supervisorctl tail) and the supervisord logs have the details.")
	return b.String()
}

// endpointSuffix returns " at URL" when err carries the endpoint it concerns.
func endpointSuffix(err error) string {
	var httpErr *supvisors.HTTPError
	if errors.As(err, &httpErr) && httpErr.Endpoint != "" {
		return " at " + httpErr.Endpoint
	}
	var transport *supvisors.TransportError
	if errors.As(err, &transport) && transport.Endpoint != "" {
		return " at " + transport.Endpoint
	}
	return ""
}

// sentence makes s start with a capital letter and end with a full stop.
func sentence(s string) string {
	s = capitalize(strings.TrimSpace(s))
	if s != "" && !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// quotedList renders names as "a", "b", "c" for messages, or "(none)".
func quotedList(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(parts, ", ")
}

// reconcileDiagnostics turns what a reconciliation reports into diagnostics: its error first (with cause and
// remedy), then its notes as warnings.
func reconcileDiagnostics(notes reconcile.Notes, err error) diag.Diagnostics {
	var diags diag.Diagnostics
	if err != nil {
		diags.Append(reconcileErrorDiagnostic(err))
	}
	if p := notes.Partial; p != nil {
		diags.AddWarning("numprocs was changed on some instances only",
			fmt.Sprintf("numprocs of %s is already %d on %s. Run terraform apply again once the cause is fixed.",
				p.Scope.ID(), p.Numprocs, strings.Join(p.Instances, ", ")))
	}
	for _, s := range notes.Skipped {
		pgDownWarning(&diags, s.Scope, s.What, s.Down)
	}
	return diags
}

// reconcileErrorDiagnostic is the diagnostic of one error of reconcile.
func reconcileErrorDiagnostic(err error) diag.Diagnostic {
	var (
		step   *reconcile.StepError
		none   *reconcile.NoInstanceError
		hom    *reconcile.NotHomogeneousError
		prog   *reconcile.UnknownProgramError
		noProc *reconcile.NoProcessError
	)
	switch {
	case errors.As(err, &none):
		what := none.Verb + " " + none.Scope.ID()
		if none.Verb == "update_numprocs" {
			what = "take numprocs of " + none.Scope.ID()
		}
		return diag.NewErrorDiagnostic("No Supvisors instance can "+what,
			none.Verb+" acts on the instance that receives it, and no instance is RUNNING and reachable.")
	case errors.As(err, &hom):
		return diag.NewAttributeErrorDiagnostic(path.Root("numprocs"), "numprocs is not applicable to "+hom.Scope.ID(), notHomogeneousDetail(hom))
	case errors.As(err, &prog):
		detail := fmt.Sprintf("Instance %s has no process for %s.", prog.Instance, prog.Scope.ID())
		if prog.Numprocs {
			detail = fmt.Sprintf("Instance %s has no program %q in group %q.", prog.Instance, prog.Scope.Program, prog.Scope.App)
		}
		return diag.NewAttributeErrorDiagnostic(path.Root("program"), "Unknown program "+prog.Scope.ID(), detail)
	case errors.As(err, &noProc) && noProc.Supervisord != "":
		return diag.NewErrorDiagnostic("No process in "+noProc.Scope.ID(),
			fmt.Sprintf("supervisord at %s lists no process for %s any more.", noProc.Supervisord, noProc.Scope.ID()))
	case errors.As(err, &noProc):
		return diag.NewErrorDiagnostic("No process in "+noProc.Scope.ID(),
			fmt.Sprintf("Supvisors lists no process for %s any more.", noProc.Scope.ID()))
	case errors.As(err, &step) && step.Attribute != "":
		return clientAttributeErrorDiagnostic(path.Root(step.Attribute), step.Summary, step.Err)
	case errors.As(err, &step):
		return clientErrorDiagnostic(step.Summary, step.Err)
	}
	return clientErrorDiagnostic("Could not reconcile the cluster", err)
}

// notHomogeneousDetail explains why update_numprocs would be refused, and what to write instead.
func notHomogeneousDetail(e *reconcile.NotHomogeneousError) string {
	if e.NamedProcess {
		return fmt.Sprintf("%q is the process %s of the Supervisor program %q, which is not homogeneous (it has %d "+
			"process(es) and no %%(process_num) in its process_name). Supvisors would refuse update_numprocs with "+
			"NOT_APPLICABLE (fault 104), and that refused call would still change the instance. Remove numprocs, "+
			"or target a program defined with numprocs and process_name = %%(program_name)s_%%(process_num)d.",
			e.Scope.Program, e.Process, e.ProgramName, e.Processes)
	}
	return fmt.Sprintf("The Supervisor program %q (on %s: process %s) is not homogeneous: it has a single process whose "+
		"process_name has no %%(process_num). Supvisors refuses update_numprocs for it with NOT_APPLICABLE "+
		"(fault 104), and that refused call would still change the instance. Remove numprocs, or define the "+
		"program with numprocs and process_name = %%(program_name)s_%%(process_num)d.",
		e.Scope.Program, e.Instance, e.Process)
}

// pgDownWarning reports the instances that could not be read or changed, naming them.
func pgDownWarning(diags *diag.Diagnostics, s reconcile.Scope, what string, down []reconcile.DownInstance) {
	if len(down) == 0 {
		return
	}
	var lines []string
	for _, d := range down {
		lines = append(lines, fmt.Sprintf("  - %s: %s", d.ID, d.Reason))
	}
	diags.AddWarning(fmt.Sprintf("Some Supvisors instances were skipped for %s", s.ID()),
		fmt.Sprintf("%s could not be done on these instances:\n%s\n\n"+
			"numprocs and enabled are settings of each instance (update_numprocs, enable and disable act only on the "+
			"instance that receives them). Once the instances are back, run terraform plan: a difference shows as "+
			"drift and terraform apply sets it there too.", what, strings.Join(lines, "\n")))
}
