package testlab

import "testing"

// TestStateReady: OPERATION with every lab instance known and every instance that must run RUNNING; with
// only, the others may be in any state.
func TestStateReady(t *testing.T) {
	c := &Cluster{inst: []*instance{{Identifier: "n1"}, {Identifier: "n2"}, {Identifier: "n3"}}}
	all := map[string]string{"n1": "RUNNING", "n2": "RUNNING", "n3": "RUNNING"}
	oneDown := map[string]string{"n1": "RUNNING", "n2": "RUNNING", "n3": "STOPPED"}
	for _, tc := range []struct {
		name  string
		st    supvisorsState
		only  []int
		ready bool
	}{
		{"all running", supvisorsState{FSMStatename: "OPERATION", InstanceStates: all}, nil, true},
		{"not in operation", supvisorsState{FSMStatename: "DISTRIBUTION", InstanceStates: all}, nil, false},
		{"an instance unknown", supvisorsState{FSMStatename: "OPERATION", InstanceStates: map[string]string{"n1": "RUNNING"}}, nil, false},
		{"one stopped", supvisorsState{FSMStatename: "OPERATION", InstanceStates: oneDown}, nil, false},
		{"one stopped, not awaited", supvisorsState{FSMStatename: "OPERATION", InstanceStates: oneDown}, []int{0, 1}, true},
		{"one stopped, awaited", supvisorsState{FSMStatename: "OPERATION", InstanceStates: oneDown}, []int{2}, false},
	} {
		if got := c.stateReady(tc.st, tc.only); got != tc.ready {
			t.Errorf("%s: stateReady = %v, want %v", tc.name, got, tc.ready)
		}
	}
	if !mustRun(nil, 2) || !mustRun([]int{0, 2}, 2) || mustRun([]int{0, 1}, 2) || mustRun([]int{}, 0) {
		t.Error("mustRun: every instance for nil, the listed ones otherwise")
	}
}

// TestStatusLines: the flags after an application's name and the instances of a process by nickname.
func TestStatusLines(t *testing.T) {
	for a, want := range map[applicationInfo]string{
		{Managed: true}: "",
		{}:              " (unmanaged)",
		{Managed: true, Major: true, Minor: true}: " major_failure minor_failure",
		{Major: true}: " (unmanaged) major_failure",
	} {
		if got := applicationFlags(a); got != want {
			t.Errorf("%+v: flags %q, want %q", a, got, want)
		}
	}
	nick := map[string]string{"127.0.0.1:1": "node1"}
	if got := where(processInfo{Identifiers: []string{"127.0.0.1:1", "other:2"}}, nick); got != "node1,other:2" {
		t.Errorf("where = %q", got)
	}
	if got := where(processInfo{}, nick); got != "" {
		t.Errorf("where of a process on no instance = %q, want empty", got)
	}
}
