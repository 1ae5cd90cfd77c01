package provider

// What the list resources (terraform query, Terraform 1.14+) share: the provider data, the instance filter, the
// display names that say what runs where, and the limit.

import (
	"context"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

var (
	_ list.ListResourceWithConfigure = (*applicationListResource)(nil)
	_ list.ListResourceWithConfigure = (*processGroupListResource)(nil)
)

// listBase carries what every list resource needs: the provider data and the suffix of its type name (the
// managed resource's).
type listBase struct {
	resourceBase
	suffix string // e.g. "_application"
}

// Metadata names the list resource after the managed resource.
func (r *listBase) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.suffix
}

// listFilterModel holds the filters every list resource of the provider has.
type listFilterModel struct {
	NameRegex types.String `tfsdk:"name_regex"`
	State     types.String `tfsdk:"state"`
	Instance  types.String `tfsdk:"instance"`
}

// listFilter is listFilterModel compiled against the cluster.
type listFilter struct {
	name     *regexp.Regexp // nil: every name
	state    string         // "" or running / stopped
	instance string         // "" or an identifier host:port
}

// compileListFilter turns the filters of a list block into a listFilter. The instance filter, when given as a
// nickname, is resolved to its identifier (one get_all_instances_info call); an unknown instance is an error that
// lists the known ones.
func compileListFilter(ctx context.Context, c *supvisors.Client, m listFilterModel, snap *supvisors.Snapshot) (listFilter, diag.Diagnostics) {
	var f listFilter
	var diags diag.Diagnostics
	if s := m.NameRegex.ValueString(); s != "" {
		re, err := regexp.Compile(s)
		if err != nil { // checked at validation already
			diags.AddAttributeError(path.Root("name_regex"), "Invalid regular expression", fmt.Sprintf("%q: %s.", s, err))
			return f, diags
		}
		f.name = re
	}
	f.state = m.State.ValueString()
	inst := m.Instance.ValueString()
	if inst == "" {
		return f, diags
	}
	if _, ok := snap.State.InstanceStates[inst]; ok {
		f.instance = inst
		return f, diags
	}
	infos, err := c.GetAllInstancesInfo(ctx)
	if err != nil {
		diags.Append(clientAttributeErrorDiagnostic(path.Root("instance"), fmt.Sprintf("Could not resolve instance %q", inst), err))
		return f, diags
	}
	known := make([]string, 0, len(infos))
	for _, in := range infos {
		if in.Identifier == inst || in.NickIdentifier == inst {
			f.instance = in.Identifier
			return f, diags
		}
		known = append(known, fmt.Sprintf("%q (%s)", in.Identifier, in.NickIdentifier))
	}
	slices.Sort(known)
	diags.AddAttributeError(path.Root("instance"), "Unknown Supvisors instance",
		fmt.Sprintf("The cluster has no instance %q. Give an identifier (host:port) or a nickname; known instances: %s.",
			inst, strings.Join(known, ", ")))
	return f, diags
}

// runsOn tells whether one of procs runs (or is starting) on instance id.
func runsOn(procs []supvisors.ProcessInfo, id string) bool {
	for _, p := range procs {
		if p.Statename.IsRunning() && slices.Contains(p.Identifiers, id) {
			return true
		}
	}
	return false
}

// whereTheyRun describes procs for a display name: the running ones by instance, then those that do not run
// with their state, e.g. "web_cache, web_server on 127.0.0.1:61002" or "worker_0 on 127.0.0.1:61001; worker_1 on
// 127.0.0.1:61002; not running: worker_2 (FATAL)". Process names are used (the application is said already).
func whereTheyRun(procs []supvisors.ProcessInfo) string {
	byInstance := map[string][]string{}
	var order []string // instances in the order of their first process
	var down []string
	procs = slices.Clone(procs)
	reconcile.SortProcesses(procs)
	for _, p := range procs {
		if !p.Statename.IsRunning() || len(p.Identifiers) == 0 {
			down = append(down, fmt.Sprintf("%s (%s)", p.ProcessName, p.Statename))
			continue
		}
		ids := slices.Sorted(slices.Values(p.Identifiers))
		where := strings.Join(ids, " + ") // more than one: a conflict
		if _, ok := byInstance[where]; !ok {
			order = append(order, where)
		}
		name := p.ProcessName
		if p.Statename != supvisors.ProcessRunning {
			name += " (" + string(p.Statename) + ")"
		}
		byInstance[where] = append(byInstance[where], name)
	}
	parts := make([]string, 0, len(order)+1)
	for _, where := range order {
		parts = append(parts, strings.Join(byInstance[where], ", ")+" on "+where)
	}
	switch {
	case len(down) > 0 && len(parts) == 0:
		parts = append(parts, "nothing runs: "+strings.Join(down, ", "))
	case len(down) > 0:
		parts = append(parts, "not running: "+strings.Join(down, ", "))
	case len(parts) == 0:
		parts = append(parts, "no process")
	}
	return strings.Join(parts, "; ")
}

