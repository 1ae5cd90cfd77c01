package provider

// Unit tests of the actions on the scripted cluster of supvisorstest: what Invoke translates (configuration in,
// reconcile called, progress lines and diagnostics out). The acceptance tests are the proof against a real
// cluster.

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// testActionConfig builds the configuration of action a with the attributes of vals set, the rest null.
func testActionConfig(a action.Action, vals map[string]any) tfsdk.Config {
	ctx := context.Background()
	var sresp action.SchemaResponse
	a.Schema(ctx, action.SchemaRequest{}, &sresp)
	return tfsdk.Config{Schema: sresp.Schema, Raw: testObjectValue(sresp.Schema.Type().TerraformType(ctx).(tftypes.Object), vals)}
}

// testInvoke invokes a with the configuration vals and returns its diagnostics (as text) and progress lines.
func testInvoke(t *testing.T, a action.Action, vals map[string]any) (*action.InvokeResponse, string, []string) {
	t.Helper()
	var mu sync.Mutex
	var lines []string
	resp := &action.InvokeResponse{SendProgress: func(e action.InvokeProgressEvent) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, e.Message)
	}}
	a.Invoke(t.Context(), action.InvokeRequest{Config: testActionConfig(a, vals)}, resp)
	return resp, diagsText(resp.Diagnostics), lines
}

// actionOnFake is a base for the actions with a client of the scripted cluster cl.
func actionOnFake(t *testing.T, cl *supvisorstest.Cluster) actionBase {
	return actionBase{data: &providerData{client: fakeClient(t, cl.URL(), nil)}}
}

// topLevelMethods records the method of every HTTP request that srv serves (system.multicall for a request of
// the shared poll).
func topLevelMethods(srv *supvisorstest.Server) func() []string {
	var mu sync.Mutex
	var methods []string
	re := regexp.MustCompile(`<methodName>([^<]+)</methodName>`)
	srv.SetBefore(func(_ http.ResponseWriter, r *http.Request) bool {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		if m := re.FindSubmatch(body); m != nil {
			mu.Lock()
			methods = append(methods, string(m[1]))
			mu.Unlock()
		}
		return false
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), methods...)
	}
}

// TestActionProgressSendsNoRequestOfItsOwn (#13): while a restart waits (8 polls, longer than the 0.5 s the
// watcher used to poll at), the progress lines come from the shared poll: every request after the first one of the
// shared poll is one of its ticks, and none is a get_process_info of the watcher.
func TestActionProgressSendsNoRequestOfItsOwn(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), &supvisorstest.App{Name: "slow", Managed: true,
		State: "RUNNING", Steps: 8, Processes: []*supvisorstest.Process{{Name: "main", State: "RUNNING", Identifiers: []string{"n1"}}}})
	requests := topLevelMethods(cl.Server)
	a := &restartApplicationAction{actionOnFake(t, cl)}
	resp, text, lines := testInvoke(t, a, map[string]any{"name": "slow"})
	if resp.Diagnostics.HasError() {
		t.Fatalf("restart: %s", text)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "slow:main STARTING on n1") {
		t.Errorf("no progress line while the application restarts: %q", lines)
	}
	methods := requests()
	first := -1
	for i, m := range methods {
		if m == "system.multicall" && first < 0 {
			first = i
		}
		if first >= 0 && m != "system.multicall" {
			t.Errorf("request %d (%s) is not a tick of the shared poll: %v", i, m, methods)
		}
	}
	if first < 0 || cl.Count("supvisors.get_application_info") < 8 {
		t.Fatalf("the restart was not waited for through the shared poll: %v", methods)
	}
}

func TestActionStartAndTimeout(t *testing.T) {
	cl := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), fakeApps()...)
	a := &restartApplicationAction{}
	if _, text, _ := testInvoke(t, a, map[string]any{"name": "web"}); !strings.Contains(text, "Provider not configured") {
		t.Errorf("not configured: %s", text)
	}
	a.actionBase = actionOnFake(t, cl)
	_, text, _ := testInvoke(t, a, map[string]any{"name": "web", "timeout": "soon"})
	if !strings.Contains(text, "Invalid duration") || len(cl.Sent()) != 0 {
		t.Errorf("bad timeout: %s %v", text, cl.Sent())
	}
	// The timeout attribute bounds the wait: batch takes 20 polls (2 s) and is given 1 s.
	cl.Update("batch", func(app *supvisorstest.App) { app.Steps = 20 })
	_, text, _ = testInvoke(t, a, map[string]any{"name": "batch", "timeout": "1s"})
	if !strings.Contains(text, "Could not restart application \"batch\"") || !strings.Contains(text, "did not settle") {
		t.Errorf("timeout: %s", text)
	}
	if d := timeoutAttribute("x").MarkdownDescription; !strings.Contains(d, "How long the action waits for x") || !strings.Contains(d, "`5m`") {
		t.Errorf("timeout description: %s", d)
	}
}

func TestActionMetadata(t *testing.T) {
	for want, a := range map[string]action.Action{"supvisors_conciliate": NewConciliateAction(),
		"supvisors_restart_application": NewRestartApplicationAction(), "supvisors_restart_process": NewRestartProcessAction()} {
		var md action.MetadataResponse
		a.Metadata(context.Background(), action.MetadataRequest{ProviderTypeName: "supvisors"}, &md)
		if md.TypeName != want {
			t.Errorf("type name %q, want %q", md.TypeName, want)
		}
	}
}
