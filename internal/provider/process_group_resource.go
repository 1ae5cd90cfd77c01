package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

// processGroupDefaultTimeout applies to create, update and delete when the timeouts block does not set them.
const processGroupDefaultTimeout = 5 * time.Minute

// pgMaxNumprocs is the largest numprocs accepted at plan time: far above what one program runs in practice,
// and well inside XML-RPC's 32-bit int (a larger value would reach every instance as a number it cannot carry).
const pgMaxNumprocs = 10000

var (
	_ resource.Resource                   = (*processGroupResource)(nil)
	_ resource.ResourceWithConfigure      = (*processGroupResource)(nil)
	_ resource.ResourceWithImportState    = (*processGroupResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*processGroupResource)(nil)
	_ resource.ResourceWithValidateConfig = (*processGroupResource)(nil)
	_ resource.ResourceWithUpgradeState   = (*processGroupResource)(nil)
)

// NewProcessGroupResource returns the supvisors_process_group resource.
func NewProcessGroupResource() resource.Resource { return &processGroupResource{} }

// processGroupResource manages the processes of one application (or one program of it): their running state,
// the extra arguments they start with, and, on every instance, numprocs and enabled.
type processGroupResource struct {
	resourceBase
}

// processGroupResourceModel is the resource's data.
type processGroupResourceModel struct {
	ID              types.String   `tfsdk:"id"`
	Application     types.String   `tfsdk:"application"`
	Program         types.String   `tfsdk:"program"`
	State           types.String   `tfsdk:"state"`
	Strategy        types.String   `tfsdk:"strategy"`
	ExtraArgs       types.String   `tfsdk:"extra_args"`
	Numprocs        types.Int64    `tfsdk:"numprocs"`
	Enabled         types.Bool     `tfsdk:"enabled"`
	RestartTriggers types.Map      `tfsdk:"restart_triggers"`
	StopOnDestroy   types.Bool     `tfsdk:"stop_on_destroy"`
	Timeouts        timeouts.Value `tfsdk:"timeouts"`
	Processes       types.List     `tfsdk:"processes"`
}

// processGroupProcessType is the object type of one element of processes.
var processGroupProcessType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"namespec":    types.StringType,
	"statename":   types.StringType,
	"identifiers": types.ListType{ElemType: types.StringType},
	"extra_args":  types.StringType,
}}

func (m *processGroupResourceModel) scope() reconcile.Scope {
	return reconcile.Scope{App: m.Application.ValueString(), Program: m.Program.ValueString()}
}

// Metadata names the resource supvisors_process_group.
func (r *processGroupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_process_group"
}

