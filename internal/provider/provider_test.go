package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// newTestProvider returns the provider with env as its environment.
func newTestProvider(env map[string]string) *supvisorsProvider {
	return &supvisorsProvider{version: "test", getenv: func(k string) string { return env[k] }}
}

// providerConfig builds a tfsdk.Config of the provider schema; attributes absent from attrs are null. Values are
// strings, bools, map[string]string or tftypes.Value (for unknown values).
func providerConfig(t *testing.T, attrs map[string]any) tfsdk.Config {
	t.Helper()
	ctx := context.Background()
	var sresp provider.SchemaResponse
	newTestProvider(nil).Schema(ctx, provider.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		v, ok := attrs[name]
		switch {
		case !ok:
			vals[name] = tftypes.NewValue(at, nil)
		default:
			switch x := v.(type) {
			case tftypes.Value:
				vals[name] = x
			case map[string]string:
				m := map[string]tftypes.Value{}
				for k, s := range x {
					m[k] = tftypes.NewValue(tftypes.String, s)
				}
				vals[name] = tftypes.NewValue(at, m)
			default:
				vals[name] = tftypes.NewValue(at, x)
			}
		}
	}
	return tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, vals)}
}

func TestProviderSchemaIsValid(t *testing.T) {
	ctx := context.Background()
	var resp provider.SchemaResponse
	newTestProvider(nil).Schema(ctx, provider.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatal(diags)
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no MarkdownDescription", name)
		}
	}
	for _, env := range []string{"SUPVISORS_URL", "SUPERVISOR_SERVER_URL"} {
		if !strings.Contains(resp.Schema.Attributes["url"].GetMarkdownDescription(), env) {
			t.Errorf("url description does not name %s", env)
		}
	}
	for _, env := range []string{"SUPVISORS_PASSWORD", "SUPERVISOR_PASSWORD"} {
		if !strings.Contains(resp.Schema.Attributes["password"].GetMarkdownDescription(), env) {
			t.Errorf("password description does not name %s", env)
		}
	}
	if !resp.Schema.Attributes["password"].IsSensitive() {
		t.Error("password is not sensitive")
	}
}

func TestResourceSchemasAreValid(t *testing.T) {
	ctx := context.Background()
	for _, newResource := range resourceConstructors() {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "supvisors"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%s: %v", meta.TypeName, resp.Diagnostics)
		}
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Fatalf("%s: %v", meta.TypeName, diags)
		}
	}
}

// diagText joins the summaries and details of diags.
func diagText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "[%s] %s: %s\n", d.Severity(), d.Summary(), d.Detail())
	}
	return b.String()
}

