package provider

// Helpers of the data source tests. Every acceptance test compares what Terraform stored with what the same RPC
// answers directly, at check time, through a client of the instance the provider talks to; the unit tests run
// a data source's Read on the scripted cluster of supvisorstest (testDataSourceRead).

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// attrWant maps flatmap attribute keys ("processes.#", "processes.0.statename", "instance_states.h:p") to the
// expected value: string, bool, int, int64, float64 (compared with a relative tolerance of 1e-9) or nil (the
// attribute must be null, i.e. absent).
type attrWant map[string]any

// addList expects a list of strings at prefix.
func (w attrWant) addList(prefix string, values []string) {
	w[prefix+".#"] = len(values)
	for i, v := range values {
		w[fmt.Sprintf("%s.%d", prefix, i)] = v
	}
}

// addMap expects a map of strings at prefix.
func (w attrWant) addMap(prefix string, values map[string]string) {
	w[prefix+".%"] = len(values)
	for k, v := range values {
		w[prefix+"."+k] = v
	}
}

// addProcess expects the processInfoModel of p at prefix (now_monotonic is not exposed).
func (w attrWant) addProcess(prefix string, p supvisors.ProcessInfo) {
	w[prefix+".application_name"] = p.ApplicationName
	w[prefix+".process_name"] = p.ProcessName
	w[prefix+".namespec"] = p.Namespec()
	w[prefix+".statecode"] = p.Statecode
	w[prefix+".statename"] = string(p.Statename)
	w[prefix+".expected_exit"] = p.ExpectedExit
	w[prefix+".last_event_mtime"] = p.LastEventMtime
	w[prefix+".extra_args"] = p.ExtraArgs
	w.addList(prefix+".identifiers", sortedStrings(p.Identifiers))
}

// testCheckLive checks the attributes of the data source `name` (e.g. "data.supvisors_state.test") against the
// values want computes from live RPC answers when the check runs.
func testCheckLive(name string, want func(ctx context.Context) (attrWant, error)) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not found in state", name)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		w, err := want(ctx)
		if err != nil {
			return fmt.Errorf("live RPC for %s: %w", name, err)
		}
		return compareAttrs(name, rs.Primary.Attributes, w)
	}
}