// Schema describes supvisors_process_group.
func (r *processGroupResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Version: strategySchemaVersion,
		MarkdownDescription: "Manages the processes of a Supvisors application, or of one program of it: whether they " +
			"run, the extra arguments they start with and, on every instance, the program's `numprocs` and whether " +
			"it is enabled. Works for applications managed by Supvisors (declared in its rules) and for unmanaged " +
			"Supervisor groups alike, through `start_process` and `stop_process`.\n\n" +
			"Starts and stops are followed until every process has settled: an apply fails, naming each process with " +
			"its state and spawn error, when a process does not reach the wanted state. A refresh reads the processes " +
			"from the cluster, so changes made outside Terraform show up as drift. Import with the ID " +
			"`<application>:*` or `<application>:<program>`. Create, update and delete wait up to 5 minutes each unless " +
			"the `timeouts` block says otherwise.\n\n" +
			"On a plain supervisord (no Supvisors plugin) it manages that supervisord's group or program with " +
			"Supervisor's own calls and process states; `numprocs`, `enabled`, `extra_args` and `strategy` need " +
			"Supvisors and are refused at plan time there (see the guide \"Plain Supervisor hosts\").",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<application>:*` when `program` is omitted, else `<application>:<program>`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"application": applicationNameAttribute("Name of the application (the Supervisor group), managed or not. Changing it " +
				"replaces the resource."),
			"program": schema.StringAttribute{
				MarkdownDescription: "The processes to manage within the application. Omitted: every process of " +
					"the application (namespec `<application>:*`). Otherwise a process name (namespec " +
					"`<application>:<program>`) or the name of a homogeneous program (one defined with `numprocs` " +
					"and a `process_name` holding `%(process_num)`), which stands for all its processes " +
					"`<program>_<N>`. Changing it replaces the resource.",
				Optional:      true,
				Validators:    []validator.String{validators.Name("program name"), validators.Program()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"state": schema.StringAttribute{
				MarkdownDescription: "`running` (every process of the group runs) or `stopped` (none runs). " +
					"Defaults to `running`. A one-shot program that exited with an expected exit code counts as " +
					"running. A refresh reads the processes: `partial` after a refresh when some processes run and " +
					"others do not (never a valid configuration value, so the plan shows the drift until an apply " +
					"converges).",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(reconcile.StateRunning),
				Validators: []validator.String{validators.Enum("state", reconcile.StateRunning, reconcile.StateStopped)},
			},
			"strategy": strategyAttribute("the processes"),
			"extra_args": schema.StringAttribute{
				MarkdownDescription: "Extra arguments appended to the command line of each process this resource " +
					"starts. Defaults to none (`\"\"`). A change restarts the running processes with the new " +
					"arguments (each is stopped, then started again). Supvisors keeps the arguments of the last " +
					"start in the program's configuration, so a process started out of band with other arguments " +
					"shows as drift. They must fit on one command line: no control characters, balanced quotes.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(""),
				Validators: []validator.String{validators.ExtraArgs()},
			},
			"numprocs": schema.Int64Attribute{
				MarkdownDescription: "Number of processes of the homogeneous program `program` (at least 1), set " +
					"with `update_numprocs` on EVERY Supvisors instance (the call acts on one instance only). " +
					"Requires `program` naming a program defined with `numprocs` and `%(process_num)` in its " +
					"`process_name`; other programs are refused at plan time. A decrease stops the processes in " +
					"excess. The value lives in the memory of each supervisord: a restarted instance comes back with " +
					"its configuration file's value, which shows as drift. Left unset, numprocs is not managed. " +
					"Destroying the resource does not change it. " +
					fmt.Sprintf("At most %d (a bound far above any real program, well inside the 32-bit "+
						"integers XML-RPC carries); larger values are refused at plan time.", pgMaxNumprocs),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, pgMaxNumprocs)},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Enables (`true`) or disables (`false`) the Supervisor program(s) of the group " +
					"on EVERY Supvisors instance (`enable`/`disable` act on one instance only; Supvisors keeps the " +
					"setting in its disabilities file). A disabled program cannot start anywhere, so `enabled = false` " +
					"requires `state = \"stopped\"`. Left unset, it is not managed. Destroying the resource does not " +
					"change it.",
				Optional: true,
			},
			"restart_triggers": restartTriggersAttribute("Arbitrary map of strings (e.g. `{ conf = filesha256(\"app.conf\") }`). " +
				"The first value set (on create, after an import, or when added later) is recorded without a " +
				"restart; any later change to another non-empty map restarts every process while the group is " +
				"running. Removing the map (or setting `{}`, the same as omitting it) restarts nothing."),
			"stop_on_destroy": stopOnDestroyAttribute("Stop the processes when the resource is destroyed. Defaults to `true`; " +
				"`false` only removes the resource from the Terraform state."),
			"processes": schema.ListNestedAttribute{
				MarkdownDescription: "The processes of the group as Supvisors reports them, in name order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"namespec": schema.StringAttribute{
							MarkdownDescription: "`<application>:<process>`.",
							Computed:            true,
						},
						"statename": schema.StringAttribute{
							MarkdownDescription: "Supervisor state: `STOPPED`, `STARTING`, `RUNNING`, `BACKOFF`, " +
								"`STOPPING`, `EXITED`, `FATAL` or `UNKNOWN`.",
							Computed: true,
						},
						"identifiers": schema.ListAttribute{
							MarkdownDescription: "Instances (`host:port`) where the process runs, sorted; more " +
								"than one means a conflict.",
							Computed:    true,
							ElementType: types.StringType,
						},
						"extra_args": schema.StringAttribute{
							MarkdownDescription: "Extra arguments of the process's last start.",
							Computed:            true,
						},
					},
				},
			},
		},
		Blocks: actingTimeoutsBlocks(ctx),
	}
}

