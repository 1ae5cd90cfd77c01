package reconcile

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

func TestPlanApplication(t *testing.T) {
	cases := []struct {
		name string
		c    ApplicationChange
		want Action
	}{
		{"unknown state", ApplicationChange{WantUnknown: true}, Unknown},
		{"stop", ApplicationChange{Have: StateRunning, Want: StateStopped}, Stop},
		{"start", ApplicationChange{Have: StateStopped, Want: StateRunning}, Start},
		{"start wins over triggers", ApplicationChange{Have: StateStopped, Want: StateRunning, TriggersChanged: true}, Start},
		{"stopped is never restarted", ApplicationChange{Have: StateStopped, Want: StateStopped, TriggersChanged: true}, None},
		{"unknown triggers", ApplicationChange{Have: StateRunning, Want: StateRunning, TriggersUnknown: true}, Unknown},
		{"triggers", ApplicationChange{Have: StateRunning, Want: StateRunning, TriggersChanged: true}, Restart},
		{"nothing", ApplicationChange{Have: StateRunning, Want: StateRunning}, None},
	}
	for _, tc := range cases {
		if got := PlanApplication(tc.c); got != tc.want {
			t.Errorf("%s: got %s (%d), want %s (%d)", tc.name, got, got, tc.want, tc.want)
		}
	}
	if CreateAction(StateStopped) != Stop || CreateAction(StateRunning) != Start {
		t.Error("CreateAction")
	}
	for a, s := range map[Action]string{Start: "start", Stop: "stop", Restart: "restart", None: "update", Unknown: "update"} {
		if a.String() != s {
			t.Errorf("%d: %q", a, a.String())
		}
	}
}

func webApp(state, proc string) *supvisorstest.App {
	return &supvisorstest.App{Name: "web", Managed: true, State: state, Strategy: "LESS_LOADED", Steps: 2,
		Processes: []*supvisorstest.Process{{Name: "web_0", State: proc, Identifiers: []string{"127.0.0.1:61001"}}}}
}

