package reconcile

// Which processes a process group (an application, or one program of it) designates, and how the observed
// processes turn into its state: pure decisions, no network (processgroup.go acts on the cluster).

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// Values of the state attribute.
const (
	StateRunning = "running"
	StateStopped = "stopped"
	// StatePartial is what a refresh reads when some processes run and others do not; never a config value.
	StatePartial = "partial"
)

// Scope is what one supvisors_process_group manages: every process of an application (Program == "")
// or one program of it.
//
// Program is matched against the processes of the application in this order:
//  1. a process named exactly Program (namespec "application:Program"): that single process;
//  2. otherwise the processes of a homogeneous program (numprocs) named Program: Supervisor names them
//     from a process_name that holds %(process_num), usually "<program>_<N>", so the processes whose name is
//     Program followed by an optional '_', '-' or '.' and a number.
type Scope struct {
	App     string
	Program string
}

// ID is the resource ID and import ID: "application:*" or "application:program".
func (s Scope) ID() string {
	if s.Program == "" {
		return s.App + ":*"
	}
	return s.App + ":" + s.Program
}

// WholeApp reports whether the scope is every process of the application.
func (s Scope) WholeApp() bool { return s.Program == "" }

// numbered returns the regular expression matching the processes of the homogeneous program prog.
func numbered(prog string) *regexp.Regexp {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(prog) + `[_.-]?[0-9]+$`)
}

// Members returns, sorted by name (numbers in numeric order), the processes of procs (the processes of
// the scope's application) that belong to the scope, and whether they were matched as a homogeneous program
// (rule 2 of Scope) rather than by an exact process name.
func Members(procs []supvisors.ProcessInfo, s Scope) (members []supvisors.ProcessInfo, homogeneous bool) {
	for _, p := range procs {
		if p.ApplicationName != s.App {
			continue
		}
		if s.WholeApp() {
			members = append(members, p)
		} else if p.ProcessName == s.Program {
			members = []supvisors.ProcessInfo{p}
			SortProcesses(members)
			return members, false
		}
	}
	if s.WholeApp() {
		SortProcesses(members)
		return members, false
	}
	re := numbered(s.Program)
	for _, p := range procs {
		if p.ApplicationName == s.App && re.MatchString(p.ProcessName) {
			members = append(members, p)
		}
	}
	SortProcesses(members)
	return members, len(members) > 0
}

// SortProcesses sorts processes by name in natural order (worker_2 before worker_10).
func SortProcesses(ps []supvisors.ProcessInfo) {
	sort.SliceStable(ps, func(i, j int) bool { return NaturalLess(ps[i].Namespec(), ps[j].Namespec()) })
}

// NaturalLess compares two names, runs of digits by their numeric value.
func NaturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, _ := strconv.ParseUint(strings.TrimLeft(a[:da], "0")+"0", 10, 64)
			nb, _ := strconv.ParseUint(strings.TrimLeft(b[:db], "0")+"0", 10, 64)
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// KnownProgramsHint describes what program may be set to in application app, for "unknown program" errors.
func KnownProgramsHint(procs []supvisors.ProcessInfo, app string) string {
	var names []string
	homogeneous := map[string]bool{}
	strip := regexp.MustCompile(`^(.+?)[_.-]?[0-9]+$`)
	for _, p := range procs {
		if p.ApplicationName != app {
			continue
		}
		names = append(names, p.ProcessName)
		if m := strip.FindStringSubmatch(p.ProcessName); m != nil {
			homogeneous[m[1]] = true
		}
	}
	if len(names) == 0 {
		return fmt.Sprintf("Application %q has no process.", app)
	}
	sort.Slice(names, func(i, j int) bool { return NaturalLess(names[i], names[j]) })
	hint := fmt.Sprintf("Processes of application %q: %s.", app, strings.Join(names, ", "))
	if len(homogeneous) > 0 {
		var hs []string
		for h := range homogeneous {
			hs = append(hs, h)
		}
		sort.Strings(hs)
		hint += fmt.Sprintf(" Homogeneous programs (numprocs) may also be named as a whole: %s.", strings.Join(hs, ", "))
	}
	return hint + fmt.Sprintf(" Omit program to manage every process of %q.", app)
}