// UpgradeState upgrades states written before strategy lost its default (see strategyStateUpgraders).
func (r *processGroupResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	return strategyUpgradersOf(ctx, r)
}

// ValidateConfig checks the combinations that the attributes alone cannot.
func (r *processGroupResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg processGroupResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateTimeouts(cfg.Timeouts, &resp.Diagnostics)
	if !cfg.Numprocs.IsNull() && cfg.Program.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("numprocs"), "numprocs needs program",
			"numprocs is a setting of one homogeneous program: set program to its name (for a group made of one "+
				"homogeneous program, such as \"worker\", that is usually the application's name too).")
	}
	if !cfg.Enabled.IsNull() && !cfg.Enabled.IsUnknown() && !cfg.Enabled.ValueBool() && !cfg.State.IsUnknown() &&
		(cfg.State.IsNull() || cfg.State.ValueString() == reconcile.StateRunning) {
		resp.Diagnostics.AddAttributeError(path.Root("enabled"), "A disabled program cannot run",
			"enabled = false disables the program on every instance, so it cannot start anywhere, while state is "+
				"\"running\" (the default). Set state = \"stopped\" together with enabled = false.")
	}
}

// ModifyPlan validates the plan against the cluster (plans have no side effects: reads only) and keeps the
// computed processes when nothing that acts on the cluster changes.
func (r *processGroupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan processGroupResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *processGroupResourceModel
	if !req.State.Raw.IsNull() {
		state = &processGroupResourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if state != nil && !pgActsOnCluster(&plan, state) && plan.Processes.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("processes"), state.Processes)...)
	}

	if r.data == nil || r.data.client == nil || plan.Application.IsUnknown() || plan.Program.IsUnknown() {
		return // provider or names not known yet: checked again at apply
	}
	if r.modifyPlanPlain(ctx, req, resp, &plan, state) {
		return // plain supervisord: checked there (process_group_plain.go)
	}
	r.checkPlanOnCluster(r.data.logContext(ctx), &plan, state, &resp.Diagnostics)
}

// checkPlanOnCluster checks a plan against Supvisors' snapshot when it designates new processes or changes
// numprocs (state is nil on create), then its strategy against the release.
func (r *processGroupResource) checkPlanOnCluster(ctx context.Context, plan, state *processGroupResourceModel, diags *diag.Diagnostics) {
	newScope := state == nil || !plan.Application.Equal(state.Application) || !plan.Program.Equal(state.Program)
	numprocsChange := !plan.Numprocs.IsNull() && !plan.Numprocs.IsUnknown() && (newScope || !plan.Numprocs.Equal(state.Numprocs))
	if newScope || numprocsChange {
		snap, err := r.data.client.Snapshot(ctx)
		if err != nil {
			diags.Append(clientReadErrorDiagnostic("Could not check "+plan.scope().ID()+" against the cluster", err))
			return
		}
		diags.Append(pgCheckAgainstSnapshot(snap, plan.scope(), numprocsChange)...)
	}
	checkStrategyAtPlan(ctx, r.data.client, plan.Strategy, diags) // after the snapshot: no extra request
}

// pgRecordOnly reports whether an update only records the plan: nothing acts on the cluster. The computed values
// are then those of the state (ModifyPlan plans them so; they are filled here too should the plan not carry them).
func pgRecordOnly(plan, state *processGroupResourceModel) bool {
	if pgActsOnCluster(plan, state) {
		return false
	}
	if plan.ID.IsUnknown() || plan.ID.IsNull() {
		plan.ID = state.ID
	}
	if plan.Processes.IsUnknown() || plan.Processes.IsNull() {
		plan.Processes = state.Processes
	}
	return true
}

