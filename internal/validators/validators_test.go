package validators

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// run applies v to value and returns the error details joined ("" when valid).
func run(t *testing.T, v validator.String, value types.String) string {
	t.Helper()
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("attr"), ConfigValue: value}, resp)
	var out []string
	for _, d := range resp.Diagnostics.Errors() {
		out = append(out, d.Summary()+": "+d.Detail())
	}
	return strings.Join(out, "\n")
}

func TestValidatorsSkipNullAndUnknown(t *testing.T) {
	for name, v := range map[string]validator.String{
		"strategy": StartingStrategy(), "name": Name("application name"), "namespec": Namespec(),
		"url": URL(), "duration": Duration(),
	} {
		if got := run(t, v, types.StringNull()); got != "" {
			t.Errorf("%s: null value: %s", name, got)
		}
		if got := run(t, v, types.StringUnknown()); got != "" {
			t.Errorf("%s: unknown value: %s", name, got)
		}
		if v.Description(context.Background()) == "" || v.MarkdownDescription(context.Background()) == "" {
			t.Errorf("%s: empty description", name)
		}
	}
}

func TestStartingStrategy(t *testing.T) {
	v := StartingStrategy()
	for _, ok := range []string{"CONFIG", "LESS_LOADED", "MOST_LOADED", "LOCAL", "LESS_LOADED_NODE", "MOST_LOADED_NODE"} {
		if got := run(t, v, types.StringValue(ok)); got != "" {
			t.Errorf("%s rejected: %s", ok, got)
		}
	}
	got := run(t, v, types.StringValue("FASTEST"))
	for _, want := range []string{`"FASTEST"`, "Invalid starting strategy", `"CONFIG"`, `"MOST_LOADED_NODE"`} {
		if !strings.Contains(got, want) {
			t.Errorf("FASTEST: %q lacks %q", got, want)
		}
	}
	if got := run(t, v, types.StringValue("less_loaded")); !strings.Contains(got, `did you mean "LESS_LOADED"`) {
		t.Errorf("lower case: no hint in %q", got)
	}
}

func TestName(t *testing.T) {
	v := Name("application name")
	for _, ok := range []string{"web", "app_a", "x-1.2", "Ünïcode"} {
		if got := run(t, v, types.StringValue(ok)); got != "" {
			t.Errorf("%q rejected: %s", ok, got)
		}
	}
	for bad, want := range map[string]string{
		"": "empty", "web:web_server": "namespec", "a/b": "'/'", "a b": "white space", "a\tb": "white space",
	} {
		if got := run(t, v, types.StringValue(bad)); !strings.Contains(got, want) {
			t.Errorf("%q: got %q, want it to mention %q", bad, got, want)
		}
	}
}

func TestNamespec(t *testing.T) {
	v := Namespec()
	for _, ok := range []string{"web:web_server", "worker:*", "worker:", "worker:worker_0"} {
		if got := run(t, v, types.StringValue(ok)); got != "" {
			t.Errorf("%q rejected: %s", ok, got)
		}
	}
	for bad, want := range map[string]string{
		"worker": `"worker:*"`, ":x": "empty", "a:b:c": "':'", "a b:c": "application part", "a:b c": "program part",
	} {
		if got := run(t, v, types.StringValue(bad)); !strings.Contains(got, want) {
			t.Errorf("%q: got %q, want it to mention %q", bad, got, want)
		}
	}
}

func TestURL(t *testing.T) {
	v := URL()
	for _, ok := range []string{
		"http://127.0.0.1:61001", "http://localhost:9001/RPC2", "https://supvisors.example.com", "http://[::1]:9001",
		"unix:///var/run/supervisor.sock",
	} {
		if got := run(t, v, types.StringValue(ok)); got != "" {
			t.Errorf("%q rejected: %s", ok, got)
		}
	}
	for bad, want := range map[string]string{
		"":                              "empty",
		"127.0.0.1:9001":                "no scheme",
		"localhost":                     "no scheme",
		"ftp://host:21":                 `scheme "ftp"`,
		"http://":                       "no host",
		"http://:9001":                  "no host",
		"http://host:99999":             "invalid port",
		"http://host:abc":               "cannot be parsed",
		"http://host:":                  "empty port",
		"unix://tmp/supervisor.sock":    "three slashes",
		"unix://":                       "no socket path",
		"http://host:1/RPC2?x=1":        "query",
		" http://host:1":                "white space",
		"http://user:hunter2@host:9001": "credentials",
		// Malformed URLs with credentials: no error path may quote them (no scheme, opaque unix, bad port).
		"admin:hunter2@10.0.0.1:9001":  "credentials",
		"unix:user:hunter2@/x":         "credentials",
		"http://user:hunter2@host:abc": "credentials",
		"http://host:hunter2@":         "credentials",
		"unix://user:hunter2@/sock":    "credentials",
	} {
		got := run(t, v, types.StringValue(bad))
		if !strings.Contains(got, want) {
			t.Errorf("%q: got %q, want it to mention %q", bad, got, want)
		}
		if strings.Contains(got, "hunter2") {
			t.Errorf("%q: the password leaked into %q", bad, got)
		}
	}
}

func TestDuration(t *testing.T) {
	for _, ok := range []string{"30s", "2m", "1m30s", "150ms"} {
		if got := run(t, Duration(), types.StringValue(ok)); got != "" {
			t.Errorf("%q rejected: %s", ok, got)
		}
	}
	for bad, want := range map[string]string{"30": "not a duration", "soon": "not a duration", "0s": "positive", "-1m": "positive"} {
		if got := run(t, Duration(), types.StringValue(bad)); !strings.Contains(got, want) {
			t.Errorf("%q: got %q, want it to mention %q", bad, got, want)
		}
	}
	if got := run(t, DurationAtLeast(time.Second), types.StringValue("10ms")); !strings.Contains(got, "minimum is 1s") {
		t.Errorf("10ms with minimum 1s: %q", got)
	}
	if d, err := ParseDuration("2m", 0); err != nil || d != 2*time.Minute {
		t.Errorf("ParseDuration(2m) = %v, %v", d, err)
	}
}

func TestRegex(t *testing.T) {
	for _, ok := range []string{"^web", "^(web|batch)$", ""} {
		if msg := run(t, Regex(), types.StringValue(ok)); msg != "" {
			t.Errorf("Regex(%q): unexpected error %s", ok, msg)
		}
	}
	msg := run(t, Regex(), types.StringValue("web(["))
	if !strings.Contains(msg, `"web(["`) || !strings.Contains(msg, "RE2") {
		t.Errorf("Regex(\"web([\"): the error must name the value and the syntax: %q", msg)
	}
}
