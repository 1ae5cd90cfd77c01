package reconcile

import (
	"strings"
	"testing"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

func proc(app, name string, st supvisors.ProcessState, args string) supvisors.ProcessInfo {
	return supvisors.ProcessInfo{ApplicationName: app, ProcessName: name, Statename: st, ExtraArgs: args}
}

func TestScopeMembers(t *testing.T) {
	procs := []supvisors.ProcessInfo{
		proc("pg", "pg_multi_10", supvisors.ProcessStopped, ""),
		proc("pg", "pg_multi_2", supvisors.ProcessStopped, ""),
		proc("pg", "pg_multi_0", supvisors.ProcessStopped, ""),
		proc("pg", "pg_plain", supvisors.ProcessRunning, ""),
		proc("other", "pg_multi_1", supvisors.ProcessStopped, ""),
		proc("pg", "pg_multi_x", supvisors.ProcessStopped, ""),
		proc("app", "main", supvisors.ProcessStopped, ""),
	}
	for _, tc := range []struct {
		scope       Scope
		want        string
		homogeneous bool
	}{
		{Scope{App: "pg"}, "pg:pg_multi_0,pg:pg_multi_2,pg:pg_multi_10,pg:pg_multi_x,pg:pg_plain", false},
		{Scope{App: "pg", Program: "pg_plain"}, "pg:pg_plain", false},
		{Scope{App: "pg", Program: "pg_multi"}, "pg:pg_multi_0,pg:pg_multi_2,pg:pg_multi_10", true},
		{Scope{App: "pg", Program: "pg_multi_2"}, "pg:pg_multi_2", false},
		{Scope{App: "pg", Program: "nope"}, "", false},
		{Scope{App: "app", Program: "main"}, "app:main", false},
		{Scope{App: "app", Program: "app_main"}, "", false},
		{Scope{App: "none"}, "", false},
	} {
		got, homogeneous := Members(procs, tc.scope)
		if strings.Join(Namespecs(got), ",") != tc.want || homogeneous != tc.homogeneous {
			t.Errorf("%s: got %s (homogeneous %v), want %s (%v)", tc.scope.ID(), strings.Join(Namespecs(got), ","), homogeneous, tc.want, tc.homogeneous)
		}
	}
	hint := KnownProgramsHint(procs, "pg")
	for _, want := range []string{"pg_multi_0, pg_multi_2, pg_multi_10", "pg_plain", "Homogeneous programs", "pg_multi."} {
		if !strings.Contains(hint, want) {
			t.Errorf("hint %q lacks %q", hint, want)
		}
	}
	if hint := KnownProgramsHint(procs, "none"); !strings.Contains(hint, "no process") {
		t.Errorf("hint for an empty application: %q", hint)
	}
}

func TestScopeNaturalLess(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		less bool
	}{
		{"w_2", "w_10", true}, {"w_10", "w_2", false}, {"a", "b", true}, {"w_1", "w_1", false},
		{"w_01", "w_2", true}, {"w", "w_0", true}, {"w_9x", "w_10", true},
	} {
		if got := NaturalLess(tc.a, tc.b); got != tc.less {
			t.Errorf("NaturalLess(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestScopeLocalMembersAndHomogeneity(t *testing.T) {
	local := func(group, name, prog string, idx int) supvisors.LocalProcessInfo {
		return supvisors.LocalProcessInfo{Group: group, Name: name, ProgramName: prog, ProcessIndex: idx}
	}
	procs := []supvisors.LocalProcessInfo{
		local("pg", "pg_multi_0", "pg_multi", 0), local("pg", "pg_multi_1", "pg_multi", 1),
		local("pg", "pg_plain", "pg_plain", 0), local("app", "main", "app_main", 0),
		local("pool", "pool_0", "pool", 0), local("x", "job", "job", 0),
	}
	if got := LocalMembers(procs, Scope{App: "pg", Program: "pg_multi"}); len(got) != 2 || !IsHomogeneous(got) {
		t.Errorf("pg_multi: %v", got)
	}
	if got := LocalMembers(procs, Scope{App: "pg"}); len(got) != 3 {
		t.Errorf("pg:*: %v", got)
	}
	if got := LocalMembers(procs, Scope{App: "app", Program: "main"}); len(got) != 1 || got[0].ProgramName != "app_main" || IsHomogeneous(got) {
		t.Errorf("app:main: %v", got)
	}
	if got := LocalMembers(procs, Scope{App: "app", Program: "app_main"}); len(got) != 1 {
		t.Errorf("app:app_main (by program name): %v", got)
	}
	if !IsHomogeneous(ProgramProcesses(procs, "pool", "pool")) {
		t.Error("pool with numprocs 1 (pool_0) must count as homogeneous")
	}
	if IsHomogeneous(ProgramProcesses(procs, "x", "job")) || IsHomogeneous(ProgramProcesses(procs, "pg", "pg_plain")) {
		t.Error("plain programs must not count as homogeneous")
	}
	if IsHomogeneous(nil) {
		t.Error("no process is not homogeneous")
	}
	if got := ProgramNames(LocalMembers(procs, Scope{App: "pg"})); strings.Join(got, ",") != "pg_multi,pg_plain" {
		t.Errorf("program names: %v", got)
	}
}

func TestScopeDerive(t *testing.T) {
	run, stop := supvisors.ProcessRunning, supvisors.ProcessStopped
	all := []supvisors.ProcessInfo{proc("a", "x", run, "1"), proc("a", "y", supvisors.ProcessStarting, "1")}
	none := []supvisors.ProcessInfo{proc("a", "x", stop, "old"), proc("a", "y", supvisors.ProcessFatal, "")}
	mixed := []supvisors.ProcessInfo{proc("a", "x", run, "2"), proc("a", "y", supvisors.ProcessStopping, "")}
	for _, tc := range []struct {
		members []supvisors.ProcessInfo
		prior   string
		want    string
	}{
		{all, "running", "running"}, {all, "stopped", "running"}, {all, "", "running"},
		{none, "running", "stopped"}, {none, "stopped", "stopped"}, {none, "", "stopped"},
		{mixed, "running", "partial"}, {mixed, "stopped", "partial"}, {mixed, "", "partial"}, {mixed, "partial", "partial"},
		{nil, "running", "stopped"},
	} {
		if got := DeriveState(tc.members, tc.prior); got != tc.want {
			t.Errorf("DeriveState(%s, prior %q) = %q, want %q", strings.Join(Namespecs(tc.members), ","), tc.prior, got, tc.want)
		}
	}
	if got := DeriveExtraArgs(all, "1"); got != "1" {
		t.Errorf("extra args unchanged: %q", got)
	}
	if got := DeriveExtraArgs(all, "9"); got != "1" {
		t.Errorf("extra args drift: %q", got)
	}
	if got := DeriveExtraArgs(none, "9"); got != "9" {
		t.Errorf("stopped processes' leftovers must not count: %q", got)
	}
	if got := NeedsRestart(mixed, "2", false); len(got) != 0 {
		t.Errorf("nothing to restart: %v", got)
	}
	if got := NeedsRestart(mixed, "3", false); strings.Join(Namespecs(got), ",") != "a:x" {
		t.Errorf("restart for new args: %v", got)
	}
	if got := NeedsRestart(all, "1", true); len(got) != 2 {
		t.Errorf("restart all: %v", got)
	}
	if v, ok := DeriveInt([]int64{2, 2, 2}, 2); !ok || v != 2 {
		t.Errorf("agree: %d %v", v, ok)
	}
	if v, ok := DeriveInt([]int64{2, 3, 2}, 2); !ok || v != 3 {
		t.Errorf("one instance differs: %d %v", v, ok)
	}
	if _, ok := DeriveInt(nil, 2); ok {
		t.Error("nothing observed")
	}
	if v, ok := DeriveBool([]bool{true, false}, true); !ok || v {
		t.Errorf("bool drift: %v %v", v, ok)
	}
	if _, ok := DeriveBool(nil, true); ok {
		t.Error("nothing observed")
	}
}