// pgActsOnCluster reports whether going from state to plan needs any action on the cluster.
func pgActsOnCluster(plan, state *processGroupResourceModel) bool {
	return !plan.Application.Equal(state.Application) || !plan.Program.Equal(state.Program) ||
		!plan.State.Equal(state.State) || !plan.ExtraArgs.Equal(state.ExtraArgs) ||
		!plan.Numprocs.Equal(state.Numprocs) || !plan.Enabled.Equal(state.Enabled) ||
		plan.RestartTriggers.IsUnknown() || triggersRestart(state.RestartTriggers, plan.RestartTriggers)
}

// pgCheckAgainstSnapshot validates a scope against the cluster: the application and program exist, and numprocs
// applies to the program.
func pgCheckAgainstSnapshot(snap *supvisors.Snapshot, s reconcile.Scope, numprocs bool) diag.Diagnostics {
	var diags diag.Diagnostics
	if _, ok := snap.Application(s.App); !ok {
		diags.AddAttributeError(path.Root("application"), fmt.Sprintf("Unknown application %q", s.App),
			fmt.Sprintf("Supvisors knows no application (Supervisor group) named %q. Known applications: %s.",
				s.App, strings.Join(snap.ApplicationNames(), ", ")))
		return diags
	}
	procs := snap.ProcessesOf(s.App)
	members, homogeneous := reconcile.Members(procs, s)
	if len(members) == 0 {
		diags.AddAttributeError(path.Root("program"), fmt.Sprintf("Unknown program %q in application %q", s.Program, s.App),
			fmt.Sprintf("No process of application %q is named %q, and no homogeneous program %q (processes %s_<N>) "+
				"exists there. %s", s.App, s.Program, s.Program, s.Program, reconcile.KnownProgramsHint(procs, s.App)))
		return diags
	}
	if numprocs && !homogeneous {
		diags.AddAttributeError(path.Root("numprocs"), fmt.Sprintf("numprocs is not applicable to %s", s.ID()),
			fmt.Sprintf("%q names the single process %s, not a homogeneous program. Supvisors accepts update_numprocs "+
				"only for a program defined with numprocs and a process_name holding %%(process_num) (processes "+
				"<program>_<N>); for any other it answers NOT_APPLICABLE (fault 104), and that refused call still "+
				"changes the instance. Remove numprocs, or set program to a homogeneous program. %s",
				s.Program, members[0].Namespec(), reconcile.KnownProgramsHint(procs, s.App)))
	}
	return diags
}

// ImportState accepts "application:*" and "application:program", after checking the ID against the cluster
// (unknown application or program named, with the valid ones).
func (r *processGroupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	s, ok := processGroupImportScope(ctx, req, &resp.Diagnostics) // the import ID or the identity (resource_identity.go)
	if !ok {
		return
	}
	if c := r.client(&resp.Diagnostics); c != nil {
		ctx = r.data.logContext(ctx)
		snap, err := pgSnapshot(ctx, c) // Supvisors' snapshot, or the plain supervisord's
		if err != nil {
			resp.Diagnostics.Append(clientReadErrorDiagnostic("Could not import "+s.ID(), err))
			return
		}
		// The same checks as a plan, reported without an attribute path: an import has no configuration yet.
		for _, d := range pgCheckAgainstSnapshot(snap, s, false) {
			resp.Diagnostics.AddError("Cannot import "+s.ID()+": "+d.Summary(), d.Detail())
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	program := types.StringNull()
	if s.Program != "" {
		program = types.StringValue(s.Program)
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), s.ID())...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("application"), s.App)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("program"), program)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("stop_on_destroy"), true)...)
}

// Read refreshes the state from the shared snapshot; numprocs and enabled, when managed, from every instance.
func (r *processGroupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m processGroupResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setProcessGroupIdentity(ctx, resp.Identity, m.scope())...)
	if r.data == nil || r.data.client == nil {
		// The provider configuration depends on values not known yet: keep the state as it is.
		tflog.Debug(ctx, "provider not configured yet; process group state not refreshed")
		return
	}
	c := r.data.client
	ctx = r.data.logContext(ctx)
	s := m.scope()
	snap, err := pgReadSnapshot(ctx, c)
	if err != nil {
		resp.Diagnostics.Append(clientReadErrorDiagnostic("Could not read "+s.ID(), err))
		return
	}
	members, ok := pgPresentMembers(snap, s, &resp.Diagnostics)
	if !ok {
		resp.State.RemoveResource(ctx)
		return
	}
	m.ID = types.StringValue(s.ID())
	if m.StopOnDestroy.IsNull() {
		m.StopOnDestroy = types.BoolValue(true)
	}
	members = m.refresh(ctx, c, snap, members, &resp.Diagnostics)
	var d diag.Diagnostics
	m.Processes, d = processGroupProcessesValue(members)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// pgReadSnapshot is the snapshot a refresh reads: Supvisors' once the cluster is in a state whose answer is final