// LocalMembers returns the local processes (of one instance) of the scope: the same rules as Members,
// plus the exact Supervisor program name, which the local information carries.
func LocalMembers(procs []supvisors.LocalProcessInfo, s Scope) []supvisors.LocalProcessInfo {
	var out []supvisors.LocalProcessInfo
	for _, p := range procs {
		if p.Group != s.App {
			continue
		}
		if s.WholeApp() {
			out = append(out, p)
		} else if p.Name == s.Program {
			return []supvisors.LocalProcessInfo{p}
		}
	}
	if s.WholeApp() {
		return out
	}
	for _, p := range procs {
		if p.Group == s.App && p.ProgramName == s.Program {
			out = append(out, p)
		}
	}
	if len(out) > 0 {
		return out
	}
	re := numbered(s.Program)
	for _, p := range procs {
		if p.Group == s.App && re.MatchString(p.Name) {
			out = append(out, p)
		}
	}
	return out
}

// ProgramProcesses returns the local processes of Supervisor program prog in group app.
func ProgramProcesses(procs []supvisors.LocalProcessInfo, app, prog string) []supvisors.LocalProcessInfo {
	var out []supvisors.LocalProcessInfo
	for _, p := range procs {
		if p.Group == app && p.ProgramName == prog {
			out = append(out, p)
		}
	}
	return out
}