func compareAttrs(name string, got map[string]string, want attrWant) error {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []string
	for _, k := range keys {
		g, present := got[k]
		var expected string
		switch v := want[k].(type) {
		case nil:
			if present {
				errs = append(errs, fmt.Sprintf("%s: want null, got %q", k, g))
			}
			continue
		case float64:
			if !present {
				errs = append(errs, fmt.Sprintf("%s: missing, want %v", k, v))
				continue
			}
			f, err := strconv.ParseFloat(g, 64)
			if err != nil || math.Abs(f-v) > 1e-9*math.Max(1, math.Abs(v)) {
				errs = append(errs, fmt.Sprintf("%s: got %q, want %v", k, g, v))
			}
			continue
		case string:
			expected = v
		case bool:
			expected = strconv.FormatBool(v)
		case int:
			expected = strconv.Itoa(v)
		case int64:
			expected = strconv.FormatInt(v, 10)
		default:
			return fmt.Errorf("%s: unsupported expected type %T", k, v)
		}
		if !present {
			errs = append(errs, fmt.Sprintf("%s: missing, want %q", k, expected))
		} else if g != expected {
			errs = append(errs, fmt.Sprintf("%s: got %q, want %q", k, g, expected))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s differs from the live RPC answer:\n  %s", name, strings.Join(errs, "\n  "))
	}
	return nil
}

// testAccDSMaster returns the index of the Master instance and the index of a non-Master one.
func testAccDSMaster(t *testing.T) (master, nonMaster int) {
	t.Helper()
	testAccPreCheck(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := testAccDSClient(0).GetSupvisorsState(ctx)
	if err != nil {
		t.Fatalf("get_supvisors_state: %v", err)
	}
	master, nonMaster = -1, -1
	for i := 0; i < testAccLab.Size(); i++ {
		if testAccLab.Identifier(i) == st.MasterIdentifier {
			master = i
		} else if nonMaster < 0 {
			nonMaster = i
		}
	}
	if master < 0 || nonMaster < 0 {
		t.Fatalf("cannot tell the Master (%q) from the other instances of the lab", st.MasterIdentifier)
	}
	return master, nonMaster
}

// testAccDSProviderBlock returns a provider block for instance i of the lab, with extra attribute lines.
func testAccDSProviderBlock(i int, extra ...string) string {
	return testAccProviderConfig(testAccLab.URL(i), testAccLab.Username(), testAccLab.Password(), extra...)
}

// testAccDSContext returns a context for direct calls made by a test.
func testAccDSContext(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// testAccDSClient returns a direct client of instance i of the lab, without snapshot caching (checks must see
// the cluster as it is now).
func testAccDSClient(i int) *supvisors.Client {
	c, err := supvisors.New(supvisors.Config{
		URL:            testAccLab.URL(i),
		Username:       testAccLab.Username(),
		Password:       testAccLab.Password(),
		SnapshotMaxAge: -1,
	})
	if err != nil {
		panic(fmt.Sprintf("lab client of instance %d: %v", i, err))
	}
	return c
}

func TestCompareAttrs(t *testing.T) {
	got := map[string]string{"s": "a", "b": "true", "i": "3", "f": "389.575139632", "l.#": "1", "l.0": "x"}
	ok := attrWant{"s": "a", "b": true, "i": 3, "f": 389.575139632, "absent": nil}
	ok.addList("l", []string{"x"})
	if err := compareAttrs("t", got, ok); err != nil {
		t.Errorf("unexpected difference: %v", err)
	}
	for name, bad := range map[string]attrWant{
		"string":  {"s": "b"},
		"bool":    {"b": false},
		"int":     {"i": int64(4)},
		"float":   {"f": 389.5751},
		"missing": {"m": "x"},
		"null":    {"s": nil},
		"list":    {"l.#": 2},
	} {
		if err := compareAttrs("t", got, bad); err == nil {
			t.Errorf("%s: difference not detected", name)
		}
	}
}

// testDataSourceRead runs d's Configure with the provider data of c (nil: an unconfigured provider), then its
// Read with a configuration of d's schema, as Terraform sends it: the attributes of vals set (a tftypes.Value
// is taken as it is, e.g. for a dynamic attribute), the others null. The caller decodes resp.State.
func testDataSourceRead(t *testing.T, d datasource.DataSource, c *supvisors.Client, vals map[string]any) *datasource.ReadResponse {
	t.Helper()
	ctx := context.Background()
	var pd any
	if c != nil {
		pd = &providerData{client: c, secret: "s3cret"}
	}
	var cresp datasource.ConfigureResponse
	d.(datasource.DataSourceWithConfigure).Configure(ctx, datasource.ConfigureRequest{ProviderData: pd}, &cresp)
	if cresp.Diagnostics.HasError() {
		t.Fatalf("configure: %v", cresp.Diagnostics)
	}
	var sresp datasource.SchemaResponse
	d.Schema(ctx, datasource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	for k := range vals {
		if _, ok := typ.AttributeTypes[k]; !ok {
			t.Fatalf("no attribute %q in the schema", k)
		}
	}
	config := tfsdk.Config{Schema: sresp.Schema, Raw: testObjectValue(typ, vals)}
	resp := &datasource.ReadResponse{State: tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, nil)}}
	d.Read(ctx, datasource.ReadRequest{Config: config}, resp)
	return resp
}

// testDataSourceState runs testDataSourceRead and decodes the state into m, failing the test on any error
// diagnostic.
func testDataSourceState(t *testing.T, d datasource.DataSource, c *supvisors.Client, vals map[string]any, m any) {
	t.Helper()
	resp := testDataSourceRead(t, d, c, vals)
	if resp.Diagnostics.HasError() {
		t.Fatalf("read: %v", resp.Diagnostics)
	}
	if diags := resp.State.Get(context.Background(), m); diags.HasError() {
		t.Fatalf("state: %v", diags)
	}
}

// testDataSourceError runs testDataSourceRead and returns its one error diagnostic, failing the test when the
// read did not fail or left a state behind.
func testDataSourceError(t *testing.T, d datasource.DataSource, c *supvisors.Client, vals map[string]any) diag.Diagnostic {
	t.Helper()
	resp := testDataSourceRead(t, d, c, vals)
	errs := resp.Diagnostics.Errors()
	if len(errs) != 1 {
		t.Fatalf("want one error, got %v", resp.Diagnostics)
	}
	if !resp.State.Raw.IsNull() {
		t.Errorf("a failed read set a state: %v", resp.State.Raw)
	}
	return errs[0]
}

// wantDiag fails the test unless the diagnostic's summary is summary and its detail contains every one of
// details.
func wantDiag(t *testing.T, d diag.Diagnostic, summary string, details ...string) {
	t.Helper()
	if d.Summary() != summary {
		t.Errorf("summary %q, want %q (detail: %s)", d.Summary(), summary, d.Detail())
	}
	for _, s := range details {
		if !strings.Contains(d.Detail(), s) {
			t.Errorf("detail of %q lacks %q:\n%s", d.Summary(), s, d.Detail())
		}
	}
}

// wantAttrDiag is wantDiag for a diagnostic that must point at the attribute attr.
func wantAttrDiag(t *testing.T, d diag.Diagnostic, attr, summary string, details ...string) {
	t.Helper()
	wp, ok := d.(diag.DiagnosticWithPath)
	if !ok || !wp.Path().Equal(path.Root(attr)) {
		t.Errorf("%q does not point at %s: %#v", d.Summary(), attr, d)
	}
	wantDiag(t, d, summary, details...)
}

// dsClusterState makes the fake cluster report the Supvisors state fsm (with no job in progress).
func dsClusterState(cl *supvisorstest.Cluster, fsm string) {
	cl.Handle("supvisors.get_supvisors_state", supvisorstest.Value(map[string]any{
		"identifier": "127.0.0.1:61001", "nick_identifier": "node1", "fsm_statecode": 4, "fsm_statename": fsm,
		"degraded_mode": false, "discovery_mode": false, "master_identifier": "127.0.0.1:61001",
		"starting_jobs": []any{}, "stopping_jobs": []any{}, "instance_states": map[string]any{"127.0.0.1:61001": "RUNNING"},
	}))
}

// dsStrategies makes the fake cluster answer get_strategies as a default Supvisors 0.19 configuration does.
func dsStrategies(cl *supvisorstest.Cluster) {
	cl.Handle("supvisors.get_strategies", supvisorstest.Value(map[string]any{
		"auto-fencing": false, "starting": "CONFIG", "conciliation": "USER", "supvisors_failure": "CONTINUE"}))
}

// dsFake starts a fake cluster with the applications of fakeApps and a client of it.
func dsFake(t *testing.T) (*supvisorstest.Cluster, *supvisors.Client) {
	t.Helper()
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), fakeApps()...)
	return cl, fakeClient(t, cl.URL(), nil)
}