// (a transient state is waited out: see supvisors.Client.SettledSnapshot, no false drift), or the plain
// supervisord's.
func pgReadSnapshot(ctx context.Context, c *supvisors.Client) (*supvisors.Snapshot, error) {
	if pgIsPlain(ctx, c) {
		return c.PlainSnapshot(ctx)
	}
	return c.SettledSnapshot(ctx)
}

// pgPresentMembers returns the processes of scope s in snap; ok is false, after a warning naming what vanished
// (the application, or the program's processes), when there are none.
func pgPresentMembers(snap *supvisors.Snapshot, s reconcile.Scope, diags *diag.Diagnostics) (members []supvisors.ProcessInfo, ok bool) {
	if _, ok := snap.Application(s.App); !ok {
		diags.AddWarning(fmt.Sprintf("Application %q vanished", s.App),
			fmt.Sprintf("Supvisors no longer knows the application %q, so %s was removed from the Terraform state. "+
				"Known applications: %s.", s.App, s.ID(), strings.Join(snap.ApplicationNames(), ", ")))
		return nil, false
	}
	members, _ = reconcile.Members(snap.ProcessesOf(s.App), s)
	if len(members) == 0 {
		diags.AddWarning(fmt.Sprintf("Program %s vanished", s.ID()),
			fmt.Sprintf("Application %q no longer has processes for %s, so it was removed from the Terraform state. %s",
				s.App, s.ID(), reconcile.KnownProgramsHint(snap.ProcessesOf(s.App), s.App)))
		return nil, false
	}
	return members, true
}

// refresh derives state and extra_args from the members, and numprocs and enabled, when the state manages them,
// from every instance (a warning names the instances that could not be read). It returns the members that the
// refreshed state describes: with numprocs managed, those the instances define.
func (m *processGroupResourceModel) refresh(ctx context.Context, c *supvisors.Client, snap *supvisors.Snapshot, members []supvisors.ProcessInfo, diags *diag.Diagnostics) []supvisors.ProcessInfo {
	prior, priorArgs := m.State.ValueString(), m.ExtraArgs.ValueString()
	derive := func(members []supvisors.ProcessInfo) {
		m.State = types.StringValue(reconcile.DeriveState(members, prior))
		m.ExtraArgs = types.StringValue(reconcile.DeriveExtraArgs(members, priorArgs))
	}
	derive(members)
	wantNumprocs, wantEnabled := !m.Numprocs.IsNull(), !m.Enabled.IsNull()
	if !wantNumprocs && !wantEnabled {
		return members
	}
	s := m.scope()
	obs := reconcilerOf(c).ReadSettings(ctx, snap, s, wantNumprocs, wantEnabled)
	if wantNumprocs {
		members = reconcile.OnlyDefined(members, obs.Defined)
		derive(members)
	}
	if v, ok := reconcile.DeriveInt(obs.Numprocs, m.Numprocs.ValueInt64()); wantNumprocs && ok {
		m.Numprocs = types.Int64Value(v)
	}
	if v, ok := reconcile.DeriveBool(obs.Enabled, m.Enabled.ValueBool()); wantEnabled && ok {
		m.Enabled = types.BoolValue(v)
	}
	pgDownWarning(diags, s, "Reading numprocs/enabled", obs.Down)
	return members
}