// ProgramNames returns the distinct Supervisor program names of local processes, sorted.
func ProgramNames(procs []supvisors.LocalProcessInfo) []string {
	var out []string
	for _, p := range procs {
		name := p.ProgramName
		if name == "" {
			name = p.Name
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// IsHomogeneous tells whether the processes of one Supervisor program (on one instance) come from a
// process_name that holds %(process_num), the condition for update_numprocs. Supervisor requires it as soon as
// numprocs > 1, so two processes or more are enough. A single process qualifies when its name differs from the
// program name and ends with a number (e.g. "pool_0"). This must hold BEFORE update_numprocs is called: a
// refused call still changes the instance (API.md §6.15).
func IsHomogeneous(procs []supvisors.LocalProcessInfo) bool {
	switch len(procs) {
	case 0:
		return false
	case 1:
		p := procs[0]
		return p.Name != p.ProgramName && digitRun(reverse(p.Name)) > 0
	default:
		return true
	}
}

func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

// CountsAsRunning reports whether a process counts as running for state = "running": STARTING, RUNNING or
// BACKOFF, or EXITED with an expected exit code (a one-shot program that did its job, as the client's wait for
// "running" counts it). Such a process is neither reported as drift nor started again.
func CountsAsRunning(p supvisors.ProcessInfo) bool {
	return p.Statename.IsRunning() || (p.Statename == supvisors.ProcessExited && p.ExpectedExit)
}

// DeriveState turns the observed processes of the scope into the state attribute. All counting as running
// (CountsAsRunning) gives "running", none running (STARTING, RUNNING or BACKOFF) gives "stopped". When both
// hold (every process exited as expected), the prior state decides, so that a stopped group of one-shot programs
// stays "stopped". A mix is reported as "partial", a value that no configuration holds (the validator accepts
// only running and stopped), so that the plan shows the drift even after a refresh stored it, and an apply
// converges.
func DeriveState(members []supvisors.ProcessInfo, prior string) string {
	up, running := 0, 0
	for _, p := range members {
		if CountsAsRunning(p) {
			up++
		}
		if p.Statename.IsRunning() {
			running++
		}
	}
	switch {
	case len(members) > 0 && up == len(members) && !(running == 0 && prior == StateStopped):
		return StateRunning
	case running == 0:
		return StateStopped
	default:
		return StatePartial
	}
}

// DeriveExtraArgs turns the observed processes into the extra_args attribute: the arguments of the
// running processes matter (those of a stopped process are only the leftovers of its last start). When a
// running process has other arguments than the prior value, that is reported, so that the plan shows the drift
// and an apply restarts with the configured ones. Nothing running: the prior value is kept.
func DeriveExtraArgs(members []supvisors.ProcessInfo, prior string) string {
	for _, p := range members {
		if p.Statename.IsRunning() && p.ExtraArgs != prior {
			return p.ExtraArgs
		}
	}
	return prior
}

// NeedsRestart lists the running members whose extra arguments differ from want (or all running members when
// all is set): they must be stopped and started again with want.
func NeedsRestart(members []supvisors.ProcessInfo, want string, all bool) []supvisors.ProcessInfo {
	var out []supvisors.ProcessInfo
	for _, p := range members {
		if p.Statename.IsRunning() && (all || p.ExtraArgs != want) {
			out = append(out, p)
		}
	}
	return out
}

// DeriveInt reports an integer observed on several instances: the common value when they agree, else the
// first one that differs from prior (so that the plan shows the drift). ok is false when nothing was observed.
func DeriveInt(values []int64, prior int64) (v int64, ok bool) {
	if len(values) == 0 {
		return 0, false
	}
	for _, x := range values {
		if x != prior {
			return x, true
		}
	}
	return prior, true
}

// DeriveBool is DeriveInt for booleans.
func DeriveBool(values []bool, prior bool) (v bool, ok bool) {
	if len(values) == 0 {
		return false, false
	}
	for _, x := range values {
		if x != prior {
			return x, true
		}
	}
	return prior, true
}

// InstanceView is what one instance says about its own processes (get_all_local_process_info).
type InstanceView struct {
	ID     string
	Client *supvisors.Client
	Procs  []supvisors.LocalProcessInfo
}

// DownInstance is an instance that could not be asked: not RUNNING in the cluster, or unreachable.
type DownInstance struct {
	ID     string
	Reason string
}

// InstanceStates lists the instances of the cluster (from the snapshot's get_supvisors_state), split into
// those that are RUNNING and the others, each sorted by identifier.
func InstanceStates(snap *supvisors.Snapshot) (up []string, down []DownInstance) {
	for id, st := range snap.State.InstanceStates {
		if st == string(supvisors.InstanceRunning) {
			up = append(up, id)
		} else {
			down = append(down, DownInstance{ID: id, Reason: "its state is " + string(st)})
		}
	}
	sort.Strings(up)
	sort.Slice(down, func(i, j int) bool { return down[i].ID < down[j].ID })
	return up, down
}

// Defined returns the namespecs of the processes defined on the given instances (nil for no instance).
func Defined(views []InstanceView) map[string]bool {
	if len(views) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, v := range views {
		for _, p := range v.Procs {
			out[p.Namespec()] = true
		}
	}
	return out
}

// OnlyDefined keeps the processes that some RUNNING instance defines. After numprocs went down while an
// instance was out, Supvisors still lists the processes that only the absent instance has (FATAL, running
// nowhere); they can be neither started nor stopped, and must not count. A nil set keeps everything, and so does
// a filter that would keep nothing.
func OnlyDefined(members []supvisors.ProcessInfo, defined map[string]bool) []supvisors.ProcessInfo {
	if defined == nil {
		return members
	}
	var out []supvisors.ProcessInfo
	for _, p := range members {
		if defined[p.Namespec()] {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return members
	}
	return out
}

// ToStart lists the members to start for state = "running": those that do not count as running
// (CountsAsRunning), so that a one-shot program that exited as expected is not run again while others of the
// group run. When none runs (STARTING, RUNNING or BACKOFF), the whole group starts again, one-shot programs
// included.
func ToStart(members []supvisors.ProcessInfo) []supvisors.ProcessInfo {
	anyRunning := slices.ContainsFunc(members, func(p supvisors.ProcessInfo) bool { return p.Statename.IsRunning() })
	var toStart []supvisors.ProcessInfo
	for _, p := range members {
		if !p.Statename.IsRunning() && (!anyRunning || !CountsAsRunning(p)) {
			toStart = append(toStart, p)
		}
	}
	return toStart
}

// WorstState names the states the failed processes settled in, for the summary of a SettleError.
func WorstState(fs []supvisors.ProcessFailure) string {
	var states []string
	for _, f := range fs {
		st := string(f.Statename)
		if st != "" && !strings.Contains(strings.Join(states, ","), st) {
			states = append(states, st)
		}
	}
	if len(states) == 0 {
		return "another state"
	}
	return strings.Join(states, "/")
}
