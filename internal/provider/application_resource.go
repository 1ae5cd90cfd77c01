package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// applicationDefaultTimeout is the default time limit of each operation of the timeouts block.
const applicationDefaultTimeout = 5 * time.Minute

var (
	_ resource.Resource                   = (*applicationResource)(nil)
	_ resource.ResourceWithConfigure      = (*applicationResource)(nil)
	_ resource.ResourceWithImportState    = (*applicationResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*applicationResource)(nil)
	_ resource.ResourceWithValidateConfig = (*applicationResource)(nil)
	_ resource.ResourceWithUpgradeState   = (*applicationResource)(nil)
)

// NewApplicationResource returns the supvisors_application resource.
func NewApplicationResource() resource.Resource {
	return &applicationResource{}
}

// applicationResource keeps a managed Supvisors application running or stopped.
type applicationResource struct {
	resourceBase
}

// applicationResourceModel is the state and configuration of supvisors_application.
type applicationResourceModel struct {
	ID              types.String   `tfsdk:"id"`
	Name            types.String   `tfsdk:"name"`
	State           types.String   `tfsdk:"state"`
	Strategy        types.String   `tfsdk:"strategy"`
	RestartTriggers types.Map      `tfsdk:"restart_triggers"`
	StopOnDestroy   types.Bool     `tfsdk:"stop_on_destroy"`
	Timeouts        timeouts.Value `tfsdk:"timeouts"`
	Statename       types.String   `tfsdk:"statename"`
	Managed         types.Bool     `tfsdk:"managed"`
	MajorFailure    types.Bool     `tfsdk:"major_failure"`
	MinorFailure    types.Bool     `tfsdk:"minor_failure"`
	Processes       types.List     `tfsdk:"processes"`
}

// applicationProcessModel is one element of processes.
type applicationProcessModel struct {
	Name        types.String `tfsdk:"name"`
	Namespec    types.String `tfsdk:"namespec"`
	Statename   types.String `tfsdk:"statename"`
	Identifiers types.List   `tfsdk:"identifiers"`
}

// applicationProcessType is the object type of the elements of processes.
var applicationProcessType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"name":        types.StringType,
	"namespec":    types.StringType,
	"statename":   types.StringType,
	"identifiers": types.ListType{ElemType: types.StringType},
}}

// Metadata names the resource supvisors_application.
func (r *applicationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_application"
}

