package provider

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

// rpcMutatingMethods says what each method of Supervisor 4.2 and Supvisors 0.19 that acts on the cluster does;
// the validator quotes it when it refuses one.
var rpcMutatingMethods = map[string]string{
	"system.multicall": "it can carry any call, mutating ones included",

	// Predictions that are not side-effect free: in Supvisors 0.19.1 they run on the real process model and
	// write simulated process states into it, which a following real start then trusts.
	"supvisors.test_start_application": "although a prediction, it writes simulated process states into " +
		"Supvisors' real process model, which can make the next real start skip a process",
	"supvisors.test_start_process": "although a prediction, it writes simulated process states into " +
		"Supvisors' real process model, which can make the next real start skip a process",

	"supervisor.addProcessGroup":          "it adds a process group",
	"supervisor.removeProcessGroup":       "it removes a process group",
	"supervisor.reloadConfig":             "it re-reads the configuration into the running daemon",
	"supervisor.clearLog":                 "it clears the main log",
	"supervisor.clearProcessLog":          "it clears a process log",
	"supervisor.clearProcessLogs":         "it clears process logs",
	"supervisor.clearAllProcessLogs":      "it clears every process log",
	"supervisor.restart":                  "it restarts the daemon",
	"supervisor.shutdown":                 "it shuts the daemon down",
	"supervisor.startProcess":             "it starts a process",
	"supervisor.startProcessGroup":        "it starts processes",
	"supervisor.startAllProcesses":        "it starts processes",
	"supervisor.stopProcess":              "it stops a process",
	"supervisor.stopProcessGroup":         "it stops processes",
	"supervisor.stopAllProcesses":         "it stops processes",
	"supervisor.signalProcess":            "it signals a process",
	"supervisor.signalProcessGroup":       "it signals processes",
	"supervisor.signalAllProcesses":       "it signals processes",
	"supervisor.sendProcessStdin":         "it writes to a process",
	"supervisor.sendRemoteCommEvent":      "it emits an event",
	"supvisors.start_application":         "it starts an application",
	"supvisors.stop_application":          "it stops an application",
	"supvisors.restart_application":       "it restarts an application",
	"supvisors.start_args":                "it starts a process",
	"supvisors.start_process":             "it starts processes",
	"supvisors.start_any_process":         "it starts a process",
	"supvisors.stop_process":              "it stops processes",
	"supvisors.restart_process":           "it restarts processes",
	"supvisors.update_numprocs":           "it changes a program's numprocs",
	"supvisors.enable":                    "it enables a program",
	"supvisors.disable":                   "it disables and stops a program",
	"supvisors.conciliate":                "it stops or restarts conflicting processes",
	"supvisors.restart_sequence":          "it triggers the start sequence",
	"supvisors.restart":                   "it restarts the whole cluster",
	"supvisors.shutdown":                  "it shuts the whole cluster down",
	"supvisors.end_sync":                  "it ends the synchronisation phase",
	"supvisors.change_log_level":          "it changes the logger level",
	"supvisors.enable_host_statistics":    "it changes the statistics settings",
	"supvisors.enable_process_statistics": "it changes the statistics settings",
	"supvisors.update_collecting_period":  "it changes the statistics settings",
}

// rpcMethodAllowed reports whether supvisors_rpc may call method: a method the client knows cannot change what
// the cluster does (the getters, the log readers and tails, system.listMethods, methodHelp and
// methodSignature). system.multicall never is, nor the test_start_* predictions (see rpcMutatingMethods).
func rpcMethodAllowed(method string) bool {
	return method != "system.multicall" && supvisors.IsReadOnlyMethod(method)
}

// rpcAllowedMethods returns the methods supvisors_rpc may call, sorted.
func rpcAllowedMethods() []string {
	var names []string
	for _, name := range supvisors.WrappedMethods() {
		if rpcMethodAllowed(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// rpcAllowedMethodList returns the allowed methods, comma separated, for messages and docs.
func rpcAllowedMethodList() string {
	return strings.Join(rpcAllowedMethods(), ", ")
}

// rpcMethodValidator refuses, at plan time, any method that rpcMethodAllowed refuses.
func rpcMethodValidator() validator.String {
	return validators.StringCheck("value must be a read-only (side-effect free) XML-RPC method of Supervisor or Supvisors", rpcMethodProblem)
}

// rpcMethodProblem is the error of a method supvisors_rpc refuses (two empty strings for an allowed one).
func rpcMethodProblem(method string) (summary, detail string) {
	if rpcMethodAllowed(method) {
		return "", ""
	}
	allowed := "Allowed read-only methods: " + rpcAllowedMethodList() + "."
	if why, ok := rpcMutatingMethods[method]; ok {
		summary := "Mutating method refused"
		detail := fmt.Sprintf("supvisors_rpc is a read-only data source and refuses %q: %s. A data source is read at "+
			"every plan and must never change the cluster. Manage applications and processes with the "+
			"supvisors_application and supvisors_process_group resources, or call the method with supvisorsctl.",
			method, why)
		if method == "system.multicall" {
			summary = "system.multicall refused"
			detail = fmt.Sprintf("supvisors_rpc refuses %q: %s, so it cannot be checked to be read-only. Use one "+
				"supvisors_rpc data source per call.", method, why)
		}
		return summary, detail + "\n\n" + allowed
	}
	return "Unknown or not read-only method",
		fmt.Sprintf("%q is not a read-only method of Supervisor 4.2 or Supvisors 0.19 known to this provider (names "+
			"are case-sensitive and carry their namespace, e.g. \"supvisors.get_strategies\").\n\n%s", method, allowed)
}