func newReconciler(t *testing.T, apps ...*supvisorstest.App) (Reconciler, *supvisorstest.Cluster) {
	t.Helper()
	c := supvisorstest.NewCluster(t, supvisors.WrappedMethods(), apps...)
	client, err := supvisors.New(supvisors.Config{URL: c.URL(), ReadyTimeout: 2 * time.Second, RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var logged []string
	t.Cleanup(func() { t.Logf("log: %v", logged) })
	return Reconciler{Client: client, Log: func(_ context.Context, msg string, _ map[string]any) { logged = append(logged, msg) }}, c
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestApplyApplicationStartStopRestart(t *testing.T) {
	r, c := newReconciler(t, webApp("STOPPED", "STOPPED"), &supvisorstest.App{Name: "tools", Managed: false, State: "STOPPED"})
	ctx := testContext(t)
	app, err := r.ApplyApplication(ctx, "web", Start, "")
	if err != nil || app.Info.Statename != supvisors.ApplicationRunning || len(app.Processes) != 1 {
		t.Fatalf("start: %+v %v", app, err)
	}
	if n := c.Count("supvisors.get_application_rules"); n == 0 {
		t.Error("an unset strategy is not resolved from the rules")
	}
	if _, err := r.ApplyApplication(ctx, "web", Restart, "CONFIG"); err != nil {
		t.Fatalf("restart: %v", err)
	}
	if app, err = r.ApplyApplication(ctx, "web", Stop, ""); err != nil || app.Info.Statename != supvisors.ApplicationStopped {
		t.Fatalf("stop: %+v %v", app, err)
	}
	// Already stopped: NOT_RUNNING is only waited for.
	if _, err = r.ApplyApplication(ctx, "web", Stop, ""); err != nil {
		t.Fatalf("stop again: %v", err)
	}
	want := []string{"start_application web", "restart_application web", "stop_application web", "stop_application web"}
	if got := c.Sent(); !slices.Equal(got, want) {
		t.Fatalf("commands %v, want %v", got, want)
	}
	if _, err = r.ApplyApplication(ctx, "nope", Stop, ""); !supvisors.IsFault(err, supvisors.FaultBadName) {
		t.Fatalf("unknown application: %v", err)
	}
	if _, err = r.ApplyApplication(ctx, "tools", Start, "CONFIG"); !supvisors.IsFault(err, supvisors.FaultNotManaged) {
		t.Fatalf("unmanaged application: %v", err)
	}
}

func TestApplyApplicationSettleErrors(t *testing.T) {
	a := webApp("STOPPED", "STOPPED")
	a.FailStart = true
	r, c := newReconciler(t, a)
	ctx := testContext(t)
	app, err := r.ApplyApplication(ctx, "web", Start, "CONFIG")
	var settle *supvisors.SettleError
	if !errors.As(err, &settle) || settle.Got != "STOPPED" || app.Info.ApplicationName != "web" {
		t.Fatalf("failed start: %+v %v", app, err)
	}
	if n := len(c.Sent()); n != 1 {
		t.Fatalf("a failed start is not sent again: %v", c.Sent())
	}
	// Refused with ABNORMAL_TERMINATION: the settled state comes with the fault.
	c.Fail("supvisors.start_application", supvisorstest.FaultAbnormalTermination, "ABNORMAL_TERMINATION: web")
	_, err = r.ApplyApplication(ctx, "web", Start, "CONFIG")
	var cmd *CommandError
	if !errors.As(err, &cmd) || !supvisors.IsFault(err, supvisors.FaultAbnormalTermination) || cmd.Error() == "" {
		t.Fatalf("refused start: %v", err)
	}
	// A stop refused is the fault alone.
	c.Fail("supvisors.stop_application", supvisorstest.FaultFailed, "FAILED: web")
	if _, err = r.ApplyApplication(ctx, "web", Stop, ""); errors.As(err, &cmd) || err == nil {
		t.Fatalf("refused stop: %v", err)
	}
	// The rules cannot be read: nothing is sent.
	c.Fail("supvisors.get_application_rules", supvisorstest.FaultFailed, "FAILED")
	c.Fail("supvisors.start_application", 0, "")
	before := len(c.Sent())
	if _, err = (Reconciler{Client: mustClient(t, c)}).ApplyApplication(ctx, "web", Start, ""); err == nil || len(c.Sent()) != before {
		t.Fatalf("rules unreadable: %v, %v", err, c.Sent())
	}
}

func mustClient(t *testing.T, c *supvisorstest.Cluster) *supvisors.Client {
	client, err := supvisors.New(supvisors.Config{URL: c.URL(), ReadyTimeout: time.Second, RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestApplyApplicationAlreadyLeaving(t *testing.T) {
	// Asked to start while RUNNING but the start refused as ALREADY_STARTED then settling STOPPED (it was
	// stopping): the start is sent once more.
	a := webApp("RUNNING", "RUNNING")
	r, c := newReconciler(t, a)
	c.Handle("supvisors.start_application", func([]any) (any, error) {
		c.Update("web", func(a *supvisorstest.App) {
			if a.State == "RUNNING" {
				a.State = "STOPPED"
				a.Processes[0].State = "STOPPED"
			}
		})
		if len(c.Calls()) > 0 && c.Count("supvisors.start_application") == 1 {
			return nil, &supvisorstest.Fault{Code: supvisorstest.FaultAlreadyStarted, String: "ALREADY_STARTED: web"}
		}
		c.Update("web", func(a *supvisorstest.App) { a.State = "RUNNING"; a.Processes[0].State = "RUNNING" })
		return true, nil
	})
	app, err := r.ApplyApplication(testContext(t), "web", Start, "CONFIG")
	if err != nil || app.Info.Statename != supvisors.ApplicationRunning || c.Count("supvisors.start_application") != 2 {
		t.Fatalf("%+v %v, %d starts", app, err, c.Count("supvisors.start_application"))
	}
}

func TestSettledApplication(t *testing.T) {
	r, c := newReconciler(t, webApp("RUNNING", "RUNNING"), &supvisorstest.App{Name: "tools", State: "STOPPED"})
	ctx := testContext(t)
	if app, ok := r.SettledApplication(ctx, "web", Start); !ok || len(app.Processes) != 1 {
		t.Fatalf("running app not adopted: %+v", app)
	}
	for _, tc := range []struct {
		name   string
		action Action
	}{{"web", Stop}, {"web", Restart}, {"tools", Stop}, {"nope", Start}} {
		if _, ok := r.SettledApplication(ctx, tc.name, tc.action); ok {
			t.Errorf("%s %s adopted", tc.action, tc.name)
		}
	}
	c.SetJobs(true)
	r.Client.InvalidateSnapshot()
	if _, ok := r.SettledApplication(ctx, "web", Start); ok {
		t.Error("adopted while the cluster has jobs")
	}
	if len(c.Sent()) != 0 {
		t.Fatalf("commands sent: %v", c.Sent())
	}
}

func TestOnlyStopped(t *testing.T) {
	if !OnlyStopped(nil) || !OnlyStopped([]supvisors.ProcessFailure{{Statename: supvisors.ProcessStopped}}) ||
		OnlyStopped([]supvisors.ProcessFailure{{Statename: supvisors.ProcessFatal}}) {
		t.Error("OnlyStopped")
	}
}
