package supvisorstest

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
)

// The read-only getters of a Cluster that the provider's data sources call
// besides the applications and processes of cluster.go: the instances (info,
// state and modes, network), the Master, the statistics status, the rules of
// processes and the Supervisor getters of the instance reached.
//
// The instances are those added with AddInstance, else the two of the
// cluster state (127.0.0.1:61001 and 127.0.0.1:61002). The one at position i
// of the sorted identifiers is nicknamed node<i+1>; the first is the Master
// (the answer of get_supvisors_state). An instance marked down with SetDown
// has the state given there and reports no state and modes. Every getter
// answers the faults set with Fail; a test wanting another answer (an older
// release's shape, a stereotype) replaces the handler with Handle.

// ReaderStatistics is the answer of supvisors.get_statistics_status.
var ReaderStatistics = map[string]any{"host_stats": true, "process_stats": false, "collecting_period": 5.0}

// Answers of the Supervisor getters of the instance reached.
const (
	ReaderSupervisorVersion = "4.2.5"
	ReaderIdentification    = "supervisor-node1"
)

// handleDataSourceReaders registers the getters on c (called by NewCluster).
func (c *Cluster) handleDataSourceReaders() {
	c.handle("supvisors.get_all_instances_info", func([]any) (any, error) {
		return c.readerInstances(c.readerInstanceInfo), nil
	})
	c.handle("supvisors.get_instance_info", func(args []any) (any, error) {
		return c.readerMatching(args, c.readerInstanceInfo)
	})
	c.handle("supvisors.get_all_instances_state_modes", func([]any) (any, error) {
		return c.readerInstances(c.readerStateModes), nil
	})
	c.handle("supvisors.get_instance_state_modes", func(args []any) (any, error) {
		return c.readerMatching(args, c.readerStateModes)
	})
	c.handle("supvisors.get_network_info", func(args []any) (any, error) {
		id, _ := arg(args, 0).(string)
		if !slices.Contains(c.readerIDs(), id) {
			// Supvisors 0.19 answers a nickname (anything but host:port) with an HTTP 500.
			return nil, errors.New("get_network_info: no instance " + id)
		}
		return readerNetwork(id), nil
	})
	c.handle("supvisors.get_master_identifier", func([]any) (any, error) {
		return map[string]any{"identifier": c.readerIDs()[0], "nick_identifier": "node1"}, nil
	})
	c.handle("supvisors.get_statistics_status", Value(ReaderStatistics))
	c.handle("supvisors.get_process_rules", func(args []any) (any, error) {
		spec, _ := arg(args, 0).(string)
		return c.readerProcessRules(spec)
	})
	c.handle("supervisor.getSupervisorVersion", Value(ReaderSupervisorVersion))
	c.handle("supervisor.getIdentification", Value(ReaderIdentification))
	c.handle("supervisor.getState", Value(map[string]any{"statecode": 1, "statename": "RUNNING"}))
}

// readerIDs returns the identifiers of the instances, sorted. c.mu is held.
func (c *Cluster) readerIDs() []string {
	states := c.instanceStates()
	ids := make([]string, 0, len(states))
	for id := range states {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// readerInstances maps value over the instances, leaving out those for which it answers nil.
func (c *Cluster) readerInstances(value func(i int, id string) map[string]any) []any {
	out := []any{}
	for i, id := range c.readerIDs() {
		if v := value(i, id); v != nil {
			out = append(out, v)
		}
	}
	return out
}

// readerMatching answers a getter of one instance, named by its identifier or nickname by the first
// argument: a list of one element (none when value answers nil), BAD_NAME when it names no instance.
func (c *Cluster) readerMatching(args []any, value func(i int, id string) map[string]any) (any, error) {
	name, _ := arg(args, 0).(string)
	for i, id := range c.readerIDs() {
		if name != id && name != readerNick(i) {
			continue
		}
		if v := value(i, id); v != nil {
			return []any{v}, nil
		}
		return []any{}, nil
	}
	return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + name}
}

func readerNick(i int) string { return fmt.Sprintf("node%d", i+1) }

var instanceCodes = map[string]int{"STOPPED": 0, "CHECKING": 1, "CHECKED": 2, "RUNNING": 3, "FAILED": 4, "ISOLATED": 5}

// readerInstanceInfo is the get_instance_info element of instance id (the i-th).
func (c *Cluster) readerInstanceInfo(i int, id string) map[string]any {
	host, port, _ := net.SplitHostPort(id)
	p, _ := strconv.Atoi(port)
	state := c.instanceStates()[id].(string)
	return map[string]any{
		"identifier": id, "nick_identifier": readerNick(i), "node_name": host, "port": p,
		"statecode": instanceCodes[state], "statename": state, "loading": 10 * i, "process_failure": false,
		"remote_sequence_counter": 100 + i, "remote_mtime": 1000.5, "remote_time": 1700000000,
		"local_sequence_counter": 200 + i, "local_mtime": 2000.5, "local_time": 1700000001,
	}
}

// readerStateModes is the get_instance_state_modes element of instance id, nil for an instance down.
func (c *Cluster) readerStateModes(i int, id string) map[string]any {
	if _, down := c.down[id]; down {
		return nil
	}
	st := c.stateValue()
	return map[string]any{
		"identifier": id, "nick_identifier": readerNick(i), "now_monotonic": 1.0,
		"fsm_statecode": st["fsm_statecode"], "fsm_statename": st["fsm_statename"], "degraded_mode": false,
		"discovery_mode": false, "master_identifier": st["master_identifier"],
		"starting_jobs": len(st["starting_jobs"].([]any)) > 0, "stopping_jobs": false,
		"instance_states": st["instance_states"],
	}
}

// readerNetwork is the get_network_info answer of instance id (the struct of Supvisors 0.19).
func readerNetwork(id string) map[string]any {
	host, port, _ := net.SplitHostPort(id)
	p, _ := strconv.Atoi(port)
	return map[string]any{
		"identifier": id, "nick_identifier": id, "host_id": host, "http_port": p, "stereotypes": []any{"lab"},
		"network": map[string]any{
			"machine_id": "02:42:ac:11:00:02", "fqdn": "localhost.localdomain",
			"addresses": map[string]any{"lo": map[string]any{
				"host_name": "localhost", "aliases": []any{}, "ipv4_addresses": []any{host},
				"nic_info": map[string]any{"nic_name": "lo", "ipv4_address": host, "netmask": "255.0.0.0"},
			}},
		},
	}
}

// readerProcessRules answers get_process_rules for "app:*" or "app:proc" (BAD_NAME when nothing matches).
func (c *Cluster) readerProcessRules(spec string) (any, error) {
	app, name, _ := strings.Cut(spec, ":")
	a, ok := c.apps[app]
	out := []any{}
	if ok {
		for _, p := range a.Processes {
			if name == "*" || p.Name == name {
				out = append(out, map[string]any{
					"application_name": app, "process_name": p.Name, "identifiers": []any{"*"},
					"start_sequence": 1, "stop_sequence": 2, "required": true, "wait_exit": false,
					"expected_loading": 5, "starting_failure_strategy": "ABORT", "running_failure_strategy": "CONTINUE",
				})
			}
		}
	}
	if len(out) == 0 {
		return nil, &Fault{Code: FaultBadName, String: "BAD_NAME: " + spec}
	}
	return out, nil
}
