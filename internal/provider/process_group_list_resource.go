package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// NewProcessGroupListResource returns the supvisors_process_group list resource (terraform query).
func NewProcessGroupListResource() list.ListResource {
	return &processGroupListResource{listBase{suffix: "_process_group"}}
}

// processGroupListResource lists the programs of every application, managed or not, as supvisors_process_group
// resources.
type processGroupListResource struct {
	listBase
}

// processGroupListModel is the config of a supvisors_process_group list block.
type processGroupListModel struct {
	listFilterModel
	Managed types.Bool `tfsdk:"managed"`
}

// ListResourceConfigSchema describes the filters of the list block's config.
func (r *processGroupListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the programs of every application of the cluster, **unmanaged groups included**, " +
			"as `supvisors_process_group` resources for `terraform query` (Terraform 1.14 or later), each with its " +
			"identity `{ application, program }`.\n\n" +
			"One result per program: a homogeneous program (`numprocs`, processes `<program>_<N>`) is one result " +
			"for all its processes, any other process is one result. When the processes of a homogeneous program do " +
			"not all run, or run with different extra arguments, each of them is listed on its own, so that the " +
			"generated configuration states exactly what runs and adopting it restarts nothing. " +
			"`numprocs` and `enabled` are left unset (not managed) and `strategy` unset (the rules of the " +
			"application). To adopt a whole cluster without managing a process twice, list the applications with " +
			"the `supvisors_application` list resource and only the unmanaged groups here (`managed = false`).\n\n" +
			"The display name says what runs where, e.g. `worker:worker (managed, running): worker_0 on " +
			"127.0.0.1:61001; worker_1 on 127.0.0.1:61002`. A query made while the cluster settles (synchronisation, election, distribution) " +
			"waits for a final state, within the provider's ready_timeout. Every result of one query comes from one read of the " +
			"cluster. Terraform stops at the list block's `limit` (100 by default). On a plain supervisord (no Supvisors) " +
			"it lists the programs of its groups, all unmanaged.",
		Attributes: pgListAttributes(),
	}
}

// pgListAttributes are the common filters and managed.
func pgListAttributes() map[string]listschema.Attribute {
	attrs := listFilterAttributes("process group", "ID `<application>:<program>`", " For example `^worker:` for the programs of `worker`.")
	attrs["managed"] = listschema.BoolAttribute{
		MarkdownDescription: "`true`: only the programs of managed applications (declared in the Supvisors " +
			"rules); `false`: only those of unmanaged groups. Unset: both.",
		Optional: true,
	}
	return attrs
}

// List streams one result per program (see the schema description), sorted by application then program.
func (r *processGroupListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg processGroupListModel
	snap, f, ok := startList(ctx, r.data, req, stream, &cfg, func() listFilterModel { return cfg.listFilterModel },
		pgSettledSnapshot, "the process groups") // a plain supervisord's too
	if !ok {
		return
	}
	stream.Results = limited(req.Limit, func(push func(list.ListResult) bool) {
		for _, app := range snap.ApplicationNames() {
			info, _ := snap.Application(app)
			if info.Statename == supvisors.ApplicationDeleted || (!cfg.Managed.IsNull() && info.Managed != cfg.Managed.ValueBool()) {
				continue
			}
			for _, g := range pgListGroups(snap.ProcessesOf(app), app) {
				if f.keeps(g.scope.ID(), g.state, g.members) && !push(g.result(ctx, req, info.Managed)) {
					return
				}
			}
		}
	})
}

// result is the list result of the group, of a managed application or not.
func (g pgListGroup) result(ctx context.Context, req list.ListRequest, managed bool) list.ListResult {
	kind := "managed"
	if !managed {
		kind = "unmanaged"
	}
	return listResult(ctx, req, fmt.Sprintf("%s (%s, %s): %s", g.scope.ID(), kind, g.state, whereTheyRun(g.members)),
		func(id *tfsdk.ResourceIdentity) diag.Diagnostics { return setProcessGroupIdentity(ctx, id, g.scope) },
		g.model)
}

// pgListGroup is one result of the process group list: a scope, the processes it designates and the state that
// describes them.
type pgListGroup struct {
	scope   reconcile.Scope
	members []supvisors.ProcessInfo
	state   string // running or stopped, never partial
}