// Schema describes supvisors_application.
func (r *applicationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Version: strategySchemaVersion,
		MarkdownDescription: "Keeps a **managed** Supvisors application (one declared in the Supvisors rules) running " +
			"or stopped. Supvisors decides where each process runs, following the application's rules and the " +
			"starting strategy.\n\n" +
			"Creating the resource adopts an application that is already in the desired state: nothing is " +
			"restarted. A refresh reads the application's state from the cluster, so a start or stop made outside " +
			"Terraform shows in the next plan. Destroying the resource stops the application, unless " +
			"`stop_on_destroy = false`.\n\n" +
			"Unmanaged groups (Supervisor groups that no rules file declares) cannot be started or stopped as " +
			"applications: manage their processes with `supvisors_process_group`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The application name.",
				Computed:            true,
			},
			"name": applicationNameAttribute("Name of the application: a Supervisor group declared in the Supvisors rules. " +
				"Checked against the cluster at plan time. Changing it replaces the resource."),
			"state": schema.StringAttribute{
				MarkdownDescription: "Desired state: `running` (the default) or `stopped`. A refresh maps the " +
					"application's RUNNING and STARTING states to `running`, STOPPED and STOPPING to `stopped`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(reconcile.StateRunning),
				Validators: []validator.String{stringvalidator.OneOf(reconcile.StateRunning, reconcile.StateStopped)},
			},
			"strategy": strategyAttribute("or restarts the application"),
			"restart_triggers": restartTriggersAttribute("Arbitrary values; when any of them changes while the application is running, " +
				"the provider restarts it in place (`restart_application`) instead of replacing the resource. " +
				"Typically `{ conf = filesha256(\"app.conf\") }`. Not read back from the cluster. The first " +
				"value set (on create, after an import, or when the attribute is added later) is only recorded, " +
				"and removing the attribute restarts nothing: only a change between two non-empty maps restarts."),
			"stop_on_destroy": stopOnDestroyAttribute("Stop the application when the resource is destroyed (the default). With `false`, " +
				"destroying the resource only removes it from the Terraform state and leaves the application as it is."),
			"statename": schema.StringAttribute{
				MarkdownDescription: "State of the application as Supvisors reports it: `STOPPED`, `STARTING`, " +
					"`RUNNING` or `STOPPING`.",
				Computed: true,
			},
			"managed": schema.BoolAttribute{
				MarkdownDescription: "Whether the application is declared in the Supvisors rules (always true for an " +
					"application this resource can manage).",
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"major_failure": schema.BoolAttribute{
				MarkdownDescription: "Whether a required process of the application has failed.",
				Computed:            true,
			},
			"minor_failure": schema.BoolAttribute{
				MarkdownDescription: "Whether an optional process of the application has failed.",
				Computed:            true,
			},
			"processes": schema.ListNestedAttribute{
				MarkdownDescription: "The processes of the application, sorted by name.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{
							MarkdownDescription: "Process name.",
							Computed:            true,
						},
						"namespec": schema.StringAttribute{
							MarkdownDescription: "Namespec `application:process`.",
							Computed:            true,
						},
						"statename": schema.StringAttribute{
							MarkdownDescription: "Process state (`RUNNING`, `STOPPED`, `FATAL`, ...).",
							Computed:            true,
						},
						"identifiers": schema.ListAttribute{
							MarkdownDescription: "Instances (`host:port`) where the process runs; more than one " +
								"means a conflict.",
							Computed:    true,
							ElementType: types.StringType,
						},
					},
				},
			},
		},
		Blocks: actingTimeoutsBlocks(ctx),
	}
}

// UpgradeState upgrades states written before strategy lost its default (see strategyStateUpgraders).
func (r *applicationResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	return strategyUpgradersOf(ctx, r)
}

// ValidateConfig warns about settings that have no effect.
func (r *applicationResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m applicationResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateTimeouts(m.Timeouts, &resp.Diagnostics)
	if m.State.ValueString() == reconcile.StateStopped && !m.RestartTriggers.IsNull() && !m.RestartTriggers.IsUnknown() &&
		len(m.RestartTriggers.Elements()) > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("restart_triggers"), "restart_triggers has no effect",
			"The application is meant to be stopped, so a change of restart_triggers restarts nothing.")
	}
}

