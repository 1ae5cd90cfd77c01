package provider

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwpath "github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// configUpdateDefaultTimeout applies to create and update when the timeouts block does not set them.
const configUpdateDefaultTimeout = 10 * time.Minute

var (
	_ resource.Resource               = (*configUpdateResource)(nil)
	_ resource.ResourceWithConfigure  = (*configUpdateResource)(nil)
	_ resource.ResourceWithModifyPlan = (*configUpdateResource)(nil)
)

// NewConfigUpdateResource returns the supvisors_config_update resource.
func NewConfigUpdateResource() resource.Resource { return &configUpdateResource{} }

// configUpdateResource rolls out Supervisor configuration changes like `supervisorctl update`.
type configUpdateResource struct {
	resourceBase
}

type configUpdateModel struct {
	ID        types.String   `tfsdk:"id"`
	Triggers  types.Map      `tfsdk:"triggers"`
	Instances types.List     `tfsdk:"instances"`
	Groups    types.List     `tfsdk:"groups"`
	Timeouts  timeouts.Value `tfsdk:"timeouts"`
	Results   types.List     `tfsdk:"results"`
}

var cuResultAttrTypes = map[string]attr.Type{
	"instance": types.StringType,
	"added":    types.ListType{ElemType: types.StringType},
	"changed":  types.ListType{ElemType: types.StringType},
	"removed":  types.ListType{ElemType: types.StringType},
	"skipped":  types.ListType{ElemType: types.StringType},
}

// Metadata names the resource supvisors_config_update.
func (r *configUpdateResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_config_update"
}

// Schema describes supvisors_config_update.
func (r *configUpdateResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	groupList := func(what string) schema.ListAttribute {
		return schema.ListAttribute{MarkdownDescription: what, Computed: true, ElementType: types.StringType}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Rolls out Supervisor configuration changes the way `supervisorctl update` does, on every " +
			"instance of a Supvisors cluster or on the one plain supervisord the provider's `url` reaches. On create " +
			"and whenever `triggers` change, it calls `supervisor.reloadConfig` on every instance covered (which only " +
			"re-reads the files and reports the differences), then, instance after instance: a **removed** group is " +
			"stopped, then removed (`removeProcessGroup`); a **changed** group is stopped, removed, added again and " +
			"its processes that ran before (or whose program says `autostart = true`) are started; an **added** group " +
			"is added (`addProcessGroup`) and its `autostart` processes are started. Groups whose configuration did " +
			"not change are not touched. Every stop and start is awaited with Supervisor's process states " +
			"(`startsecs`, `BACKOFF` retries, `FATAL`).\n\n" +
			"A configuration that one instance cannot parse fails the apply with supervisord's own message before " +
			"anything changes on any instance. A group that does not settle fails the apply naming the instance and " +
			"the group; the instances after it are left for the next apply (which rolls out again: `reloadConfig` " +
			"reports the same differences until they are applied).\n\n" +
			"On a Supvisors cluster, each instance is a supervisord with its own configuration files, and Supvisors " +
			"follows what this resource does: an added group shows up as an application at once, **managed** when " +
			"the rules file names it (by name or pattern) and **unmanaged** otherwise; a removed group disappears. " +
			"Supervisor's `autostart` applies per instance, so an added group with `autostart = true` starts on " +
			"every instance that has it; for a group the rules manage, prefer `autostart = false` and start it with " +
			"`supvisors_application` (placement by the rules). Supvisors' own `numprocs` changes " +
			"(`supvisors_process_group.numprocs`) make supervisord report that program's group as changed: a rollout " +
			"restores the files' value; use `groups` to leave such groups alone.\n\n" +
			"A plan cannot tell what will change (only `reloadConfig` can, and it is not free of side effects), so " +
			"`results` is known after apply. Destroying the resource changes nothing on the hosts. Import: not " +
			"supported, there is no remote object to import; create the resource instead (a rollout that finds " +
			"nothing to change changes nothing). Create and update wait up to 10 minutes unless the `timeouts` " +
			"block says otherwise.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The provider's `url` (without credentials).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary map of strings, typically hashes of the configuration files (e.g. " +
					"`{ web = filesha256(\"conf.d/web.conf\") }`). A change rolls the configuration out again.",
				Optional:    true,
				ElementType: types.StringType,
			},
			"instances": schema.ListAttribute{
				MarkdownDescription: "Supvisors instances to roll out on (identifiers `host:port` or nicknames), in this " +
					"order. Omitted: every instance of the cluster, in identifier order (or the one plain supervisord). " +
					"Every instance covered must be RUNNING. Not allowed on a plain supervisord (checked at plan time). " +
					"A change alone does not roll out; it applies to the next rollout.",
				Optional:    true,
				ElementType: types.StringType,
				Validators:  []validator.List{cuNonEmptyStrings{}},
			},
			"groups": schema.ListAttribute{
				MarkdownDescription: "Patterns (shell globs as in Go's `path.Match`, e.g. `web_*`) of the groups this " +
					"resource may add, change or remove. Omitted: every group, as `supervisorctl update`. Differences of " +
					"other groups are left as they are and listed in `results[*].skipped`. A change alone does not roll " +
					"out; it applies to the next rollout.",
				Optional:    true,
				ElementType: types.StringType,
				Validators:  []validator.List{cuGlobs{}},
			},
			"results": schema.ListNestedAttribute{
				MarkdownDescription: "What the last rollout did, per instance, in rollout order. Group lists are sorted.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"instance": schema.StringAttribute{MarkdownDescription: "Identifier of the instance (`host:port`; " +
						"for a plain supervisord, the `host:port` of the URL).", Computed: true},
					"added":   groupList("Groups added."),
					"changed": groupList("Groups whose configuration changed: stopped, removed, added and started again."),
					"removed": groupList("Groups removed (stopped first)."),
					"skipped": groupList("Groups that `reloadConfig` reported but `groups` excludes: not touched."),
				}},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true}),
		},
	}
}

