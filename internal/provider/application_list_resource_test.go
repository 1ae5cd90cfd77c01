package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The list resource tests read web and worker (started by the cluster, no test changes them) and app_w (stopped
// whenever parallel tests run), whose values do not change meanwhile.

// testAccListSetup is the configuration step a query step needs before it: the provider (query files hold only
// list blocks) and a data source.
func testAccListSetup(providerBlock string) resource.TestStep {
	return resource.TestStep{Config: providerBlock + "data \"supvisors_state\" \"s\" {}\n"}
}

// TestAccApplicationListResource runs terraform query over the lab: every managed application with its identity,
// display name and resource, the filters, the limit, and the errors of bad filters.
func TestAccApplicationListResource(t *testing.T) {
	testAccPreCheck(t)
	snap, err := testAccClient(t).Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	managed := len(snap.ManagedApplicationNames())
	worker0 := snap.Match("worker:worker_0")
	if len(worker0) != 1 || len(worker0[0].Identifiers) != 1 {
		t.Fatalf("worker:worker_0 should run on one instance: %+v", worker0)
	}
	nick := ""
	for i := 0; i < testAccLab.Size(); i++ {
		if testAccLab.Identifier(i) == worker0[0].Identifiers[0] {
			nick = testAccLab.Nick(i)
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   testAccNeedsQuery,
		Steps: []resource.TestStep{
			testAccListSetup(testAccProviderBlock()),
			{
				Query: true,
				Config: `
list "supvisors_application" "all" {
  provider         = supvisors
  include_resource = true
}

list "supvisors_application" "running" {
  provider = supvisors
  config {
    name_regex = "^(web|worker|app_w)$"
    state      = "running"
  }
}

list "supvisors_application" "on_worker_0" {
  provider = supvisors
  config {
    name_regex = "^worker$"
    instance   = "` + nick + `"
  }
}

list "supvisors_application" "one" {
  provider = supvisors
  limit    = 1
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("supvisors_application.all", managed),
					querycheck.ExpectIdentity("supvisors_application.all", map[string]knownvalue.Check{
						"name": knownvalue.StringExact("web"),
					}),
					querycheck.ExpectIdentity("supvisors_application.all", map[string]knownvalue.Check{
						"name": knownvalue.StringExact("app_w"),
					}),
					querycheck.ExpectNoIdentity("supvisors_application.all", map[string]knownvalue.Check{
						"name": knownvalue.StringExact("tools"), // unmanaged: a process group, not an application
					}),
					querycheck.ExpectResourceDisplayName("supvisors_application.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"name": knownvalue.StringExact("web")}),
						knownvalue.StringRegexp(regexp.MustCompile(`^web \(RUNNING\): web_cache, web_server on 127\.0\.0\.1:\d+$`))),
					querycheck.ExpectResourceDisplayName("supvisors_application.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"name": knownvalue.StringExact("app_w")}),
						knownvalue.StringExact("app_w (STOPPED): nothing runs: main (STOPPED), side (STOPPED)")),
					querycheck.ExpectResourceKnownValues("supvisors_application.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"name": knownvalue.StringExact("app_w")}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact("app_w")},
							{Path: tfjsonpath.New("state"), KnownValue: knownvalue.StringExact("stopped")},
							{Path: tfjsonpath.New("statename"), KnownValue: knownvalue.StringExact("STOPPED")},
							{Path: tfjsonpath.New("strategy"), KnownValue: knownvalue.Null()},
							{Path: tfjsonpath.New("stop_on_destroy"), KnownValue: knownvalue.Bool(true)},
							{Path: tfjsonpath.New("managed"), KnownValue: knownvalue.Bool(true)},
							{Path: tfjsonpath.New("processes").AtSliceIndex(0).AtMapKey("namespec"), KnownValue: knownvalue.StringExact("app_w:main")},
						}),
					querycheck.ExpectResourceKnownValues("supvisors_application.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"name": knownvalue.StringExact("worker")}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("state"), KnownValue: knownvalue.StringExact("running")},
							{Path: tfjsonpath.New("processes"), KnownValue: knownvalue.ListSizeExact(3)},
						}),
					querycheck.ExpectLength("supvisors_application.running", 2),
					querycheck.ExpectIdentity("supvisors_application.running", map[string]knownvalue.Check{
						"name": knownvalue.StringExact("worker"),
					}),
					querycheck.ExpectLength("supvisors_application.on_worker_0", 1),
					querycheck.ExpectLength("supvisors_application.one", 1),
				},
			},
			testAccListErrorStep("supvisors_application", `name_regex = "web(["`, `Invalid regular expression.*"web\(\["`),
			testAccListErrorStep("supvisors_application", `instance = "node9"`, `Unknown Supvisors instance.*"node9".*known instances:.*node1`),
			testAccListErrorStep("supvisors_application", `state = "started"`, `"started" is not a valid state.*"running", "stopped"`),
		},
	})
}

// testAccListErrorStep is a query step with a list block of type typ whose config holds the line cfg, failing
// with an error matching re.
func testAccListErrorStep(typ, cfg, re string) resource.TestStep {
	return resource.TestStep{
		Query: true,
		Config: `
list "` + typ + `" "bad" {
  provider = supvisors
  config {
    ` + cfg + `
  }
}
`,
		ExpectError: testAccErrorRe(re),
	}
}

// TestAccListResourcesOneRead counts the HTTP requests of a query with two list blocks (applications and
// process groups) through a counting proxy: all their results come from one read of the cluster.
func TestAccListResourcesOneRead(t *testing.T) {
	testAccPreCheck(t)
	target, err := url.Parse(testAccLab.URL(0))
	if err != nil {
		t.Fatal(err)
	}
	var requests atomic.Int64
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	providerBlock := testAccProviderConfig(srv.URL, testAccLab.Username(), testAccLab.Password())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   testAccNeedsQuery,
		Steps: []resource.TestStep{
			testAccListSetup(providerBlock),
			{
				PreConfig: func() { requests.Store(0) },
				Query:     true,
				Config: `
list "supvisors_application" "all" {
  provider         = supvisors
  include_resource = true
}

list "supvisors_process_group" "all" {
  provider         = supvisors
  include_resource = true
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLengthAtLeast("supvisors_application.all", 10),
					querycheck.ExpectLengthAtLeast("supvisors_process_group.all", 10),
					countCheck(func() error {
						// one snapshot (system.multicall); a second one only if the two lists were more than
						// the snapshot's maximum age apart
						if n := requests.Load(); n < 1 || n > 2 {
							return fmt.Errorf("the query sent %d HTTP requests, want 1 (2 at most)", n)
						}
						t.Logf("query over the lab: %d HTTP request(s)", requests.Load())
						return nil
					}),
				},
			},
		},
	})
}

// countCheck runs f as a query check (after the query ran).
type countCheck func() error

func (f countCheck) CheckQuery(_ context.Context, _ querycheck.CheckQueryRequest, resp *querycheck.CheckQueryResponse) {
	resp.Error = f()
}