func TestClientConfigFromAttributesAndEnvironment(t *testing.T) {
	str := types.StringValue
	null := types.StringNull()
	base := providerModel{
		URL: null, Username: null, Password: null, RequestTimeout: null, ReadyTimeout: null, CAFile: null,
		Insecure: types.BoolNull(), InstanceURLs: types.MapNull(types.StringType),
	}
	with := func(f func(*providerModel)) providerModel { m := base; f(&m); return m }

	tests := []struct {
		name    string
		model   providerModel
		env     map[string]string
		check   func(t *testing.T, cfg supvisors.Config)
		errs    []string // substrings of the error diagnostics (none expected when empty)
		warning string
	}{
		{
			name:  "attributes win over the environment; defaults",
			model: with(func(m *providerModel) { m.URL = str("http://a:1"); m.Username = str("u"); m.Password = str("p") }),
			env:   map[string]string{"SUPVISORS_URL": "http://env:2", "SUPVISORS_USERNAME": "eu", "SUPVISORS_PASSWORD": "ep"},
			check: func(t *testing.T, cfg supvisors.Config) {
				if cfg.URL != "http://a:1" || cfg.Username != "u" || cfg.Password != "p" {
					t.Errorf("got %s %s", cfg.URL, cfg.Username)
				}
				if cfg.RequestTimeout != 30*time.Second || cfg.ReadyTimeout != 2*time.Minute {
					t.Errorf("defaults: %v %v", cfg.RequestTimeout, cfg.ReadyTimeout)
				}
			},
		},
		{
			name:  "SUPVISORS_* before SUPERVISOR_*",
			model: base,
			env: map[string]string{
				"SUPVISORS_URL": "http://env:2", "SUPERVISOR_SERVER_URL": "http://old:3",
				"SUPVISORS_USERNAME": "eu", "SUPERVISOR_USERNAME": "ou", "SUPVISORS_PASSWORD": "ep", "SUPERVISOR_PASSWORD": "op",
			},
			check: func(t *testing.T, cfg supvisors.Config) {
				if cfg.URL != "http://env:2" || cfg.Username != "eu" || cfg.Password != "ep" {
					t.Errorf("got %s %s", cfg.URL, cfg.Username)
				}
			},
		},
		{
			name:  "SUPERVISOR_* as the fallback (supervisorctl's variables)",
			model: base,
			env: map[string]string{
				"SUPERVISOR_SERVER_URL": "unix:///run/supervisor.sock", "SUPERVISOR_USERNAME": "ou", "SUPERVISOR_PASSWORD": "op",
			},
			check: func(t *testing.T, cfg supvisors.Config) {
				if cfg.URL != "unix:///run/supervisor.sock" || cfg.Username != "ou" || cfg.Password != "op" {
					t.Errorf("got %s %s", cfg.URL, cfg.Username)
				}
			},
		},
		{
			name: "timeouts, TLS and instance URLs",
			model: with(func(m *providerModel) {
				m.URL = str("https://a:1")
				m.RequestTimeout = str("5s")
				m.ReadyTimeout = str("1m30s")
				m.CAFile = str("/etc/ca.pem")
				m.Insecure = types.BoolValue(true)
				m.InstanceURLs = types.MapValueMust(types.StringType, map[string]attr.Value{"node2": str("https://b:2")})
			}),
			check: func(t *testing.T, cfg supvisors.Config) {
				if cfg.RequestTimeout != 5*time.Second || cfg.ReadyTimeout != 90*time.Second {
					t.Errorf("timeouts: %v %v", cfg.RequestTimeout, cfg.ReadyTimeout)
				}
				if cfg.CAFile != "/etc/ca.pem" || !cfg.Insecure || cfg.InstanceURLs["node2"] != "https://b:2" {
					t.Errorf("got %+v", cfg)
				}
			},
		},
		{
			name:  "no URL anywhere",
			model: base,
			errs:  []string{"Missing Supvisors URL", "SUPVISORS_URL", "SUPERVISOR_SERVER_URL"},
		},
		{
			name:  "bad URL from the environment names the variable",
			model: base,
			env:   map[string]string{"SUPERVISOR_SERVER_URL": "localhost:9001"},
			errs:  []string{"environment variable SUPERVISOR_SERVER_URL", "no scheme"},
		},
		{
			name:  "credentials in the environment URL are refused without echoing them",
			model: base,
			env:   map[string]string{"SUPVISORS_URL": "http://u:hunter2@h:1"},
			errs:  []string{"credentials"},
		},
		{
			name:  "password without user name",
			model: with(func(m *providerModel) { m.URL = str("http://a:1"); m.Password = str("p") }),
			errs:  []string{"Missing Supvisors user name"},
		},
		{
			name:  "user name without password",
			model: with(func(m *providerModel) { m.URL = str("http://a:1") }),
			env:   map[string]string{"SUPERVISOR_USERNAME": "u"},
			errs:  []string{"Missing Supvisors password", "SUPERVISOR_USERNAME"},
		},
		{
			name:  "invalid duration",
			model: with(func(m *providerModel) { m.URL = str("http://a:1"); m.ReadyTimeout = str("2 minutes") }),
			errs:  []string{"not a duration"},
		},
		{
			name:    "ca_file with http is ignored with a warning",
			model:   with(func(m *providerModel) { m.URL = str("http://a:1"); m.CAFile = str("/ca.pem") }),
			warning: "ca_file is ignored",
			check: func(t *testing.T, cfg supvisors.Config) {
				if cfg.CAFile != "" {
					t.Errorf("CAFile passed on for http: %q", cfg.CAFile)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, diags := tc.model.clientConfig(func(k string) string { return tc.env[k] })
			text := diagText(diags)
			if strings.Contains(text, "hunter2") {
				t.Errorf("a password leaked into the diagnostics: %s", text)
			}
			if len(tc.errs) == 0 && diags.HasError() {
				t.Fatalf("unexpected errors: %s", text)
			}
			for _, want := range tc.errs {
				if !strings.Contains(text, want) {
					t.Errorf("diagnostics %q lack %q", text, want)
				}
			}
			if tc.warning != "" && (!strings.Contains(text, tc.warning) || diags.WarningsCount() == 0) {
				t.Errorf("diagnostics %q lack the warning %q", text, tc.warning)
			}
			if tc.check != nil {
				tc.check(t, cfg)
			}
		})
	}
}

// TestConfigureNeverContactsTheServer configures the provider against a listener that counts connections:
// configuring must validate and build the client without any network traffic.
func TestConfigureNeverContactsTheServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()

	p := newTestProvider(nil)
	req := provider.ConfigureRequest{Config: providerConfig(t, map[string]any{
		"url": "http://" + ln.Addr().String(), "username": "u", "password": "p", "request_timeout": "1s",
	})}
	var resp provider.ConfigureResponse
	p.Configure(context.Background(), req, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(diagText(resp.Diagnostics))
	}
	data, ok := resp.ResourceData.(*providerData)
	if !ok || data.client == nil || resp.DataSourceData != resp.ResourceData {
		t.Fatalf("no client handed to resources: %#v", resp.ResourceData)
	}
	if data.readyTimeout != 2*time.Minute {
		t.Errorf("readyTimeout = %v", data.readyTimeout)
	}
	time.Sleep(100 * time.Millisecond)
	if n := conns.Load(); n != 0 {
		t.Fatalf("Configure opened %d connection(s) to the server", n)
	}
}