// ModifyPlan keeps the results when the triggers do not change, and checks instances and groups against the
// endpoint (reads only).
func (r *configUpdateResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan configUpdateModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *configUpdateModel
	if !req.State.Raw.IsNull() {
		state = &configUpdateModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if !cuRollsOut(&plan, state) {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, fwpath.Root("results"), state.Results)...)
		}
	}
	if r.data == nil || r.data.client == nil || plan.Instances.IsNull() || plan.Instances.IsUnknown() {
		return
	}
	if state != nil && plan.Instances.Equal(state.Instances) {
		return
	}
	r.checkInstancesAtPlan(r.data.logContext(ctx), plan.Instances, &resp.Diagnostics)
}

// checkInstancesAtPlan checks the instances listed against the endpoint (reads only): a plain supervisord has
// none to choose, and each must be an instance of the cluster. An endpoint that cannot be reached is checked again
// at apply.
func (r *configUpdateResource) checkInstancesAtPlan(ctx context.Context, instances types.List, diags *diag.Diagnostics) {
	c := r.data.client
	info, err := c.Detect(ctx)
	if err != nil {
		return // checked again at apply
	}
	if info.Plain {
		diags.AddAttributeError(fwpath.Root("instances"), "instances needs Supvisors",
			fmt.Sprintf("The provider's url (%s) is plain Supervisor %s: there is one supervisord and no Supvisors "+
				"instance to choose. Remove instances; the rollout covers that supervisord.", c.Endpoint(), info.SupervisorVersion))
		return
	}
	var ids []string
	diags.Append(instances.ElementsAs(ctx, &ids, false)...)
	if _, err := cuTargets(ctx, c, ids, false); err != nil {
		diags.AddAttributeError(fwpath.Root("instances"), "Unknown instance", sentence(err.Error()))
	}
}

// cuRollsOut reports whether going from state to plan rolls out: a change of the triggers (unknown included).
func cuRollsOut(plan, state *configUpdateModel) bool {
	return plan.Triggers.IsUnknown() || !sameTriggers(state.Triggers, plan.Triggers)
}

// Create rolls out.
func (r *configUpdateResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan configUpdateModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.rolloutInto(ctx, plan.Timeouts.Create, &plan, &resp.State, &resp.Diagnostics)
}

