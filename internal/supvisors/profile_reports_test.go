package supvisors

import (
	"context"
	"strings"
	"testing"
)

// What each era reports, on answers recorded from real clusters (the serial() payloads of the releases of
// internal/testlab): a key the release lacks must read as not reported, never as a zero value.

func TestReportsPerEra(t *testing.T) {
	instance := map[string]map[string]any{
		"0.10": {"address_name": "vm", "statecode": 2, "statename": "RUNNING", "sequence_counter": 5,
			"remote_time": 1796161690, "local_time": 1796161690, "loading": 0},
		"0.11": {"identifier": "node1", "address_name": "node1", "statecode": 2, "statename": "RUNNING",
			"sequence_counter": 5, "remote_time": 1796161690, "local_time": 1796161690, "loading": 0},
		"0.15": {"identifier": "node1", "node_name": "127.0.0.1", "port": 62001, "statecode": 2, "statename": "RUNNING",
			"sequence_counter": 5, "remote_time": 1796161690, "local_time": 1796161690, "loading": 0},
		"0.18.7": {"identifier": "127.0.0.1:62001", "nick_identifier": "node1", "node_name": "127.0.0.1", "port": 62001,
			"statecode": 3, "statename": "RUNNING", "loading": 0, "process_failure": false, "remote_sequence_counter": 5,
			"remote_time": 1796161690, "remote_mtime": 12.5, "local_sequence_counter": 5, "local_time": 1796161690, "local_mtime": 12.6},
	}
	process := map[string]map[string]any{
		"0.10": {"application_name": "web", "process_name": "web_server", "statecode": 20, "statename": "RUNNING",
			"expected_exit": true, "last_event_time": 1796161690, "addresses": []any{"vm"}, "extra_args": ""},
		"0.15": {"application_name": "web", "process_name": "web_server", "statecode": 20, "statename": "RUNNING",
			"expected_exit": true, "last_event_time": 1796161690.25, "identifiers": []any{"node1"}, "extra_args": ""},
		"0.18.7": {"application_name": "web", "process_name": "web_server", "statecode": 20, "statename": "RUNNING",
			"expected_exit": true, "last_event_time": 1796161690.25, "identifiers": []any{"127.0.0.1:62001"}, "extra_args": ""},
	}
	cases := []struct {
		release        string
		nodeName, port bool // reported
		tickDetails    bool // process_failure, local_sequence_counter, remote_mtime, local_mtime
		wantNodeName   string
	}{
		{"0.10", true, false, false, "vm"},
		{"0.11", false, false, false, ""},
		{"0.15", true, true, false, "127.0.0.1"},
		{"0.18.7", true, true, true, "127.0.0.1"},
	}
	for _, tc := range cases {
		t.Run(tc.release, func(t *testing.T) {
			f := newFakeServer(t)
			f.playRelease(tc.release)
			f.handle(supvisorsGetAllAddressesInfo, value([]any{instance[tc.release]}))
			f.handle(supvisorsGetAllInstancesInfo, value([]any{instance[tc.release]}))
			if p, ok := process[tc.release]; ok {
				f.handle(supvisorsGetAllProcessInfo, value([]any{p}))
			}
			c := newTestClient(t, f.URL())
			ctx := context.Background()
			infos, err := c.GetAllInstancesInfo(ctx)
			if err != nil || len(infos) != 1 {
				t.Fatalf("%+v %v", infos, err)
			}
			in := infos[0]
			if in.Reports("node_name") != tc.nodeName || in.NodeName != tc.wantNodeName || in.Reports("port") != tc.port {
				t.Fatalf("node_name %q reported %v, port %d reported %v", in.NodeName, in.Reports("node_name"), in.Port, in.Reports("port"))
			}
			for _, k := range []string{"process_failure", "local_sequence_counter", "remote_mtime", "local_mtime"} {
				if in.Reports(k) != tc.tickDetails {
					t.Errorf("%s reported %v on %s", k, in.Reports(k), tc.release)
				}
			}
			if !in.Reports("remote_sequence_counter") || in.RemoteSequenceCounter != 5 {
				t.Errorf("sequence_counter is the remote_sequence_counter: %+v", in)
			}
			if _, ok := process[tc.release]; !ok {
				return
			}
			procs, err := c.GetAllProcessInfo(ctx)
			if err != nil || len(procs) != 1 {
				t.Fatalf("%+v %v", procs, err)
			}
			// last_event_time is wall-clock seconds, not the monotonic last_event_mtime of 0.19
			if procs[0].Reports("last_event_mtime") || procs[0].LastEventMtime != 0 || !procs[0].Reports("extra_args") {
				t.Fatalf("process %+v", procs[0])
			}
		})
	}
}

func TestReportsRules(t *testing.T) {
	f := newFakeServer(t)
	f.playRelease("0.15")
	f.handle(supvisorsGetApplicationRules, value(map[string]any{"application_name": "web", "managed": true,
		"distribution": "ALL_INSTANCES", "identifiers": []any{"*"}, "start_sequence": 1, "stop_sequence": 1,
		"starting_strategy": "CONFIG", "starting_failure_strategy": "ABORT", "running_failure_strategy": "CONTINUE"}))
	f.handle(supvisorsGetProcessRules, value([]any{map[string]any{"application_name": "web", "process_name": "web_server",
		"identifiers": []any{"*"}, "addresses": []any{"*"}, "start_sequence": 1, "stop_sequence": 1, "required": true,
		"wait_exit": false, "expected_loading": 5, "running_failure_strategy": "CONTINUE"}}))
	c := newTestClient(t, f.URL())
	ctx := context.Background()
	r, err := c.GetApplicationRules(ctx, "web")
	if err != nil || r.Reports("status_formula") || !r.Reports("starting_strategy") {
		t.Fatalf("status_formula is from 0.18: %+v %v", r, err)
	}
	pr, err := c.GetProcessRules(ctx, "web:*")
	if err != nil || len(pr) != 1 || pr[0].Reports("starting_failure_strategy") || !pr[0].Reports("running_failure_strategy") {
		t.Fatalf("a process rules answer without starting_failure_strategy (0.11): %+v %v", pr, err)
	}
	var byHand ProcessInfo
	if !byHand.Reports("last_event_mtime") {
		t.Fatal("a struct built by hand reports everything")
	}
}

// 0.10 reports no port (Reports("port") is false), yet its local-only calls reach every instance: they all
// serve the HTTP port of the one reached, on their host name.
func TestAddressEraInstanceURL(t *testing.T) {
	f := fake010(t)
	c := newTestClient(t, f.URL())
	ic, err := c.Instance(context.Background(), "vm")
	if err != nil {
		t.Fatal(err)
	}
	if want := "vm:" + c.ep.port(); !strings.Contains(ic.Endpoint(), want) {
		t.Fatalf("instance vm reached at %s, want host:port %s", ic.Endpoint(), want)
	}
}
