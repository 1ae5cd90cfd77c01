package supvisorstest

import (
	"fmt"
	"strings"
	"testing"
)

// Instance is one Supvisors instance of a Cluster with its own XML-RPC
// server: its local processes (get_all_local_process_info), update_numprocs,
// enable and disable act on it alone, as on a real instance. Its programs are
// those of the cluster's applications (see Cluster.AddProgram).
type Instance struct {
	*Server
	ID string

	c     *Cluster
	local []*LocalProcess
}

// LocalProcess is one process as an instance knows it.
type LocalProcess struct {
	Group, Name, Program string
	Index                int
	Homogeneous          bool
	Disabled             bool
	State                string
}

// AddInstance starts the server of instance id (RUNNING in the cluster
// state). Its URL goes in the client's Config.InstanceURLs.
func (c *Cluster) AddInstance(t testing.TB, id string, methods []string) *Instance {
	in := &Instance{Server: New(t), ID: id, c: c}
	serveSupvisors(in.Server, methods)
	in.handle("supvisors.get_all_local_process_info", func([]any) (any, error) { return in.localValues(), nil })
	in.handle("supvisors.update_numprocs", func(args []any) (any, error) {
		prog, _ := arg(args, 0).(string)
		n, _ := arg(args, 1).(int64)
		return in.updateNumprocs(prog, int(n))
	})
	in.handle("supvisors.enable", func(args []any) (any, error) { return in.setDisabled(args, false) })
	in.handle("supvisors.disable", func(args []any) (any, error) { return in.setDisabled(args, true) })
	c.mu.Lock()
	c.instances = append(c.instances, in)
	c.mu.Unlock()
	return in
}

// handle registers h under the cluster's lock, behind the faults set with
// Fail on this instance's server (by method name).
func (in *Instance) handle(method string, h Handler) {
	in.Handle(method, func(args []any) (any, error) {
		in.c.mu.Lock()
		defer in.c.mu.Unlock()
		if f := in.c.faults[in.ID+" "+method]; f != nil {
			return nil, f
		}
		return h(args)
	})
}

// AddProgram declares program prog of application app on every instance
// added so far: numprocs processes named prog_<i> when homogeneous, else one
// process named prog. The application's cluster-wide processes follow.
func (c *Cluster) AddProgram(app, prog string, numprocs int, homogeneous bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, in := range c.instances {
		in.setProgram(app, prog, numprocs, homogeneous)
	}
	c.syncProcesses(app, prog)
}

func (in *Instance) setProgram(app, prog string, n int, homogeneous bool) {
	var keep []*LocalProcess
	old := map[string]*LocalProcess{}
	for _, p := range in.local {
		if p.Group == app && p.Program == prog {
			old[p.Name] = p
			continue
		}
		keep = append(keep, p)
	}
	for i := range n {
		name := prog
		if homogeneous {
			name = fmt.Sprintf("%s_%d", prog, i)
		}
		p := old[name]
		if p == nil {
			p = &LocalProcess{Group: app, Name: name, Program: prog, Index: i, Homogeneous: homogeneous, State: "STOPPED"}
		}
		keep = append(keep, p)
	}
	in.local = keep
}

// syncProcesses makes the cluster-wide processes of prog the union of the
// instances' local ones.
func (c *Cluster) syncProcesses(app, prog string) {
	a := c.apps[app]
	if a == nil {
		return
	}
	seen := map[string]bool{}
	var keep []*Process
	for _, p := range a.Processes {
		if !strings.HasPrefix(p.Name, prog) {
			keep = append(keep, p)
		}
	}
	byName := map[string]*Process{}
	for _, p := range a.Processes {
		byName[p.Name] = p
	}
	for _, in := range c.instances {
		for _, lp := range in.local {
			if lp.Group != app || lp.Program != prog || seen[lp.Name] {
				continue
			}
			seen[lp.Name] = true
			p := byName[lp.Name]
			if p == nil {
				p = &Process{Name: lp.Name, State: "STOPPED"}
			}
			keep = append(keep, p)
		}
	}
	a.Processes = keep
}

func (in *Instance) updateNumprocs(prog string, n int) (any, error) {
	var app string
	homogeneous := false
	for _, p := range in.local {
		if p.Program == prog {
			app, homogeneous = p.Group, p.Homogeneous
		}
	}
	if app == "" {
		return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + prog}
	}
	in.c.sent = append(in.c.sent, "update_numprocs "+prog+" "+fmt.Sprint(n)+" on "+in.ID)
	if !homogeneous {
		return nil, &Fault{Code: 104, String: "NOT_APPLICABLE: " + prog}
	}
	in.setProgram(app, prog, n, true)
	in.c.syncProcesses(app, prog)
	return true, nil
}

func (in *Instance) setDisabled(args []any, disabled bool) (any, error) {
	prog, _ := arg(args, 0).(string)
	verb := "enable"
	if disabled {
		verb = "disable"
	}
	in.c.sent = append(in.c.sent, verb+" "+prog+" on "+in.ID)
	found := false
	for _, p := range in.local {
		if p.Program == prog {
			found = true
			p.Disabled = disabled
			if disabled {
				p.State = "STOPPED"
			}
		}
	}
	if !found {
		return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + prog}
	}
	return true, nil
}

func (in *Instance) localValues() []any {
	out := []any{}
	for _, p := range in.local {
		out = append(out, localValue(p))
	}
	return out
}

func localValue(p *LocalProcess) map[string]any {
	return map[string]any{
		"group": p.Group, "name": p.Name, "program_name": p.Program, "process_index": p.Index,
		"disabled": p.Disabled, "state": processCodes[p.State], "statename": p.State, "extra_args": "",
		"start": 0, "stop": 0, "now": 0, "pid": 0, "description": "", "spawnerr": "", "expected": true,
		"start_monotonic": 0.0, "stop_monotonic": 0.0, "now_monotonic": 1.0, "startsecs": 1, "stopwaitsecs": 10,
		"has_stdout": true, "has_stderr": true,
	}
}