// rolloutInto rolls plan out within the limit of its timeouts block and stores it in state when that worked
// (nothing is stored after an error, or when diags already holds one).
func (r *configUpdateResource) rolloutInto(ctx context.Context, limit timeoutLimit, plan *configUpdateModel, state *tfsdk.State, diags *diag.Diagnostics) {
	ctx, c, cancel := r.begin(ctx, diags, limit, configUpdateDefaultTimeout)
	defer cancel()
	if c == nil {
		return
	}
	if r.rollout(ctx, c, plan, diags) {
		diags.Append(state.Set(ctx, plan)...)
	}
}

// Read keeps the state: a rollout has no remote object to refresh.
func (r *configUpdateResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m configUpdateModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	}
}

// Update rolls out again when the triggers changed; otherwise it only records the plan.
func (r *configUpdateResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state configUpdateModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !cuRollsOut(&plan, &state) {
		plan.ID, plan.Results = state.ID, state.Results
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	r.rolloutInto(ctx, plan.Timeouts.Update, &plan, &resp.State, &resp.Diagnostics)
}

// Delete changes nothing on the hosts: the configuration files stay what they are.
func (r *configUpdateResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

// rollout runs the rollout of plan and fills its computed attributes; false when it added an error (the
// state then keeps its former triggers, so the next plan asks for the rollout again).
func (r *configUpdateResource) rollout(ctx context.Context, c *supvisors.Client, plan *configUpdateModel, diags *diag.Diagnostics) bool {
	var ids, globs []string
	diags.Append(plan.Instances.ElementsAs(ctx, &ids, true)...)
	diags.Append(plan.Groups.ElementsAs(ctx, &globs, true)...)
	if diags.HasError() {
		return false
	}
	targets, err := cuTargets(ctx, c, ids, true)
	if err != nil {
		diags.Append(clientErrorDiagnostic("Could not find the instances to roll out on", err))
		return false
	}
	opts := supvisors.RolloutOptions{}
	if len(globs) > 0 {
		opts.Match = func(g string) bool {
			return slices.ContainsFunc(globs, func(p string) bool { ok, _ := path.Match(p, g); return ok })
		}
	}
	tflog.Info(ctx, "rolling out the Supervisor configuration", map[string]any{"instances": len(targets)})
	results, err := supvisors.Rollout(ctx, targets, opts)
	if err != nil {
		diags.AddError("Configuration rollout failed", cuErrorDetail(err, results))
		return false
	}
	plan.ID = types.StringValue(c.Endpoint())
	var d diag.Diagnostics
	plan.Results, d = cuResultsValue(results)
	diags.Append(d...)
	return !diags.HasError()
}

// cuTargets lists the supervisords a rollout covers: the plain one, or the instances of the cluster (ids, or
// all of them in identifier order). With running set, an instance that is not RUNNING is an error.
func cuTargets(ctx context.Context, c *supvisors.Client, ids []string, running bool) ([]supvisors.RolloutTarget, error) {
	plain, err := c.IsPlain(ctx)
	if err != nil {
		return nil, err
	}
	if plain {
		return []supvisors.RolloutTarget{{Name: c.PlainHost(), Client: c}}, nil
	}
	infos, err := c.GetAllInstancesInfo(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(infos, func(a, b supvisors.InstanceInfo) int { return strings.Compare(a.Identifier, b.Identifier) })
	var chosen []supvisors.InstanceInfo
	if len(ids) == 0 {
		chosen = infos
	}
	var known []string
	for _, in := range infos {
		known = append(known, in.Identifier+" ("+in.NickIdentifier+")")
	}
	for _, id := range ids {
		i := slices.IndexFunc(infos, func(in supvisors.InstanceInfo) bool { return in.Identifier == id || in.NickIdentifier == id })
		if i < 0 {
			return nil, fmt.Errorf("the cluster has no instance %q; known instances: %s", id, strings.Join(known, ", "))
		}
		chosen = append(chosen, infos[i])
	}
	var targets []supvisors.RolloutTarget
	var down []string
	for _, in := range chosen {
		if in.Statename != supvisors.InstanceRunning {
			down = append(down, fmt.Sprintf("%s is %s", in.Identifier, in.Statename))
			continue
		}
		ic, err := c.Instance(ctx, in.Identifier)
		if err != nil {
			return nil, err
		}
		targets = append(targets, supvisors.RolloutTarget{Name: in.Identifier, Client: ic})
	}
	if running && len(down) > 0 {
		return nil, fmt.Errorf("every instance a rollout covers must be RUNNING, so that its configuration can be "+
			"re-read; nothing was changed: %s. Start them again, or list the instances to roll out on in instances",
			strings.Join(down, "; "))
	}
	return targets, nil
}

// cuErrorDetail explains a failed rollout: each failure (instance, group, step, cause), then what was done.
func cuErrorDetail(err error, results []supvisors.InstanceRollout) string {
	var b strings.Builder
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var re *supvisors.RolloutError
		if errors.As(e, &re) {
			fmt.Fprintf(&b, "On instance %s", re.Instance)
			if re.Group != "" {
				fmt.Fprintf(&b, ", group %s", re.Group)
			}
			fmt.Fprintf(&b, ", %s failed: %s\n", re.Step, cuCause(re.Err))
		} else {
			fmt.Fprintf(&b, "%s\n", clientErrorDetail(e))
		}
	}
	if len(results) == 0 {
		b.WriteString("\nNothing was changed on any instance.")
	} else {
		b.WriteString("\nDone before the failure:")
		for _, r := range results {
			fmt.Fprintf(&b, "\n  - %s: %s", r.Instance, r)
		}
	}
	b.WriteString("\n\nThe state keeps the former triggers: the next apply rolls out again (reloadConfig reports " +
		"the differences that are still to apply).")
	return b.String()
}

// cuCause is the message of a rollout step's cause: supervisord's own text for a fault (e.g. CANT_REREAD with
// the parse error), else the client's explanation.
func cuCause(err error) string {
	var f *supvisors.Fault
	var settle *supvisors.SettleError
	if errors.As(err, &settle) {
		return settle.Error()
	}
	if errors.As(err, &f) {
		return fmt.Sprintf("%s (fault %d %s)", f.String, f.Code, f.Code)
	}
	return err.Error()
}

// cuResultsValue builds the results attribute.
func cuResultsValue(results []supvisors.InstanceRollout) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	objType := types.ObjectType{AttrTypes: cuResultAttrTypes}
	elems := make([]attr.Value, 0, len(results))
	list := func(s []string) attr.Value {
		v, d := types.ListValueFrom(context.Background(), types.StringType, stringsOrEmpty(s))
		diags.Append(d...)
		return v
	}
	for _, r := range results {
		obj, d := types.ObjectValue(cuResultAttrTypes, map[string]attr.Value{
			"instance": types.StringValue(r.Instance),
			"added":    list(r.Added),
			"changed":  list(r.Changed),
			"removed":  list(r.Removed),
			"skipped":  list(r.Skipped),
		})
		diags.Append(d...)
		elems = append(elems, obj)
	}
	v, d := types.ListValue(objType, elems)
	diags.Append(d...)
	return v, diags
}

// cuGlobs checks that every element of a list is a valid path.Match pattern.
type cuGlobs struct{}

func (cuGlobs) Description(context.Context) string {
	return "every element is a shell glob pattern (Go path.Match syntax)"
}
func (v cuGlobs) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (cuGlobs) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for i, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() || s.IsNull() {
			continue
		}
		if _, err := path.Match(s.ValueString(), ""); err != nil || s.ValueString() == "" {
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Invalid group pattern",
				fmt.Sprintf("%q is not a valid group pattern: use a group name or a shell glob such as \"web_*\" or "+
					"\"app_[a-c]\" (Go path.Match syntax: *, ?, [...], \\ escapes).", s.ValueString()))
		}
	}
}

// cuNonEmptyStrings refuses empty elements.
type cuNonEmptyStrings struct{}

func (cuNonEmptyStrings) Description(context.Context) string {
	return "every element is a non-empty string"
}
func (v cuNonEmptyStrings) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}
func (cuNonEmptyStrings) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	for i, e := range req.ConfigValue.Elements() {
		if s, ok := e.(types.String); ok && !s.IsUnknown() && !s.IsNull() && strings.TrimSpace(s.ValueString()) == "" {
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Empty instance",
				"An instance is a Supvisors identifier (host:port) or nickname, such as \"127.0.0.1:61001\" or \"node1\".")
		}
	}
}