func TestConfigureWithUnknownValues(t *testing.T) {
	unknownURL := map[string]any{"url": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}

	var resp provider.ConfigureResponse
	newTestProvider(nil).Configure(context.Background(), provider.ConfigureRequest{Config: providerConfig(t, unknownURL)}, &resp)
	if resp.Diagnostics.HasError() || resp.ResourceData != nil || resp.Deferred != nil {
		t.Fatalf("unknown url: diags %s, data %v, deferred %v", diagText(resp.Diagnostics), resp.ResourceData, resp.Deferred)
	}

	resp = provider.ConfigureResponse{}
	req := provider.ConfigureRequest{Config: providerConfig(t, unknownURL)}
	req.ClientCapabilities.DeferralAllowed = true
	newTestProvider(nil).Configure(context.Background(), req, &resp)
	if resp.Deferred == nil || resp.Deferred.Reason != provider.DeferredReasonProviderConfigUnknown {
		t.Fatalf("deferral allowed: got %v", resp.Deferred)
	}

	// A known URL with an unknown instance URL is not usable either.
	resp = provider.ConfigureResponse{}
	partly := map[string]any{"url": "http://a:1", "instance_urls": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String},
		map[string]tftypes.Value{"node2": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)})}
	newTestProvider(nil).Configure(context.Background(), provider.ConfigureRequest{Config: providerConfig(t, partly)}, &resp)
	if resp.Diagnostics.HasError() || resp.ResourceData != nil {
		t.Fatalf("unknown instance URL: diags %s, data %v", diagText(resp.Diagnostics), resp.ResourceData)
	}
}

func TestConfigureReportsClientErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.pem")
	var resp provider.ConfigureResponse
	newTestProvider(nil).Configure(context.Background(), provider.ConfigureRequest{Config: providerConfig(t, map[string]any{
		"url": "https://127.0.0.1:1", "ca_file": missing,
	})}, &resp)
	if !resp.Diagnostics.HasError() || !strings.Contains(diagText(resp.Diagnostics), "CA file") {
		t.Fatalf("unreadable CA file: %s", diagText(resp.Diagnostics))
	}
}

// TestLogAdapterMasksThePassword logs through the client's logger adapter and the resources' log context and
// checks that the password appears nowhere, whatever the field or message.
func TestLogAdapterMasksThePassword(t *testing.T) {
	const secret = "s3cr3t-Pa55"
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	data := &providerData{secret: secret}

	tflogAdapter{data: data}.Debug(ctx, "calling with "+secret, map[string]any{
		"password": "anything", "url": "http://u:" + secret + "@h", "nested": fmt.Sprintf("x%sy", secret),
	})
	tflog.Info(data.logContext(ctx), "resource log "+secret, map[string]any{"password": secret})
	// Without a password, nothing is masked but the password field.
	tflog.Info((&providerData{}).logContext(ctx), "plain message", map[string]any{"password": "x"})
	var nilData *providerData
	tflog.Info(nilData.logContext(ctx), "nil provider data")

	out := buf.String()
	if strings.Contains(out, secret) {
		t.Fatalf("the password leaked into the logs:\n%s", out)
	}
	if !strings.Contains(out, "calling with ***") || !strings.Contains(out, "plain message") ||
		!strings.Contains(out, "nil provider data") {
		t.Fatalf("log lines missing or not masked as expected:\n%s", out)
	}
	if strings.Count(out, `"password":"***"`) != 3 {
		t.Fatalf("password fields not masked:\n%s", out)
	}
}

