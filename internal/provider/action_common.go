package provider

// What the actions (Terraform 1.14+: `action` blocks, `terraform apply -invoke`, `action_trigger`) share: the
// provider data, the timeout attribute, the progress lines and the strategy that an unset `strategy` stands for.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	actionschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

// defaultActionTimeout bounds an action when its timeout attribute is unset.
const defaultActionTimeout = 5 * time.Minute

var (
	_ action.ActionWithConfigure      = (*conciliateAction)(nil)
	_ action.ActionWithValidateConfig = (*conciliateAction)(nil)
	_ action.ActionWithConfigure      = (*restartApplicationAction)(nil)
	_ action.ActionWithModifyPlan     = (*restartApplicationAction)(nil)
	_ action.ActionWithConfigure      = (*restartProcessAction)(nil)
	_ action.ActionWithModifyPlan     = (*restartProcessAction)(nil)
)

// actionBase carries the provider data of an action and the suffix of its type name.
type actionBase struct {
	data   *providerData
	suffix string // e.g. "_conciliate"
}

// actionStrategyModel holds the attributes every action has.
type actionStrategyModel struct {
	Strategy types.String `tfsdk:"strategy"`
	Timeout  types.String `tfsdk:"timeout"`
}

// Metadata names the action: the provider's type name and the action's suffix.
func (a *actionBase) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + a.suffix
}

// Configure stores the provider data (nil while Terraform validates a configuration).
func (a *actionBase) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	if d := providerDataFrom(req.ProviderData, &resp.Diagnostics); d != nil {
		a.data = d
	}
}

// start returns the client and a context bounded by the timeout attribute (default 5m), with log masking; the
// caller must call cancel. The client is nil after a diagnostic.
func (a *actionBase) start(ctx context.Context, timeout types.String, diags *diag.Diagnostics) (*supvisors.Client, context.Context, context.CancelFunc) {
	c := configuredClient(a.data, "action", diags)
	if c == nil {
		return nil, ctx, func() {}
	}
	limit := defaultActionTimeout
	if !timeout.IsNull() && !timeout.IsUnknown() {
		d, err := validators.ParseDuration(timeout.ValueString(), time.Second)
		if err != nil {
			diags.AddAttributeError(path.Root("timeout"), "Invalid duration", err.Error()+".")
			return nil, ctx, func() {}
		}
		limit = d
	}
	ctx, cancel := context.WithTimeout(a.data.logContext(ctx), limit)
	return c, ctx, cancel
}

// timeoutAttribute is the timeout attribute of every action; what completes "how long the action waits for ...".
func timeoutAttribute(what string) actionschema.StringAttribute {
	return actionschema.StringAttribute{
		MarkdownDescription: fmt.Sprintf("How long the action waits for %s, as a duration such as `90s` or `10m`. "+
			"Defaults to `%s`. When it runs out, or on Ctrl-C, the action stops waiting and fails; what Supvisors "+
			"already started goes on.", what, durationString(defaultActionTimeout)),
		Optional:   true,
		Validators: []validator.String{validators.DurationAtLeast(time.Second)},
	}
}

// progress sends progress lines to Terraform (which prints them with the action's address) and to the log.
type progress struct {
	ctx  context.Context
	send func(action.InvokeProgressEvent)
	mu   sync.Mutex
}

func newProgress(ctx context.Context, resp *action.InvokeResponse) *progress {
	return &progress{ctx: ctx, send: resp.SendProgress}
}

// say sends one line.
func (p *progress) say(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	tflog.Info(p.ctx, msg)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.send != nil {
		p.send(action.InvokeProgressEvent{Message: msg})
	}
}

// processWhere is "app:proc RUNNING on 127.0.0.1:61002" or "app:proc FATAL".
func processWhere(q supvisors.ProcessInfo) string {
	s := q.Namespec() + " " + string(q.Statename)
	if len(q.Identifiers) > 0 {
		s += " on " + strings.Join(slices.Sorted(slices.Values(q.Identifiers)), ", ")
	}
	return s
}

func sortedByNamespec(procs []supvisors.ProcessInfo) []supvisors.ProcessInfo {
	out := slices.Clone(procs)
	reconcile.SortProcesses(out)
	return out
}

