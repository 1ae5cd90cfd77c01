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

// progressPoll is how often an action reads where its processes are, to report the changes.
const progressPoll = 500 * time.Millisecond

// actionBase carries the provider data of an action.
type actionBase struct {
	data *providerData
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

// processes sends one line per process: where it runs (or its state when it runs nowhere).
func (p *progress) processes(procs []supvisors.ProcessInfo) {
	for _, q := range sortedByNamespec(procs) {
		p.say("%s", processWhere(q))
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
// processes designated by namespec ("app:*" or "app:proc"), starting from before. It reads them
// (one small call every 0.5 s) and stops by itself when ctx ends; stop waits for the last line to be sent.
func (p *progress) watch(ctx context.Context, c *supvisors.Client, namespec string, before []supvisors.ProcessInfo) (stop func()) {
	last := map[string]string{}
	for _, q := range before {
		last[q.Namespec()] = processWhere(q)
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(progressPoll)
		defer t.Stop()
		for {
			select {
			case <-wctx.Done():
				return
			case <-t.C:
			}
			rctx, rcancel := context.WithTimeout(wctx, progressPoll)
			procs, err := c.GetProcessInfo(rctx, namespec)
			rcancel()
			if err != nil {
				continue // the wait itself reports what matters
			}
			for _, q := range sortedByNamespec(procs) {
				if w := processWhere(q); last[q.Namespec()] != w {
					last[q.Namespec()] = w
					if wctx.Err() == nil {
						p.say("%s", w)
					}
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// chosenStrategy returns the configured strategy, or the rules' one when it is unset (Client.ApplicationStrategy:
// what Supvisors itself uses, CONFIG for an unmanaged group), with the words that say where it comes from.
func chosenStrategy(ctx context.Context, c *supvisors.Client, app string, configured types.String) (supvisors.StartingStrategy, string, error) {
	if s := configured.ValueString(); s != "" {
		return supvisors.StartingStrategy(s), "as configured", nil
	}
	s, err := c.ApplicationStrategy(ctx, app)
	return s, "the starting_strategy of the rules of " + app, err
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