// model is the supvisors_process_group state that an import then a refresh of the group would give, with the
// arguments that the cluster cannot tell left unset.
func (g pgListGroup) model() (processGroupResourceModel, diag.Diagnostics) {
	procs, diags := processGroupProcessesValue(g.members)
	return processGroupResourceModel{
		ID:              types.StringValue(g.scope.ID()),
		Application:     types.StringValue(g.scope.App),
		Program:         types.StringValue(g.scope.Program),
		State:           types.StringValue(g.state),
		Strategy:        types.StringNull(),
		ExtraArgs:       types.StringValue(reconcile.DeriveExtraArgs(g.members, "")),
		Numprocs:        types.Int64Null(),
		Enabled:         types.BoolNull(),
		RestartTriggers: types.MapNull(types.StringType),
		StopOnDestroy:   types.BoolValue(true),
		Timeouts:        nullTimeouts(),
		Processes:       procs,
	}, diags
}

// pgProgramOf matches a process of a homogeneous program: "<program>[_.-]<N>" or "<program><N>".
var pgProgramOf = regexp.MustCompile(`^(.+?)([_.-]?)[0-9]+$`)

// pgListGroups splits the processes of application app into list results. Processes named like the processes of
// a homogeneous program (at least two "<program>_<N>", or one with a separator before the number) form one
// result named after the program, provided the resource would designate exactly them with that program (see
// reconcile.Members) and they are uniform: all running or all stopped, and the running ones with the same extra
// arguments. Otherwise each process is a result of its own, named after the process. A process in transition is
// listed as running when it is starting (STARTING, BACKOFF), else as stopped.
func pgListGroups(procs []supvisors.ProcessInfo, app string) []pgListGroup {
	programOf := pgHomogeneousPrograms(procs)
	sorted := slices.Clone(procs)
	reconcile.SortProcesses(sorted)
	var out []pgListGroup
	done := map[string]bool{}
	for _, p := range sorted {
		if done[p.ProcessName] {
			continue
		}
		if g, ok := pgProgramGroup(procs, app, programOf(p.ProcessName), p.ProcessName); ok {
			for _, q := range g.members {
				done[q.ProcessName] = true
			}
			out = append(out, g)
			continue
		}
		done[p.ProcessName] = true
		out = append(out, pgProcessGroup(app, p))
	}
	return out
}

// pgHomogeneousPrograms returns what tells, for a process name, the homogeneous program it is named after (""
// for none): at least two "<program>_<N>" (or one with a separator before the number), and no process named
// like the program itself.
func pgHomogeneousPrograms(procs []supvisors.ProcessInfo) func(string) string {
	names := map[string]bool{}
	count := map[string]int{}
	sep := map[string]bool{}
	for _, p := range procs {
		names[p.ProcessName] = true
		if m := pgProgramOf.FindStringSubmatch(p.ProcessName); m != nil {
			count[m[1]]++
			sep[m[1]] = sep[m[1]] || m[2] != ""
		}
	}
	return func(name string) string {
		if m := pgProgramOf.FindStringSubmatch(name); m != nil && !names[m[1]] && (count[m[1]] > 1 || sep[m[1]]) {
			return m[1]
		}
		return ""
	}
}

// pgProgramGroup returns the group of program in app when the resource would designate uniform processes with
// it, process among them.
func pgProgramGroup(procs []supvisors.ProcessInfo, app, program, process string) (pgListGroup, bool) {
	if program == "" {
		return pgListGroup{}, false
	}
	s := reconcile.Scope{App: app, Program: program}
	members, _ := reconcile.Members(procs, s)
	g, ok := pgUniformGroup(s, members)
	if !ok || !slices.ContainsFunc(members, func(q supvisors.ProcessInfo) bool { return q.ProcessName == process }) {
		return pgListGroup{}, false
	}
	return g, true
}

// pgProcessGroup is the group of one process, named after it: running when it is starting (STARTING, BACKOFF),
// else stopped.
func pgProcessGroup(app string, p supvisors.ProcessInfo) pgListGroup {
	state := reconcile.StateStopped
	if p.Statename.IsRunning() || reconcile.CountsAsRunning(p) {
		state = reconcile.StateRunning
	}
	return pgListGroup{scope: reconcile.Scope{App: app, Program: p.ProcessName}, members: []supvisors.ProcessInfo{p}, state: state}
}

// pgUniformGroup returns the group of members when they are all running (or all stopped) with the same extra
// arguments for the running ones.
func pgUniformGroup(s reconcile.Scope, members []supvisors.ProcessInfo) (pgListGroup, bool) {
	if len(members) == 0 {
		return pgListGroup{}, false
	}
	state := reconcile.DeriveState(members, "")
	if state == reconcile.StatePartial {
		return pgListGroup{}, false
	}
	args := reconcile.DeriveExtraArgs(members, "")
	for _, p := range members {
		if p.Statename.IsRunning() && p.ExtraArgs != args {
			return pgListGroup{}, false
		}
	}
	return pgListGroup{scope: s, members: members, state: state}, true
}
