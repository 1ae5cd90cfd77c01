package provider

// Pure helpers of the supvisors_process_group resource: which processes a (application, program) pair
// designates, import IDs, the extra_args rules, the homogeneity test for numprocs and how the observed
// processes turn into the resource's state. Nothing here talks to the network; process_group_cluster.go does.

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

// Values of the state attribute.
const (
	pgStateRunning = "running"
	pgStateStopped = "stopped"
	// pgStatePartial is what a refresh reads when some processes run and others do not; never a config value.
	pgStatePartial = "partial"
)

// pgScope is what one supvisors_process_group manages: every process of an application (Program == "")
// or one program of it.
//
// Program is matched against the processes of the application in this order:
//  1. a process named exactly Program (namespec "application:Program"): that single process;
//  2. otherwise the processes of a homogeneous program (numprocs) named Program: Supervisor names them
//     from a process_name that holds %(process_num), usually "<program>_<N>", so the processes whose name is
//     Program followed by an optional '_', '-' or '.' and a number.
type pgScope struct {
	App     string
	Program string
}

// ID is the resource ID and import ID: "application:*" or "application:program".
func (s pgScope) ID() string {
	if s.Program == "" {
		return s.App + ":*"
	}
	return s.App + ":" + s.Program
}

// WholeApp reports whether the scope is every process of the application.
func (s pgScope) WholeApp() bool { return s.Program == "" }

// pgParseID parses an import ID "application:*" or "application:program".
func pgParseID(id string) (pgScope, error) {
	const form = `the import ID must be "<application>:*" (every process of the application) or ` +
		`"<application>:<program>" (one program), e.g. "worker:*" or "web:web_server"`
	app, prog, found := strings.Cut(id, ":")
	if !found {
		if err := validators.CheckName(id); err == nil {
			return pgScope{}, fmt.Errorf("%q has no ':': %s; for every process of %q use %q", id, form, id, id+":*")
		}
		return pgScope{}, fmt.Errorf("%q is not a namespec: %s", id, form)
	}
	if err := validators.CheckName(app); err != nil {
		return pgScope{}, fmt.Errorf("invalid application part of %q (%v): %s", id, err, form)
	}
	if prog == "*" {
		return pgScope{App: app}, nil
	}
	if prog == "" {
		return pgScope{}, fmt.Errorf("%q has an empty program part: %s (use %q for every process)", id, form, app+":*")
	}
	if strings.Contains(prog, "*") {
		return pgScope{}, fmt.Errorf("%q: wildcards other than a lone '*' are not supported: %s", id, form)
	}
	if err := validators.CheckName(prog); err != nil {
		return pgScope{}, fmt.Errorf("invalid program part of %q (%v): %s", id, err, form)
	}
	return pgScope{App: app, Program: prog}, nil
}

// pgNumbered returns the regular expression matching the processes of the homogeneous program prog.
func pgNumbered(prog string) *regexp.Regexp {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(prog) + `[_.-]?[0-9]+$`)
}

// pgMembers returns, sorted by name (numbers in numeric order), the processes of procs (the processes of
// the scope's application) that belong to the scope, and whether they were matched as a homogeneous program
// (rule 2 of pgScope) rather than by an exact process name.
func pgMembers(procs []supvisors.ProcessInfo, s pgScope) (members []supvisors.ProcessInfo, homogeneous bool) {
	for _, p := range procs {
		if p.ApplicationName != s.App {
			continue
		}
		if s.WholeApp() {
			members = append(members, p)
		} else if p.ProcessName == s.Program {
			members = []supvisors.ProcessInfo{p}
			pgSortProcesses(members)
			return members, false
		}
	}
	if s.WholeApp() {
		pgSortProcesses(members)
		return members, false
	}
	re := pgNumbered(s.Program)
	for _, p := range procs {
		if p.ApplicationName == s.App && re.MatchString(p.ProcessName) {
			members = append(members, p)
		}
	}
	pgSortProcesses(members)
	return members, len(members) > 0
}