func TestClientErrorDetail(t *testing.T) {
	tests := []struct {
		err  error
		want []string
	}{
		{&supvisors.HTTPError{StatusCode: 401, Status: "401 Unauthorized", Endpoint: "http://h:1/RPC2"},
			[]string{"HTTP 401 Unauthorized", "refused the credentials", "http://h:1/RPC2", "SUPVISORS_PASSWORD"}},
		{&supvisors.HTTPError{StatusCode: 404, Status: "404 Not Found", Endpoint: "http://h:1/x"}, []string{"/RPC2", "404"}},
		{&supvisors.HTTPError{StatusCode: 500, Status: "500 Internal Server Error"}, []string{"500", "traceback"}},
		{&supvisors.HTTPError{StatusCode: 502, Status: "502 Bad Gateway"}, []string{"502 Bad Gateway"}},
		{fmt.Errorf("detect: %w", supvisors.ErrNotSupvisors), []string{"plain supervisord", "[rpcinterface:supvisors]"}},
		{&supvisors.TransportError{Endpoint: "http://127.0.0.1:1/RPC2", Err: errors.New("connection refused")},
			[]string{"Could not reach the server at http://127.0.0.1:1/RPC2", "connection refused"}},
		{&supvisors.TransportError{Endpoint: "e", Err: context.DeadlineExceeded}, []string{"did not finish in time", "timeouts"}},
		{&supvisors.TransportError{Endpoint: "e", Err: context.Canceled}, []string{"cancelled"}},
		{&supvisors.NotReadyError{State: "CONCILIATION", Method: "supvisors.start_application",
			Err: &supvisors.Fault{Code: supvisors.FaultBadSupvisorsState, String: "BAD_SUPVISORS_STATE: x"}},
			[]string{"CONCILIATION", "supvisors_conflicts", "ready_timeout"}},
		{&supvisors.Fault{Code: supvisors.FaultNotManaged, String: "NOT_MANAGED: tools"},
			[]string{"supvisors_process_group", "NOT_MANAGED: tools", "fault 102 NOT_MANAGED"}},
		{&supvisors.Fault{Code: supvisors.FaultBadName, String: "BAD_NAME: application=nope unknown to Supvisors"},
			[]string{"does not know this name", "fault 10 BAD_NAME"}},
		{&supvisors.Fault{Code: supvisors.FaultAbnormalTermination, String: "ABNORMAL_TERMINATION: failed to start x"},
			[]string{"no instance was eligible"}},
		{&supvisors.SettleError{Subject: "application faulty", Want: "RUNNING", Got: "STOPPED", Processes: []supvisors.ProcessFailure{
			{Namespec: "faulty:missing_bin", Statename: "FATAL", Spawnerr: "can't find command '/nonexistent/lab/binary'"},
			{Namespec: "faulty:crasher", Statename: "FATAL", Identifiers: []string{"127.0.0.1:61002"}},
		}}, []string{"Application faulty settled in state STOPPED instead of RUNNING",
			"faulty:crasher: FATAL on 127.0.0.1:61002", "faulty:missing_bin: FATAL, spawn error: can't find command"}},
		{errors.New("something else"), []string{"something else"}},
	}
	for _, tc := range tests {
		got := clientErrorDetail(tc.err)
		for _, want := range tc.want {
			if !strings.Contains(got, want) {
				t.Errorf("%T %v: detail %q lacks %q", tc.err, tc.err, got, want)
			}
		}
	}
	// The settle error lists processes in namespec order.
	got := clientErrorDetail(tests[len(tests)-2].err)
	if strings.Index(got, "faulty:crasher") > strings.Index(got, "faulty:missing_bin") {
		t.Errorf("processes not sorted: %s", got)
	}
	if clientErrorDetail(nil) != "" {
		t.Error("nil error has a detail")
	}
	d := clientErrorDiagnostic("Could not do it", errors.New("boom"))
	if d.Summary() != "Could not do it" || d.Detail() != "boom" {
		t.Errorf("diagnostic: %q %q", d.Summary(), d.Detail())
	}
}

func TestDurationString(t *testing.T) {
	for d, want := range map[time.Duration]string{30 * time.Second: "30s", 2 * time.Minute: "2m", time.Hour: "1h", 90 * time.Second: "1m30s"} {
		if got := durationString(d); got != want {
			t.Errorf("durationString(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestEnvironmentIsUsedByNew checks that New reads the process environment (not only tests' getenv).
func TestEnvironmentIsUsedByNew(t *testing.T) {
	t.Setenv("SUPVISORS_URL", "http://127.0.0.1:9")
	p := New("test")().(*supvisorsProvider)
	if p.getenv("SUPVISORS_URL") != os.Getenv("SUPVISORS_URL") {
		t.Fatal("provider does not read the environment")
	}
}
