package reconcile

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors/supvisorstest"
)

// plainHost is a plain supervisord with the group web (server, cache), the one-shot group init and the failing
// programs of the group bad; the reconciler logs the commands it sends into logged.
func plainHost(t *testing.T) (Reconciler, *supvisorstest.Plain, *[]string) {
	t.Helper()
	p := supvisorstest.NewPlain(t, "4.2.5",
		&supvisorstest.PlainProcess{Group: "web", Name: "server", State: "RUNNING", Steps: 2},
		&supvisorstest.PlainProcess{Group: "web", Name: "cache", Steps: 2},
		&supvisorstest.PlainProcess{Group: "init", Name: "migrate", State: "EXITED", Final: "EXITED", Exitstatus: 3, Exitcodes: []int{0, 3}},
		&supvisorstest.PlainProcess{Group: "init", Name: "worker", Final: "EXITED", Exitstatus: 3, Exitcodes: []int{0, 3}},
		&supvisorstest.PlainProcess{Group: "bad", Name: "crasher", Final: "FATAL", Steps: 3, Spawnerr: "Exited too quickly"},
		&supvisorstest.PlainProcess{Group: "bad", Name: "missing", StartFault: &supvisorstest.Fault{
			Code: supvisorstest.FaultNoFile, String: "NO_FILE: /nonexistent/lab/binary"}},
	)
	client, err := supvisors.New(supvisors.Config{URL: p.URL(), ReadyTimeout: time.Second, RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var logged []string
	return Reconciler{Client: client, Log: func(_ context.Context, msg string, f map[string]any) {
		logged = append(logged, msg+" "+strings.Join(f["namespecs"].([]string), ","))
	}}, p, &logged
}

func TestConvergePlainStartsWhatIsStopped(t *testing.T) {
	r, p, logged := plainHost(t)
	ctx := testContext(t)
	pid := p.Get("web:server").Pid()
	if err := r.ConvergePlain(ctx, Scope{App: "web"}, true, false); err != nil {
		t.Fatalf("start: %v", err)
	}
	// Only the stopped process is started; the start is waited for until it settles (STARTING for 2 polls).
	if sent := p.Sent(); !slices.Equal(sent, []string{"startProcess web:cache"}) {
		t.Fatalf("sent %v", sent)
	}
	if !slices.Equal(*logged, []string{"supervisor.startProcess web:cache"}) {
		t.Fatalf("logged %v", *logged)
	}
	for _, ns := range []string{"web:server", "web:cache"} {
		if st := p.Get(ns).State; st != "RUNNING" {
			t.Fatalf("%s is %s", ns, st)
		}
	}
	if p.Get("web:server").Pid() != pid {
		t.Fatal("web:server was restarted")
	}
	// Converged already: nothing is sent, one read and one wait.
	if err := r.ConvergePlain(ctx, Scope{App: "web"}, true, false); err != nil || len(p.Sent()) != 1 {
		t.Fatalf("again: %v %v", err, p.Sent())
	}
}

func TestConvergePlainRestartsAndStops(t *testing.T) {
	r, p, _ := plainHost(t)
	ctx := testContext(t)
	if err := r.ConvergePlain(ctx, Scope{App: "web"}, true, true); err != nil {
		t.Fatalf("restart: %v", err)
	}
	// A restart is a stop of what runs, then a start of every member.
	want := []string{"stopProcess web:server", "startProcess web:cache", "startProcess web:server"}
	if sent := p.Sent(); !slices.Equal(sent, want) {
		t.Fatalf("sent %v, want %v", sent, want)
	}
	if p.Get("web:server").State != "RUNNING" || p.Get("web:cache").State != "RUNNING" {
		t.Fatalf("not running after the restart: %+v %+v", p.Get("web:server"), p.Get("web:cache"))
	}

	// Stop one program: only it is stopped, and waited for (STOPPING for 2 polls).
	if err := r.ConvergePlain(ctx, Scope{App: "web", Program: "cache"}, false, false); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if sent := p.Sent()[len(want):]; !slices.Equal(sent, []string{"stopProcess web:cache"}) {
		t.Fatalf("sent %v", sent)
	}
	if p.Get("web:cache").State != "STOPPED" || p.Get("web:server").State != "RUNNING" {
		t.Fatalf("after the stop: %+v %+v", p.Get("web:cache"), p.Get("web:server"))
	}
	// A process seen STOPPING is stopped again (NOT_RUNNING is no error) and waited for, also when it is to run.
	p.Update("web:server", func(pr *supvisorstest.PlainProcess) { pr.State, pr.Steps = "STOPPING", 0 })
	before := len(p.Sent())
	if err := r.ConvergePlain(ctx, Scope{App: "web"}, true, false); err != nil {
		t.Fatalf("start after stopping: %v", err)
	}
	want = []string{"stopProcess web:server", "startProcess web:cache", "startProcess web:server"}
	if sent := p.Sent()[before:]; !slices.Equal(sent, want) {
		t.Fatalf("sent %v, want %v", sent, want)
	}
}

func TestConvergePlainOneShot(t *testing.T) {
	r, p, _ := plainHost(t)
	ctx := testContext(t)
	// migrate exited with an expected code; worker is started and exits with one: both count as running.
	if err := r.ConvergePlain(ctx, Scope{App: "init"}, true, false); err != nil {
		t.Fatalf("one-shot: %v", err)
	}
	if sent := p.Sent(); !slices.Equal(sent, []string{"startProcess init:migrate", "startProcess init:worker"}) {
		t.Fatalf("sent %v", sent)
	}
	// Once one runs, the exited one-shot is not started again.
	p.Update("init:worker", func(pr *supvisorstest.PlainProcess) { pr.State = "RUNNING" })
	before := len(p.Sent())
	if err := r.ConvergePlain(ctx, Scope{App: "init"}, true, false); err != nil || len(p.Sent()) != before {
		t.Fatalf("one-shot again: %v %v", err, p.Sent()[before:])
	}
	// An exit status outside exitcodes fails the start, with the status.
	p.Update("init:migrate", func(pr *supvisorstest.PlainProcess) { pr.Exitcodes = []int{0} })
	p.Update("init:worker", func(pr *supvisorstest.PlainProcess) { pr.State = "STOPPED" })
	err := r.ConvergePlain(ctx, Scope{App: "init"}, true, false)
	var settle *supvisors.SettleError
	if !errors.As(err, &settle) || !strings.Contains(err.Error(), "init:migrate is EXITED") ||
		!strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("unexpected exit: %v", err)
	}
}

func TestConvergePlainErrors(t *testing.T) {
	r, p, _ := plainHost(t)
	ctx := testContext(t)
	var step *StepError

	// FATAL after BACKOFF: the settle error names the process group, with Supervisor's spawn error.
	err := r.ConvergePlain(ctx, Scope{App: "bad", Program: "crasher"}, true, false)
	var settle *supvisors.SettleError
	if !errors.As(err, &step) || step.Summary != "Processes of bad:crasher did not start" || !errors.As(err, &settle) ||
		settle.Subject != "process group bad:crasher" || settle.Got != "FATAL" || !strings.Contains(err.Error(), "Exited too quickly") {
		t.Fatalf("fatal: %v", err)
	}
	// A start Supervisor refuses names the process and keeps the fault.
	err = r.ConvergePlain(ctx, Scope{App: "bad", Program: "missing"}, true, false)
	if !errors.As(err, &step) || step.Summary != "Could not start bad:missing" || !supvisors.IsFault(err, supvisors.FaultNoFile) {
		t.Fatalf("no file: %v", err)
	}
	// No such group or program.
	for _, s := range []Scope{{App: "nope"}, {App: "web", Program: "nope"}} {
		var none *NoProcessError
		if err := r.ConvergePlain(ctx, s, true, false); !errors.As(err, &none) || none.Scope != s || none.Supervisord != p.URL() {
			t.Fatalf("%s: %v", s.ID(), err)
		}
	}
	// The read fails.
	p.Fail("supervisor.getAllProcessInfo", supvisorstest.FaultFailed, "FAILED: boom")
	if err := r.ConvergePlain(ctx, Scope{App: "web"}, true, false); !errors.As(err, &step) || step.Summary != "Could not read the processes of web:*" {
		t.Fatalf("read: %v", err)
	}
	p.Fail("supervisor.getAllProcessInfo", 0, "")
	// The stop fails: the summary names the scope when no process is named.
	p.Fail("supervisor.stopProcess", supvisorstest.FaultFailed, "FAILED: boom")
	if err := r.ConvergePlain(ctx, Scope{App: "web"}, false, false); !errors.As(err, &step) || step.Summary != "Could not stop web:server" {
		t.Fatalf("stop: %v", err)
	}
	p.Fail("supervisor.stopProcess", 0, "")
	// The wait fails: getProcessInfo answers a fault.
	p.Fail("supervisor.getProcessInfo", supvisorstest.FaultFailed, "FAILED: boom")
	err = r.ConvergePlain(ctx, Scope{App: "web"}, false, false)
	if !errors.As(err, &step) || step.Summary != "Could not wait for web:* to be stopped" {
		t.Fatalf("stop wait: %v", err)
	}
	p.Fail("supervisor.getProcessInfo", 0, "")
	// The wait outlives the context: the error says so, with the last states seen.
	p.Update("web:cache", func(pr *supvisorstest.PlainProcess) { pr.State, pr.Steps = "STOPPED", 1000 })
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	err = r.ConvergePlain(short, Scope{App: "web", Program: "cache"}, true, false)
	if !errors.As(err, &step) || step.Summary != "Could not wait for web:cache to be running" ||
		!errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "web:cache STARTING") {
		t.Fatalf("timeout: %v", err)
	}
}

func TestPlainWaitError(t *testing.T) {
	s := Scope{App: "web"}
	if plainWaitError(s, true, nil) != nil {
		t.Fatal("nil error")
	}
	err := plainWaitError(s, false, &supvisors.SettleError{Subject: "processes web:server", Want: "STOPPED", Got: "FATAL"})
	var step *StepError
	if !errors.As(err, &step) || step.Summary != "Processes of web:* did not stop" || !strings.HasPrefix(step.Err.Error(), "process group web:*") {
		t.Fatalf("settle: %v", err)
	}
}