// pgSortProcesses sorts processes by name in natural order (worker_2 before worker_10).
func pgSortProcesses(ps []supvisors.ProcessInfo) {
	sort.SliceStable(ps, func(i, j int) bool { return pgNaturalLess(ps[i].Namespec(), ps[j].Namespec()) })
}

// pgNaturalLess compares two names, runs of digits by their numeric value.
func pgNaturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := pgDigitRun(a), pgDigitRun(b)
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

func pgDigitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// pgKnownProgramsHint describes what program may be set to in application app, for "unknown program" errors.
func pgKnownProgramsHint(procs []supvisors.ProcessInfo, app string) string {
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
	sort.Slice(names, func(i, j int) bool { return pgNaturalLess(names[i], names[j]) })
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

// pgLocalMembers returns the local processes (of one instance) of the scope: the same rules as pgMembers,
// plus the exact Supervisor program name, which the local information carries.
func pgLocalMembers(procs []supvisors.LocalProcessInfo, s pgScope) []supvisors.LocalProcessInfo {
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
	re := pgNumbered(s.Program)
	for _, p := range procs {
		if p.Group == s.App && re.MatchString(p.Name) {
			out = append(out, p)
		}
	}
	return out
}

// pgProgramProcesses returns the local processes of Supervisor program prog in group app.
func pgProgramProcesses(procs []supvisors.LocalProcessInfo, app, prog string) []supvisors.LocalProcessInfo {
	var out []supvisors.LocalProcessInfo
	for _, p := range procs {
		if p.Group == app && p.ProgramName == prog {
			out = append(out, p)
		}
	}
	return out
}

// pgProgramNames returns the distinct Supervisor program names of local processes, sorted.
func pgProgramNames(procs []supvisors.LocalProcessInfo) []string {
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

// pgIsHomogeneous tells whether the processes of one Supervisor program (on one instance) come from a
// process_name that holds %(process_num), the condition for update_numprocs. Supervisor requires it as soon as
// numprocs > 1, so two processes or more are enough. A single process qualifies when its name differs from the
// program name and ends with a number (e.g. "pool_0"). This must hold BEFORE update_numprocs is called: a
// refused call still changes the instance (API.md §6.15).
func pgIsHomogeneous(procs []supvisors.LocalProcessInfo) bool {
	switch len(procs) {
	case 0:
		return false
	case 1:
		p := procs[0]
		return p.Name != p.ProgramName && pgDigitRun(pgReverse(p.Name)) > 0
	default:
		return true
	}
}

func pgReverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

// pgCheckExtraArgs applies the rules for extra_args. They are appended to the program's command line, which
// Supervisor splits like a POSIX shell (shlex) when it spawns the process: unbalanced quotes or a trailing
// backslash would make every start fail with a spawn error, and a line break or another control character
// cannot be part of a command line.
func pgCheckExtraArgs(s string) error {
	for i, r := range s {
		if r == '\t' {
			continue
		}
		if unicode.IsControl(r) {
			return fmt.Errorf("character %d is the control character %q; extra arguments must fit on one command line", i, r)
		}
	}
	const (
		normal = iota
		single
		double
	)
	state := normal
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch state {
		case normal:
			switch c {
			case '\\':
				if i+1 == len(s) {
					return fmt.Errorf("it ends with a lone backslash, which escapes nothing (write \\\\ for a backslash)")
				}
				i++
			case '\'':
				state = single
			case '"':
				state = double
			}
		case single:
			if c == '\'' {
				state = normal
			}
		case double:
			switch c {
			case '\\':
				if i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
			case '"':
				state = normal
			}
		}
	}
	switch state {
	case single:
		return fmt.Errorf("a single quote (') is not closed; Supervisor splits the command line like a shell")
	case double:
		return fmt.Errorf(`a double quote (") is not closed; Supervisor splits the command line like a shell`)
	}
	return nil
}

// pgExtraArgsValidator validates extra_args at plan time with pgCheckExtraArgs.
type pgExtraArgsValidator struct{}

var _ validator.String = pgExtraArgsValidator{}

func (pgExtraArgsValidator) Description(ctx context.Context) string {
	return "must fit on one command line: no control characters, balanced quotes, no trailing backslash"
}

func (v pgExtraArgsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (pgExtraArgsValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := pgCheckExtraArgs(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid extra_args",
			fmt.Sprintf("extra_args %q cannot be appended to a program's command line: %v.", req.ConfigValue.ValueString(), err))
	}
}

// pgProgramValidator refuses a program that would be read as a pattern: omit program for every process.
type pgProgramValidator struct{}

var _ validator.String = pgProgramValidator{}

func (pgProgramValidator) Description(context.Context) string {
	return "a process or program name; omit the attribute (rather than \"*\") for every process of the application"
}

func (v pgProgramValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (pgProgramValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if strings.Contains(req.ConfigValue.ValueString(), "*") {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid program",
			fmt.Sprintf("program %q is not a name: to manage every process of the application, omit program "+
				"(the resource ID is then \"<application>:*\").", req.ConfigValue.ValueString()))
	}
}

// pgCountsAsRunning reports whether a process counts as running for state = "running": STARTING, RUNNING or
// BACKOFF, or EXITED with an expected exit code (a one-shot program that did its job, as the client's wait for
// "running" counts it). Such a process is neither reported as drift nor started again.
func pgCountsAsRunning(p supvisors.ProcessInfo) bool {
	return p.Statename.IsRunning() || (p.Statename == supvisors.ProcessExited && p.ExpectedExit)
}

// pgDeriveState turns the observed processes of the scope into the state attribute. All counting as running
// (pgCountsAsRunning) gives "running", none running (STARTING, RUNNING or BACKOFF) gives "stopped". When both
// hold (every process exited as expected), the prior state decides, so that a stopped group of one-shot programs
// stays "stopped". A mix is reported as "partial", a value that no configuration holds (the validator accepts
// only running and stopped), so that the plan shows the drift even after a refresh stored it, and an apply
// converges.
func pgDeriveState(members []supvisors.ProcessInfo, prior string) string {
	up, running := 0, 0
	for _, p := range members {
		if pgCountsAsRunning(p) {
			up++
		}
		if p.Statename.IsRunning() {
			running++
		}
	}
	switch {
	case len(members) > 0 && up == len(members) && !(running == 0 && prior == pgStateStopped):
		return pgStateRunning
	case running == 0:
		return pgStateStopped
	default:
		return pgStatePartial
	}
}

// pgDeriveExtraArgs turns the observed processes into the extra_args attribute: the arguments of the
// running processes matter (those of a stopped process are only the leftovers of its last start). When a
// running process has other arguments than the prior value, that is reported, so that the plan shows the drift
// and an apply restarts with the configured ones. Nothing running: the prior value is kept.
func pgDeriveExtraArgs(members []supvisors.ProcessInfo, prior string) string {
	for _, p := range members {
		if p.Statename.IsRunning() && p.ExtraArgs != prior {
			return p.ExtraArgs
		}
	}
	return prior
}

// pgNeedsRestart lists the running members whose extra arguments differ from want (or all running members when
// all is set): they must be stopped and started again with want.
func pgNeedsRestart(members []supvisors.ProcessInfo, want string, all bool) []supvisors.ProcessInfo {
	var out []supvisors.ProcessInfo
	for _, p := range members {
		if p.Statename.IsRunning() && (all || p.ExtraArgs != want) {
			out = append(out, p)
		}
	}
	return out
}

// pgDeriveInt reports an integer observed on several instances: the common value when they agree, else the
// first one that differs from prior (so that the plan shows the drift). ok is false when nothing was observed.
func pgDeriveInt(values []int64, prior int64) (v int64, ok bool) {
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

// pgDeriveBool is pgDeriveInt for booleans.
func pgDeriveBool(values []bool, prior bool) (v bool, ok bool) {
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