// wantModel fails the test when the models got and want (structs of the same type) differ: framework values are
// compared with their Equal (a types.Float64 holds a pointer), nested structs field by field, the rest deeply.
func wantModel(t *testing.T, what string, got, want any) {
	t.Helper()
	if diffs := modelDiff("", reflect.ValueOf(got), reflect.ValueOf(want)); len(diffs) > 0 {
		t.Errorf("%s differs:\n  %s", what, strings.Join(diffs, "\n  "))
	}
}

func modelDiff(prefix string, got, want reflect.Value) []string {
	if !got.CanInterface() { // inside an unexported embedded struct (of plain Go values)
		if got.Kind() == reflect.Struct {
			return modelFieldsDiff(prefix, got, want)
		}
		if g, w := fmt.Sprint(got), fmt.Sprint(want); g != w {
			return []string{fmt.Sprintf("%s: got %s, want %s", prefix, g, w)}
		}
		return nil
	}
	if av, ok := got.Interface().(attr.Value); ok {
		if !av.Equal(want.Interface().(attr.Value)) {
			return []string{fmt.Sprintf("%s: got %v, want %v", prefix, got.Interface(), want.Interface())}
		}
		return nil
	}
	switch {
	case got.Kind() == reflect.Pointer && !got.IsNil() && !want.IsNil():
		return modelDiff(prefix, got.Elem(), want.Elem())
	case got.Kind() == reflect.Struct:
		return modelFieldsDiff(prefix, got, want)
	case got.Kind() == reflect.Slice && got.Len() == want.Len() && got.IsNil() == want.IsNil():
		var diffs []string
		for i := range got.Len() {
			diffs = append(diffs, modelDiff(fmt.Sprintf("%s[%d]", prefix, i), got.Index(i), want.Index(i))...)
		}
		return diffs
	}
	if !reflect.DeepEqual(got.Interface(), want.Interface()) {
		return []string{fmt.Sprintf("%s: got %+v, want %+v", prefix, got.Interface(), want.Interface())}
	}
	return nil
}

func modelFieldsDiff(prefix string, got, want reflect.Value) []string {
	var diffs []string
	for i := range got.NumField() {
		diffs = append(diffs, modelDiff(prefix+"."+got.Type().Field(i).Name, got.Field(i), want.Field(i))...)
	}
	return diffs
}
