package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// TestPgListGroups checks how the processes of an application become list results: homogeneous programs as one
// result when uniform, each process on its own otherwise.
func TestPgListGroups(t *testing.T) {
	run := func(name string, st supvisors.ProcessState, args string) supvisors.ProcessInfo {
		p := supvisors.ProcessInfo{ApplicationName: "a", ProcessName: name, Statename: st, ExtraArgs: args}
		if st.IsRunning() {
			p.Identifiers = []string{"127.0.0.1:1"}
		}
		return p
	}
	cases := []struct {
		name  string
		procs []supvisors.ProcessInfo
		want  []string // ID=state
	}{
		{"homogeneous running", []supvisors.ProcessInfo{
			run("w_1", supvisors.ProcessRunning, ""), run("w_0", supvisors.ProcessRunning, ""), run("x", supvisors.ProcessStopped, ""),
		}, []string{"a:w=running", "a:x=stopped"}},
		{"homogeneous partial", []supvisors.ProcessInfo{
			run("w_0", supvisors.ProcessRunning, ""), run("w_1", supvisors.ProcessFatal, ""),
		}, []string{"a:w_0=running", "a:w_1=stopped"}},
		{"homogeneous with different arguments", []supvisors.ProcessInfo{
			run("w_0", supvisors.ProcessRunning, "-a"), run("w_1", supvisors.ProcessRunning, "-b"),
		}, []string{"a:w_0=running", "a:w_1=running"}},
		{"single numbered with a separator", []supvisors.ProcessInfo{
			run("pool_0", supvisors.ProcessStopped, ""),
		}, []string{"a:pool=stopped"}},
		{"single numbered without separator, and a process named like the prefix", []supvisors.ProcessInfo{
			run("node2", supvisors.ProcessStarting, ""), run("db", supvisors.ProcessRunning, ""), run("db_1", supvisors.ProcessStopped, ""),
		}, []string{"a:db=running", "a:db_1=stopped", "a:node2=running"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, g := range pgListGroups(tc.procs, "a") {
				got = append(got, g.scope.ID()+"="+g.state)
				members, _ := reconcile.Members(tc.procs, g.scope)
				if len(members) != len(g.members) {
					t.Errorf("%s: the resource would manage %d processes, the result lists %d", g.scope.ID(), len(members), len(g.members))
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// TestAccProcessGroupListResource runs terraform query over the lab's programs: unmanaged groups, homogeneous
// programs, display names, resources and filters.
func TestAccProcessGroupListResource(t *testing.T) {
	testAccPreCheck(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   testAccNeedsQuery,
		Steps: []resource.TestStep{
			testAccListSetup(testAccProviderBlock()),
			{
				Query: true,
				Config: `
list "supvisors_process_group" "unmanaged" {
  provider         = supvisors
  include_resource = true
  config {
    managed = false
  }
}

list "supvisors_process_group" "worker" {
  provider         = supvisors
  include_resource = true
  config {
    name_regex = "^worker:"
  }
}

list "supvisors_process_group" "app_w_stopped" {
  provider         = supvisors
  include_resource = true
  config {
    name_regex = "^app_w:"
    state      = "stopped"
  }
}

list "supvisors_process_group" "pg_multi" {
  provider = supvisors
  config {
    name_regex = "^pg_a:pg_a_multi$"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("supvisors_process_group.unmanaged", 1),
					querycheck.ExpectIdentity("supvisors_process_group.unmanaged", map[string]knownvalue.Check{
						"application": knownvalue.StringExact("tools"),
						"program":     knownvalue.StringExact("tool"),
					}),
					querycheck.ExpectResourceDisplayName("supvisors_process_group.unmanaged",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
							"application": knownvalue.StringExact("tools"), "program": knownvalue.StringExact("tool"),
						}),
						knownvalue.StringRegexp(regexp.MustCompile(`^tools:tool \(unmanaged, (running|stopped)\): `))),
					querycheck.ExpectLength("supvisors_process_group.worker", 1),
					querycheck.ExpectIdentity("supvisors_process_group.worker", map[string]knownvalue.Check{
						"application": knownvalue.StringExact("worker"),
						"program":     knownvalue.StringExact("worker"),
					}),
					querycheck.ExpectResourceDisplayName("supvisors_process_group.worker",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
							"application": knownvalue.StringExact("worker"), "program": knownvalue.StringExact("worker"),
						}),
						knownvalue.StringRegexp(regexp.MustCompile(
							`^worker:worker \(managed, running\): worker_\d on 127\.0\.0\.1:\d+; worker_\d on 127\.0\.0\.1:\d+; worker_\d on 127\.0\.0\.1:\d+$`))),
					querycheck.ExpectResourceKnownValues("supvisors_process_group.worker",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
							"application": knownvalue.StringExact("worker"), "program": knownvalue.StringExact("worker"),
						}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact("worker:worker")},
							{Path: tfjsonpath.New("state"), KnownValue: knownvalue.StringExact("running")},
							{Path: tfjsonpath.New("extra_args"), KnownValue: knownvalue.StringExact("")},
							{Path: tfjsonpath.New("strategy"), KnownValue: knownvalue.Null()},
							{Path: tfjsonpath.New("numprocs"), KnownValue: knownvalue.Null()},
							{Path: tfjsonpath.New("enabled"), KnownValue: knownvalue.Null()},
							{Path: tfjsonpath.New("processes"), KnownValue: knownvalue.ListSizeExact(3)},
						}),
					querycheck.ExpectLength("supvisors_process_group.app_w_stopped", 2),
					querycheck.ExpectIdentity("supvisors_process_group.app_w_stopped", map[string]knownvalue.Check{
						"application": knownvalue.StringExact("app_w"),
						"program":     knownvalue.StringExact("side"),
					}),
					querycheck.ExpectLength("supvisors_process_group.pg_multi", 1),
				},
			},
			testAccListErrorStep("supvisors_process_group", `name_regex = "*worker"`, `Invalid regular expression.*"\*worker"`),
		},
	})
}

// TestWhereTheyRun checks the "what runs where" part of the display names.
func TestWhereTheyRun(t *testing.T) {
	p := func(name string, st supvisors.ProcessState, ids ...string) supvisors.ProcessInfo {
		return supvisors.ProcessInfo{ApplicationName: "a", ProcessName: name, Statename: st, Identifiers: ids}
	}
	for _, tc := range []struct {
		procs []supvisors.ProcessInfo
		want  string
	}{
		{[]supvisors.ProcessInfo{p("w_2", supvisors.ProcessRunning, "h:1"), p("w_0", supvisors.ProcessRunning, "h:3"),
			p("w_1", supvisors.ProcessStarting, "h:3")}, "w_0, w_1 (STARTING) on h:3; w_2 on h:1"},
		{[]supvisors.ProcessInfo{p("x", supvisors.ProcessRunning, "h:2", "h:1"), p("y", supvisors.ProcessFatal)},
			"x on h:1 + h:2; not running: y (FATAL)"},
		{[]supvisors.ProcessInfo{p("x", supvisors.ProcessStopped)}, "nothing runs: x (STOPPED)"},
		{nil, "no process"},
	} {
		if got := whereTheyRun(tc.procs); got != tc.want {
			t.Errorf("whereTheyRun = %q, want %q", got, tc.want)
		}
	}
}

// TestAccProcessGroupListResourcePlain runs terraform query against the plain supervisord: its groups are listed
// (unmanaged), while the application list says why it cannot list anything there.
func TestAccProcessGroupListResourcePlain(t *testing.T) {
	testAccPlainPreCheck(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   testAccNeedsQuery,
		Steps: []resource.TestStep{
			testAccListSetup(testAccPlainProviderBlock()),
			{
				Query: true,
				Config: `
list "supvisors_process_group" "pweb" {
  provider = supvisors
  config {
    name_regex = "^pweb:"
  }
}

list "supvisors_process_group" "unmanaged" {
  provider = supvisors
  config {
    managed = false
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("supvisors_process_group.pweb", 2),
					querycheck.ExpectIdentity("supvisors_process_group.pweb", map[string]knownvalue.Check{
						"application": knownvalue.StringExact("pweb"),
						"program":     knownvalue.StringExact("cache"),
					}),
					querycheck.ExpectIdentity("supvisors_process_group.unmanaged", map[string]knownvalue.Check{
						"application": knownvalue.StringExact("pmulti"),
						"program":     knownvalue.StringExact("pmulti"),
					}),
					querycheck.ExpectLengthAtLeast("supvisors_process_group.unmanaged", 6),
				},
			},
			{
				Query: true,
				Config: `
list "supvisors_application" "none" {
  provider = supvisors
}
`,
				ExpectError: testAccErrorRe(`Could not list the Supvisors applications.*plain supervisord`),
			},
		},
	})
}