// watch reports, while the returned stop function is not called, each change of state or instance of the
// processes designated by namespec ("app:*" or "app:proc"), starting from before. It reads them in the requests
// of the client's shared poll (Client.WatchProcesses: no request of its own, so only while the action's wait or
// commands run) and stops by itself when ctx ends; stop waits for the last line to be sent.
func (p *progress) watch(ctx context.Context, c *supvisors.Client, namespec string, before []supvisors.ProcessInfo) (stop func()) {
	last := map[string]string{}
	for _, q := range before {
		last[q.Namespec()] = processWhere(q)
	}
	pw := c.WatchProcesses(namespec)
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			procs, err := pw.Next(wctx)
			if wctx.Err() != nil {
				return
			}
			if err != nil {
				continue // the wait itself reports what matters
			}
			for _, q := range sortedByNamespec(procs) {
				if w := processWhere(q); last[q.Namespec()] != w {
					last[q.Namespec()] = w
					p.say("%s", w)
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
		pw.Stop()
	}
}

// restartJob is what differs between the two restart actions, for checkRestartPlan and invokeRestart.
type restartJob struct {
	attr            string // the attribute that designates the target: name or namespec
	what            string // the target in messages: `application "web"`, `"web:*"`
	logKey, subject string // the log field of the action and its value (the application or the namespec)
	app             string // the application whose rules give an unset strategy
	watch           string // the namespec of the processes reported as they move
	summary         string // of a failed read of the cluster
	// check returns the processes to restart from the snapshot, or the summary and detail of the error that says
	// why the target cannot be restarted.
	check func(ctx context.Context, c *supvisors.Client, snap *supvisors.Snapshot) (before []supvisors.ProcessInfo, summary, detail string)
	// started is the first progress line.
	started func(snap *supvisors.Snapshot, before []supvisors.ProcessInfo, strategy supvisors.StartingStrategy, origin string) string
	// run restarts and waits; it returns the last progress line, or adds the diagnostics of the failure.
	run func(ctx context.Context, c *supvisors.Client, strategy supvisors.StartingStrategy, before []supvisors.ProcessInfo, diags *diag.Diagnostics) string
}

// checkRestartPlan runs the plan-time checks of a restart action (reads only): the target (designated by
// target) against the shared snapshot, and the strategy against the release reached.
func (a *actionBase) checkRestartPlan(ctx context.Context, target, strategy types.String, job restartJob, diags *diag.Diagnostics) {
	snap, c, ctx := a.planSnapshot(ctx, !target.IsUnknown(), job.attr, job.what, diags)
	if snap == nil {
		return
	}
	if _, summary, detail := job.check(ctx, c, snap); summary != "" {
		diags.AddAttributeError(path.Root(job.attr), summary, detail)
	}
	checkStrategyAtPlan(ctx, c, strategy, diags)
}

// invokeRestart runs a restart action: the targets from the snapshot, the strategy (configured, or the rules'
// one), the restart with its progress lines.
func (a *actionBase) invokeRestart(ctx context.Context, resp *action.InvokeResponse, m actionStrategyModel, job restartJob) {
	c, ctx, cancel := a.start(ctx, m.Timeout, &resp.Diagnostics)
	defer cancel()
	if c == nil {
		return
	}
	ctx = tflog.SetField(ctx, job.logKey, job.subject)
	p := newProgress(ctx, resp)
	snap, err := c.Snapshot(ctx)
	if err != nil {
		resp.Diagnostics.Append(clientErrorDiagnostic(job.summary, err))
		return
	}
	before, summary, detail := job.check(ctx, c, snap)
	if summary != "" {
		resp.Diagnostics.AddAttributeError(path.Root(job.attr), summary, detail+" Nothing was restarted.")
		return
	}
	strategy, fromRules, err := reconcilerOf(c).RestartStrategy(ctx, job.app, supvisors.StartingStrategy(m.Strategy.ValueString()))
	if err != nil {
		resp.Diagnostics.Append(clientErrorDiagnostic(fmt.Sprintf("Could not read the rules of application %q", job.app), err))
		return
	}
	origin := "as configured"
	if fromRules {
		origin = "the starting_strategy of the rules of " + job.app
	}
	p.say("%s", job.started(snap, before, strategy, origin))
	stop := p.watch(ctx, c, job.watch, before)
	last := job.run(ctx, c, strategy, before, &resp.Diagnostics)
	stop()
	if !resp.Diagnostics.HasError() {
		p.say("%s", last)
	}
}

// restartStrategyAttribute is the strategy attribute of the restart actions.
func restartStrategyAttribute() actionschema.StringAttribute {
	strategies := make([]string, 0, len(supvisors.StartingStrategies()))
	for _, s := range supvisors.StartingStrategies() {
		strategies = append(strategies, "`"+string(s)+"`")
	}
	return actionschema.StringAttribute{
		MarkdownDescription: "Starting strategy of the restart: " + joinWords(strategies) + ". Unset: the " +
			"`starting_strategy` of the application's rules (`get_application_rules`), which is what Supvisors " +
			"itself uses; `CONFIG` for an unmanaged group.",
		Optional:   true,
		Validators: []validator.String{validators.StartingStrategy()},
	}
}

// planSnapshot returns the shared snapshot for the plan-time checks of an action, or nil when they cannot run yet
// (provider not configured, value not known: the action checks again when it runs) or after a diagnostic at
// attribute attr.
func (a *actionBase) planSnapshot(ctx context.Context, known bool, attr, what string, diags *diag.Diagnostics) (*supvisors.Snapshot, *supvisors.Client, context.Context) {
	if diags.HasError() || !known || a.data == nil || a.data.client == nil {
		return nil, nil, ctx
	}
	ctx = a.data.logContext(ctx)
	snap, err := a.data.client.Snapshot(ctx)
	if err != nil {
		diags.Append(clientAttributeErrorDiagnostic(path.Root(attr), "Could not check "+what+" against the cluster", err))
		return nil, nil, ctx
	}
	return snap, a.data.client, ctx
}