// limited stops results after limit of them (no limit when limit <= 0). Terraform sends the list block's limit
// (100 by default).
func limited(limit int64, results iter.Seq[list.ListResult]) iter.Seq[list.ListResult] {
	return func(push func(list.ListResult) bool) {
		var n int64
		for r := range results {
			if limit > 0 && n >= limit {
				return
			}
			if !push(r) {
				return
			}
			if !r.Diagnostics.HasError() {
				n++
			}
		}
	}
}

// snapshotReader reads the snapshot of a list: settledSnapshot, or pgSettledSnapshot, which reads a plain
// supervisord too.
type snapshotReader func(context.Context, *supvisors.Client) (*supvisors.Snapshot, error)

// settledSnapshot is the Supvisors snapshot once the cluster is in a state whose answer is final, as refreshes
// read it: the results become desired states in generated configuration, so a transient state is waited out
// (within ready_timeout). A plain supervisord is refused with the reason.
func settledSnapshot(ctx context.Context, c *supvisors.Client) (*supvisors.Snapshot, error) {
	return c.SettledSnapshot(ctx)
}

// pgSettledSnapshot is settledSnapshot, or a plain supervisord's snapshot.
func pgSettledSnapshot(ctx context.Context, c *supvisors.Client) (*supvisors.Snapshot, error) {
	if pgIsPlain(ctx, c) {
		return c.PlainSnapshot(ctx)
	}
	return c.SettledSnapshot(ctx)
}

// startList reads the config of a list block into cfg, takes the one snapshot the List call reads everything
// from (with read), and compiles the common filters (filters(cfg) returns them). ok is false after the stream was set to the
// diagnostics; what names the listed things in messages.
func startList(ctx context.Context, d *providerData, req list.ListRequest, stream *list.ListResultsStream, cfg any,
	filters func() listFilterModel, read snapshotReader, what string) (snap *supvisors.Snapshot, f listFilter, ok bool) {
	fail := func(diags diag.Diagnostics) (*supvisors.Snapshot, listFilter, bool) {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return nil, listFilter{}, false
	}
	var diags diag.Diagnostics
	if diags = req.Config.Get(ctx, cfg); diags.HasError() {
		return fail(diags)
	}
	c := configuredClient(d, "list resource", &diags)
	if c == nil {
		return fail(diags)
	}
	ctx = d.logContext(ctx)
	snap, err := read(ctx, c)
	if err != nil {
		diags.Append(clientReadErrorDiagnostic("Could not list "+what, err))
		return fail(diags)
	}
	if f, diags = compileListFilter(ctx, c, filters(), snap); diags.HasError() {
		return fail(diags)
	}
	return snap, f, true
}

// listFilterAttributes are the common filter attributes of a list block; noun is "application" or "process
// group", nameWhat what name_regex matches, nameExample what its description adds.
func listFilterAttributes(noun, nameWhat, nameExample string) map[string]listschema.Attribute {
	return map[string]listschema.Attribute{
		"name_regex": listschema.StringAttribute{
			MarkdownDescription: "Keep the " + noun + "s whose " + nameWhat + " matches this regular expression (Go RE2 " +
				"syntax, unanchored: `^web` keeps `web` and `webapp`, `^web$` only `web`). Checked at plan time." + nameExample,
			Optional:   true,
			Validators: []validator.String{validators.Regex()},
		},
		"state": listschema.StringAttribute{
			MarkdownDescription: "Keep the " + noun + "s in this state: `running` or `stopped`, as the resource's `state` reads it.",
			Optional:            true,
			Validators:          []validator.String{validators.Enum("state", reconcile.StateRunning, reconcile.StateStopped)},
		},
		"instance": listschema.StringAttribute{
			MarkdownDescription: "Keep the " + noun + "s with a process running on this instance: an identifier " +
				"(`host:port`) or a nickname. An unknown instance is an error that lists the known ones.",
			Optional:   true,
			Validators: []validator.String{validators.Name("instance")},
		},
	}
}

// keeps tells whether a result named name, in state (running or stopped) and with the processes procs, passes
// the filters.
func (f listFilter) keeps(name, state string, procs []supvisors.ProcessInfo) bool {
	return (f.name == nil || f.name.MatchString(name)) && (f.state == "" || state == f.state) &&
		(f.instance == "" || runsOn(procs, f.instance))
}

// listResult builds one result: its display name, its identity (setIdentity) and, when the request includes
// resources, the resource as model returns it.
func listResult[M any](ctx context.Context, req list.ListRequest, display string,
	setIdentity func(*tfsdk.ResourceIdentity) diag.Diagnostics, model func() (M, diag.Diagnostics)) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = display
	if req.IncludeResource {
		m, diags := model()
		result.Diagnostics.Append(diags...)
		result.Diagnostics.Append(result.Resource.Set(ctx, m)...)
	}
	result.Diagnostics.Append(setIdentity(result.Identity)...)
	return result
}