// ModifyPlan checks at plan time that the application exists and is managed (through the shared snapshot,
// without side effects), and plans the computed attributes so that a plan without a cluster change is empty
// and one with a change says what will be known.
func (r *applicationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	ctx = r.data.logContext(ctx)
	var plan applicationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var prior *applicationResourceModel
	if !req.State.Raw.IsNull() {
		prior = &applicationResourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	creating := prior == nil || !prior.Name.Equal(plan.Name)
	if creating && !plan.Name.IsUnknown() && !r.checkNameAtPlan(ctx, plan.Name.ValueString(), &resp.Diagnostics) {
		return
	}
	if r.data != nil {
		checkStrategyAtPlan(ctx, r.data.client, plan.Strategy, &resp.Diagnostics) // after the snapshot: no extra request
		if resp.Diagnostics.HasError() {
			return
		}
	}
	var action reconcile.Action // what an update does on the cluster
	if !creating {
		action = plannedAction(*prior, plan)
	}
	plan.planComputed(prior, creating, action)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// checkNameAtPlan checks through the shared snapshot that the cluster knows and manages application name; it
// reports false after an error at the name attribute. Without a configured provider it checks nothing.
func (r *applicationResource) checkNameAtPlan(ctx context.Context, name string, diags *diag.Diagnostics) bool {
	if r.data == nil || r.data.client == nil {
		return true
	}
	snap, err := r.data.client.Snapshot(ctx)
	if err != nil {
		diags.AddAttributeError(path.Root("name"), fmt.Sprintf("Could not check application %q against the cluster", name),
			clientErrorDetailFor(err, true))
		return false
	}
	if summary, detail := applicationProblem(snap, name); summary != "" {
		diags.AddAttributeError(path.Root("name"), summary, detail)
		return false
	}
	return true
}

// planComputed plans the computed attributes from the prior state (nil, or creating, for a new application) and
// the action of an update (plannedAction): what the refresh read when nothing changes on the cluster, the
// statename an apply leads to otherwise, unknown when the desired values are not known yet.
func (m *applicationResourceModel) planComputed(prior *applicationResourceModel, creating bool, action reconcile.Action) {
	m.ID = m.Name
	if creating {
		m.Managed = types.BoolValue(true)
		m.Statename = plannedStatename(m.State)
		return
	}
	switch action {
	case reconcile.None:
		// Nothing changes on the cluster: what the refresh read stays true.
		m.Statename = prior.Statename
		m.MajorFailure = prior.MajorFailure
		m.MinorFailure = prior.MinorFailure
		m.Processes = prior.Processes
	case reconcile.Unknown:
		// Desired values not known yet: everything computed is unknown.
	default:
		m.Statename = plannedStatename(m.State)
	}
}

// plannedAction compares the refreshed state with the plan (the decision is reconcile.PlanApplication's).
func plannedAction(prior, plan applicationResourceModel) reconcile.Action {
	return reconcile.PlanApplication(reconcile.ApplicationChange{
		Have:            prior.State.ValueString(),
		Want:            plan.State.ValueString(),
		WantUnknown:     plan.State.IsUnknown(),
		TriggersUnknown: plan.RestartTriggers.IsUnknown() && len(prior.RestartTriggers.Elements()) > 0,
		TriggersChanged: triggersRestart(prior.RestartTriggers, plan.RestartTriggers),
	})
}

// plannedStatename is the statename the application has after a successful apply of desired.
func plannedStatename(desired types.String) types.String {
	switch {
	case desired.IsUnknown() || desired.IsNull():
		return types.StringUnknown()
	case desired.ValueString() == reconcile.StateStopped:
		return types.StringValue(string(supvisors.ApplicationStopped))
	default:
		return types.StringValue(string(supvisors.ApplicationRunning))
	}
}

// Create starts (or stops) the application unless it is already in the desired state, and waits until it settles.
func (r *applicationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan applicationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, c, cancel := r.begin(ctx, &resp.Diagnostics, plan.Timeouts.Create, applicationDefaultTimeout)
	defer cancel()
	if c == nil {
		return
	}

	name := plan.Name.ValueString()
	resp.Diagnostics.Append(setApplicationIdentity(ctx, resp.Identity, name)...)
	ctx = tflog.SetField(ctx, "application", name)
	action := reconcile.CreateAction(plan.State.ValueString())
	plan.ID = plan.Name
	rc := r.reconciler(c)
	if app, ok := rc.SettledApplication(ctx, name, action); ok {
		// Adopted as it is: no command and no wait (creating N adopted applications costs one shared read).
		tflog.Debug(ctx, "application already settled in the desired state; adopted without a command")
		resp.Diagnostics.Append(plan.store(ctx, &resp.State, app)...)
		return
	}
	app, err := rc.ApplyApplication(ctx, name, action, plan.Strategy.ValueString())
	if err != nil {
		r.addActionError(ctx, c, &resp.Diagnostics, action, name, err)
		// When the application was found but did not settle as wanted, keep it in the state (Terraform taints
		// it) so that the next apply retries from a known situation.
		var settle *supvisors.SettleError
		if errors.As(err, &settle) && app.Info.ApplicationName != "" {
			resp.Diagnostics.Append(plan.store(ctx, &resp.State, app)...)
		}
		return
	}
	resp.Diagnostics.Append(plan.store(ctx, &resp.State, app)...)
}

// Read refreshes the application from the shared cluster snapshot (one round trip for all resources of a plan),
// once the cluster is in a state whose answer is final (see supvisors.Client.SettledSnapshot).
func (r *applicationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state applicationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setApplicationIdentity(ctx, resp.Identity, state.identityName())...)
	if r.data == nil || r.data.client == nil {
		tflog.Debug(ctx, "provider not configured yet; application state not refreshed")
		return
	}
	ctx = r.data.logContext(ctx)
	name := state.Name.ValueString()
	if name == "" { // imported: only the id is set
		name = state.ID.ValueString()
		state.Name = types.StringValue(name)
	}
	// A transient cluster state (synchronising, electing, distributing, restarting) is waited out: its answer
	// may show as stopped what Supvisors is about to start, which a plan would report as drift.
	snap, err := r.data.client.SettledSnapshot(ctx)
	if err != nil {
		resp.Diagnostics.Append(clientReadErrorDiagnostic(fmt.Sprintf("Could not read application %q", name), err))
		return
	}
	info, ok := snap.Application(name)
	if !ok || info.Statename == supvisors.ApplicationDeleted {
		resp.Diagnostics.AddWarning("Application no longer exists",
			fmt.Sprintf("Supvisors no longer knows application %q (it was removed from the Supervisor "+
				"configuration). It is removed from the Terraform state; the next apply creates it again if it is "+
				"still configured and exists by then.", name))
		resp.State.RemoveResource(ctx)
		return
	}
	if !info.Managed {
		resp.Diagnostics.AddWarning("Application is no longer managed",
			fmt.Sprintf("Application %q is no longer declared in the Supvisors rules, so it cannot be started "+
				"or stopped as an application any more. Declare it in the rules again, or manage its processes "+
				"with supvisors_process_group and remove this resource (terraform state rm).", name))
	}
	state.ID = types.StringValue(name)
	resp.Diagnostics.Append(state.setFromCluster(ctx, reconcile.Application{Info: info, Processes: snap.ProcessesOf(name)})...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update starts, stops or restarts the application as the plan requires. A change of strategy, stop_on_destroy
// or timeouts alone does nothing on the cluster.
func (r *applicationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior applicationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setApplicationIdentity(ctx, resp.Identity, plan.Name.ValueString())...)
	action := plannedAction(prior, plan)
	if action == reconcile.None {
		// The plan carries the refreshed computed values (see ModifyPlan).
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	ctx, c, cancel := r.begin(ctx, &resp.Diagnostics, plan.Timeouts.Update, applicationDefaultTimeout)
	defer cancel()
	if c == nil {
		return
	}

	name := plan.Name.ValueString()
	ctx = tflog.SetField(ctx, "application", name)
	app, err := r.reconciler(c).ApplyApplication(ctx, name, action, plan.Strategy.ValueString())
	if err != nil {
		r.addActionError(ctx, c, &resp.Diagnostics, action, name, err)
		// Keep the prior arguments (so that the next plan asks for the same change again) with what the
		// cluster shows now, when it was seen.
		if app.Info.ApplicationName != "" {
			resp.Diagnostics.Append(prior.setFromCluster(ctx, app)...)
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &prior)...)
		return
	}
	resp.Diagnostics.Append(plan.store(ctx, &resp.State, app)...)
}

// Delete stops the application (unless stop_on_destroy is false) and waits until it is stopped.
func (r *applicationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state applicationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	if !state.StopOnDestroy.IsNull() && !state.StopOnDestroy.ValueBool() {
		tflog.Info(ctx, "stop_on_destroy is false: application left as it is", map[string]any{"application": name})
		return
	}
	ctx, c, cancel := r.begin(ctx, &resp.Diagnostics, state.Timeouts.Delete, applicationDefaultTimeout)
	defer cancel()
	if c == nil {
		return
	}
	ctx = tflog.SetField(ctx, "application", name)

	_, err := r.reconciler(c).ApplyApplication(ctx, name, reconcile.Stop, "")
	switch {
	case err == nil:
	case supvisors.IsFault(err, supvisors.FaultBadName):
		resp.Diagnostics.AddWarning("Application already gone",
			fmt.Sprintf("Supvisors no longer knows application %q; there was nothing to stop.", name))
	case supvisors.IsFault(err, supvisors.FaultNotManaged):
		resp.Diagnostics.AddWarning("Application not stopped",
			fmt.Sprintf("Application %q is no longer managed by Supvisors, so it cannot be stopped as an "+
				"application; it was left as it is and removed from the Terraform state.", name))
	default:
		r.addActionError(ctx, c, &resp.Diagnostics, reconcile.Stop, name, err)
	}
}

// ImportState imports an application by name, after checking that the cluster knows it and manages it.
func (r *applicationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name, ok := applicationImportName(ctx, req, &resp.Diagnostics) // the import ID or the identity (resource_identity.go)
	if !ok {
		return
	}
	c := r.client(&resp.Diagnostics)
	if c == nil {
		return
	}
	ctx = r.data.logContext(ctx)
	snap, err := c.Snapshot(ctx)
	if err != nil {
		resp.Diagnostics.Append(clientReadErrorDiagnostic(fmt.Sprintf("Could not import application %q", name), err))
		return
	}
	if summary, detail := applicationProblem(snap, name); summary != "" {
		resp.Diagnostics.AddError(summary, detail)
		return
	}
	// The arguments that cannot be read from the cluster get their defaults (strategy stays unset: the
	// rules' strategy); Read fills in the rest.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("stop_on_destroy"), true)...)
}

// reconciler returns the reconcile layer over c (reconcilerOf); the restart_application action uses it too.
func (r *applicationResource) reconciler(c *supvisors.Client) reconcile.Reconciler {
	return reconcilerOf(c)
}

// tfDebug is tflog.Debug as a reconcile.Logf.
func tfDebug(ctx context.Context, msg string, fields map[string]any) { tflog.Debug(ctx, msg, fields) }

// addActionError adds the diagnostic of a failed start, stop or restart. Unknown and unmanaged applications are
// explained with the list of the managed ones.
func (r *applicationResource) addActionError(ctx context.Context, c *supvisors.Client, diags *diag.Diagnostics, action reconcile.Action, name string, err error) {
	summary := fmt.Sprintf("Could not %s application %q", action.String(), name)
	if supvisors.IsFault(err, supvisors.FaultBadName) || supvisors.IsFault(err, supvisors.FaultNotManaged) {
		c.InvalidateSnapshot()
		if snap, serr := c.Snapshot(ctx); serr == nil {
			if s, detail := applicationProblem(snap, name); s != "" {
				diags.AddAttributeError(path.Root("name"), summary, detail)
				return
			}
		}
	}
	detail := clientErrorDetail(err)
	var cmd *reconcile.CommandError
	if errors.As(err, &cmd) {
		detail += "\n\nServer answer to the command: " + cmd.Cause.Error()
	}
	diags.AddError(summary, detail)
}

// applicationProblem returns a diagnostic summary and detail when name is not a managed application of the
// snapshot, or two empty strings when it is.
func applicationProblem(snap *supvisors.Snapshot, name string) (summary, detail string) {
	if info, ok := snap.Application(name); ok && info.Managed && info.Statename != supvisors.ApplicationDeleted {
		return "", "" // the usual case: no lists to build (a plan creating 1000 resources calls this 1000 times)
	}
	managed := snap.ManagedApplicationNames()
	var unmanaged []string
	for _, n := range snap.ApplicationNames() {
		if info, ok := snap.Application(n); ok && !info.Managed {
			unmanaged = append(unmanaged, n)
		}
	}
	sort.Strings(unmanaged)
	info, ok := snap.Application(name)
	switch {
	case !ok || info.Statename == supvisors.ApplicationDeleted:
		detail = fmt.Sprintf("Supvisors knows no application named %q. Managed applications: %s.", name, quotedList(managed))
		if len(unmanaged) > 0 {
			detail += fmt.Sprintf(" Unmanaged groups (for supvisors_process_group): %s.", quotedList(unmanaged))
		}
		return "Unknown Supvisors application", detail
	case !info.Managed:
		return "Unmanaged Supvisors application", fmt.Sprintf("%q is an unmanaged group: no Supvisors rules file "+
			"declares it, so Supvisors does not start or stop it as an application (it answers NOT_MANAGED). "+
			"Manage its processes with the supvisors_process_group resource (application = %q), or declare the "+
			"application in the Supvisors rules. Managed applications: %s.", name, name, quotedList(managed))
	}
	return "", ""
}

// store fills m from what the cluster reports (setFromCluster) and stores it in state.
func (m *applicationResourceModel) store(ctx context.Context, state *tfsdk.State, app reconcile.Application) diag.Diagnostics {
	diags := m.setFromCluster(ctx, app)
	diags.Append(state.Set(ctx, m)...)
	return diags
}

// setFromCluster fills the state and the computed attributes from what the cluster reports.
func (m *applicationResourceModel) setFromCluster(ctx context.Context, app reconcile.Application) diag.Diagnostics {
	var diags diag.Diagnostics
	info, procs := app.Info, app.Processes
	switch info.Statename {
	case supvisors.ApplicationRunning, supvisors.ApplicationStarting:
		m.State = types.StringValue(reconcile.StateRunning)
	case supvisors.ApplicationStopped, supvisors.ApplicationStopping:
		m.State = types.StringValue(reconcile.StateStopped)
	default:
		tflog.Warn(ctx, "unexpected application state; desired state left as it was", map[string]any{"statename": string(info.Statename)})
	}
	m.Statename = types.StringValue(string(info.Statename))
	m.Managed = types.BoolValue(info.Managed)
	m.MajorFailure = types.BoolValue(info.MajorFailure)
	m.MinorFailure = types.BoolValue(info.MinorFailure)

	list, d := applicationProcessesValue(ctx, procs)
	diags.Append(d...)
	m.Processes = list
	if m.StopOnDestroy.IsNull() || m.StopOnDestroy.IsUnknown() {
		m.StopOnDestroy = types.BoolValue(true)
	}
	return diags
}

// joinWords renders a, b, c as "a, b or c".
func joinWords(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	out := words[0]
	for _, w := range words[1 : len(words)-1] {
		out += ", " + w
	}
	return out + " or " + words[len(words)-1]
}

// applicationProcessesValue builds the processes attribute, sorted by name.
func applicationProcessesValue(ctx context.Context, procs []supvisors.ProcessInfo) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	sorted := append([]supvisors.ProcessInfo(nil), procs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ProcessName < sorted[j].ProcessName })
	elems := make([]applicationProcessModel, 0, len(sorted))
	for _, p := range sorted {
		ids := append([]string{}, p.Identifiers...)
		sort.Strings(ids)
		idList, d := types.ListValueFrom(ctx, types.StringType, ids)
		diags.Append(d...)
		elems = append(elems, applicationProcessModel{
			Name:        types.StringValue(p.ProcessName),
			Namespec:    types.StringValue(p.Namespec()),
			Statename:   types.StringValue(string(p.Statename)),
			Identifiers: idList,
		})
	}
	list, d := types.ListValueFrom(ctx, applicationProcessType, elems)
	diags.Append(d...)
	return list, diags
}