// Create adopts what already matches and changes the rest.
func (r *processGroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan processGroupResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	ctx, c, cancel := r.begin(ctx, &resp.Diagnostics, plan.Timeouts.Create, processGroupDefaultTimeout)
	defer cancel()
	if c == nil {
		return
	}
	resp.Diagnostics.Append(setProcessGroupIdentity(ctx, resp.Identity, plan.scope())...)
	if !r.saveBeforeCreate(ctx, c, &plan, resp) {
		return
	}
	if !r.apply(ctx, c, &plan, nil, &resp.Diagnostics) {
		// The resource stays in the state saved above (Terraform taints it: the next apply replaces it), with the
		// processes as they are now when they can still be read, so that nothing started is orphaned.
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer rcancel()
		if resp.State.Raw.IsNull() {
			return // refused before anything was saved or changed
		}
		if members, err := pgFreshMembers(rctx, c, plan.scope()); err == nil {
			var d diag.Diagnostics
			if plan.Processes, d = processGroupProcessesValue(members); !d.HasError() {
				resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
			}
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// saveBeforeCreate checks the plan against the cluster (nothing has changed yet when that fails, so nothing is
// saved) and then saves the resource in the state before anything is started or changed: a create that fails or
// is interrupted later is then kept (tainted), never lost with the processes it started. It reports false when
// it added an error.
func (r *processGroupResource) saveBeforeCreate(ctx context.Context, c *supvisors.Client, plan *processGroupResourceModel, resp *resource.CreateResponse) bool {
	s := plan.scope()
	plain := pgIsPlain(ctx, c)
	if plain && (!plan.Numprocs.IsNull() || !plan.Enabled.IsNull() || plan.ExtraArgs.ValueString() != "") {
		return true // applyPlain refuses these before any change: nothing to save
	}
	snap, err := pgSnapshot(ctx, c) // Supvisors' snapshot, or the plain supervisord's
	if err != nil {
		resp.Diagnostics.Append(clientErrorDiagnostic("Could not read the cluster before creating "+s.ID(), err))
		return false
	}
	resp.Diagnostics.Append(pgCheckAgainstSnapshot(snap, s, !plan.Numprocs.IsNull() && !plain)...)
	if resp.Diagnostics.HasError() {
		return false
	}
	members, _ := reconcile.Members(snap.ProcessesOf(s.App), s)
	saved := *plan
	saved.ID = types.StringValue(s.ID())
	var d diag.Diagnostics
	saved.Processes, d = processGroupProcessesValue(members)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &saved)...)
	if resp.Diagnostics.HasError() {
		return false
	}
	plan.ID, plan.Processes = saved.ID, saved.Processes
	return true
}

// Update changes what differs between the state and the plan.
func (r *processGroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state processGroupResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setProcessGroupIdentity(ctx, resp.Identity, plan.scope())...)
	if pgRecordOnly(&plan, &state) {
		// Only strategy, stop_on_destroy, timeouts (or recorded values) change: nothing to do on the cluster, and
		// the computed values stay those of the refresh (see ModifyPlan).
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	ctx, c, cancel := r.begin(ctx, &resp.Diagnostics, plan.Timeouts.Update, processGroupDefaultTimeout)
	defer cancel()
	if c == nil {
		return
	}
	if !r.apply(ctx, c, &plan, &state, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete stops the processes when stop_on_destroy is set. numprocs and enabled are left as they are.
func (r *processGroupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state processGroupResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !state.StopOnDestroy.IsNull() && !state.StopOnDestroy.ValueBool() {
		return // only forgotten: no client needed
	}
	ctx, c, cancel := r.begin(ctx, &resp.Diagnostics, state.Timeouts.Delete, processGroupDefaultTimeout)
	defer cancel()
	if c == nil {
		return
	}
	s := state.scope()
	var diags diag.Diagnostics
	if pgIsPlain(ctx, c) {
		diags = pgPlainConverge(ctx, c, s, false, false)
	} else {
		diags = reconcileDiagnostics(reconcile.Notes{}, reconcilerOf(c).Converge(ctx, s, reconcile.ConvergeOptions{Running: false}))
	}
	if diags.HasError() && pgVanished(ctx, c, s) {
		resp.Diagnostics.AddWarning(fmt.Sprintf("%s vanished", s.ID()),
			fmt.Sprintf("Supvisors no longer knows %s: nothing to stop.", s.ID()))
		return
	}
	resp.Diagnostics.Append(diags...)
}

// pgVanished tells whether the scope has no process any more (application or program gone).
func pgVanished(ctx context.Context, c *supvisors.Client, s reconcile.Scope) bool {
	members, err := pgFreshMembers(ctx, c, s)
	if supvisors.IsFault(err, supvisors.FaultBadName) {
		return true
	}
	return err == nil && len(members) == 0
}

// apply brings the cluster to plan (state is nil on create), then fills the computed attributes of plan. It
// reports false when it added an error.
//
// Order: enable first (a disabled program cannot start), then numprocs (new processes must exist before they
// are started), then the running state with its extra arguments and restarts, and disable last (after the stop
// that state = "stopped" requires with enabled = false).
func (r *processGroupResource) apply(ctx context.Context, c *supvisors.Client, plan, state *processGroupResourceModel, diags *diag.Diagnostics) bool {
	if pgIsPlain(ctx, c) {
		return r.applyPlain(ctx, c, plan, state, diags) // process_group_plain.go
	}
	s := plan.scope()
	if state == nil {
		// Create: validate against the cluster again (the plan may be old, or made without a configured provider).
		snap, err := c.Snapshot(ctx)
		if err != nil {
			diags.Append(clientErrorDiagnostic("Could not read the cluster before creating "+s.ID(), err))
			return false
		}
		diags.Append(pgCheckAgainstSnapshot(snap, s, !plan.Numprocs.IsNull())...)
		if diags.HasError() {
			return false
		}
	}
	changed := func(get func(*processGroupResourceModel) attr.Value) bool {
		return state == nil || !get(plan).Equal(get(state))
	}
	enabledChanged := !plan.Enabled.IsNull() && changed(func(m *processGroupResourceModel) attr.Value { return m.Enabled })
	running := plan.State.ValueString() == reconcile.StateRunning
	desired := reconcile.ProcessGroup{
		Scope:       s,
		Running:     running,
		Strategy:    plan.Strategy.ValueString(),
		ExtraArgs:   plan.ExtraArgs.ValueString(),
		Numprocs:    int(plan.Numprocs.ValueInt64()),
		SetNumprocs: !plan.Numprocs.IsNull() && changed(func(m *processGroupResourceModel) attr.Value { return m.Numprocs }),
		Enable:      enabledChanged && plan.Enabled.ValueBool(),
		Disable:     enabledChanged && !plan.Enabled.ValueBool(),
		RestartAll: running && state != nil && state.State.ValueString() == reconcile.StateRunning &&
			triggersRestart(state.RestartTriggers, plan.RestartTriggers),
	}
	tflog.Info(ctx, "applying", map[string]any{"id": s.ID(), "state": plan.State.ValueString(), "restart": desired.RestartAll})
	members, notes, err := reconcilerOf(c).ApplyProcessGroup(ctx, desired)
	diags.Append(reconcileDiagnostics(notes, err)...)
	if diags.HasError() {
		return false
	}
	plan.ID = types.StringValue(s.ID())
	var d diag.Diagnostics
	plan.Processes, d = processGroupProcessesValue(members)
	diags.Append(d...)
	return !diags.HasError()
}

// processGroupProcessesValue builds the processes attribute.
func processGroupProcessesValue(members []supvisors.ProcessInfo) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	objType := processGroupProcessType
	elems := make([]attr.Value, 0, len(members))
	for _, p := range members {
		ids := slices.Clone(p.Identifiers)
		if ids == nil {
			ids = []string{}
		}
		slices.Sort(ids) // Supvisors gives no order: a stable state

		idList, d := types.ListValueFrom(context.Background(), types.StringType, ids)
		diags.Append(d...)
		obj, d := types.ObjectValue(processGroupProcessType.AttrTypes, map[string]attr.Value{
			"namespec":    types.StringValue(p.Namespec()),
			"statename":   types.StringValue(string(p.Statename)),
			"identifiers": idList,
			"extra_args":  types.StringValue(p.ExtraArgs),
		})
		diags.Append(d...)
		elems = append(elems, obj)
	}
	list, d := types.ListValue(objType, elems)
	diags.Append(d...)
	return list, diags
}
