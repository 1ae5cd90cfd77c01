package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

var (
	_ list.ListResource              = (*processGroupListResource)(nil)
	_ list.ListResourceWithConfigure = (*processGroupListResource)(nil)
)

// NewProcessGroupListResource returns the supvisors_process_group list resource (terraform query).
func NewProcessGroupListResource() list.ListResource { return &processGroupListResource{} }

// processGroupListResource lists the programs of every application, managed or not, as supvisors_process_group
// resources.
type processGroupListResource struct {
	resourceBase
}

// processGroupListModel is the config of a supvisors_process_group list block.
type processGroupListModel struct {
	listFilterModel
	Managed types.Bool `tfsdk:"managed"`
}

// Metadata names the list resource after the managed resource: supvisors_process_group.
func (r *processGroupListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_process_group"
}

// ListResourceConfigSchema describes the filters of the list block's config.
func (r *processGroupListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	name, state, instance := listFilterDescriptions("process group", "ID `<application>:<program>`")
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
		Attributes: map[string]listschema.Attribute{
			"name_regex": listschema.StringAttribute{
				MarkdownDescription: name + " For example `^worker:` for the programs of `worker`.",
				Optional:            true,
				Validators:          []validator.String{validators.Regex()},
			},
			"state": listschema.StringAttribute{
				MarkdownDescription: state,
				Optional:            true,
				Validators:          []validator.String{validators.Enum("state", reconcile.StateRunning, reconcile.StateStopped)},
			},
			"instance": listschema.StringAttribute{
				MarkdownDescription: instance,
				Optional:            true,
				Validators:          []validator.String{validators.Name("instance")},
			},
			"managed": listschema.BoolAttribute{
				MarkdownDescription: "`true`: only the programs of managed applications (declared in the Supvisors " +
					"rules); `false`: only those of unmanaged groups. Unset: both.",
				Optional: true,
			},
		},
	}
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
			if info.Statename == supvisors.ApplicationDeleted ||
				(!cfg.Managed.IsNull() && info.Managed != cfg.Managed.ValueBool()) {
				continue
			}
			for _, g := range pgListGroups(snap.ProcessesOf(app), app) {
				if (f.name != nil && !f.name.MatchString(g.scope.ID())) || (f.state != "" && g.state != f.state) ||
					(f.instance != "" && !runsOn(g.members, f.instance)) {
					continue
				}
				result := req.NewListResult(ctx)
				kind := "managed"
				if !info.Managed {
					kind = "unmanaged"
				}
				result.DisplayName = fmt.Sprintf("%s (%s, %s): %s", g.scope.ID(), kind, g.state, whereTheyRun(g.members))
				result.Diagnostics.Append(setProcessGroupIdentity(ctx, result.Identity, g.scope)...)
				if req.IncludeResource {
					m, d := g.model()
					result.Diagnostics.Append(d...)
					result.Diagnostics.Append(result.Resource.Set(ctx, m)...)
				}
				if !push(result) {
					return
				}
			}
		}
	})
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
	sorted := slices.Clone(procs)
	reconcile.SortProcesses(sorted)
	var out []pgListGroup
	done := map[string]bool{}
	for _, p := range sorted {
		if done[p.ProcessName] {
			continue
		}
		if m := pgProgramOf.FindStringSubmatch(p.ProcessName); m != nil && !names[m[1]] && (count[m[1]] > 1 || sep[m[1]]) {
			s := reconcile.Scope{App: app, Program: m[1]}
			members, _ := reconcile.Members(procs, s)
			if g, ok := pgUniformGroup(s, members); ok && slices.ContainsFunc(members, func(q supvisors.ProcessInfo) bool {
				return q.ProcessName == p.ProcessName
			}) {
				for _, q := range members {
					done[q.ProcessName] = true
				}
				out = append(out, g)
				continue
			}
		}
		done[p.ProcessName] = true
		one := []supvisors.ProcessInfo{p}
		state := reconcile.StateStopped
		if p.Statename.IsRunning() || reconcile.CountsAsRunning(p) {
			state = reconcile.StateRunning
		}
		out = append(out, pgListGroup{scope: reconcile.Scope{App: app, Program: p.ProcessName}, members: one, state: state})
	}
	return out
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
