package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"golang.org/x/sync/errgroup"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// NewStateDataSource returns the supvisors_state data source: the Supvisors state of the cluster and the
// versions and state of the instance the provider talks to.
func NewStateDataSource() datasource.DataSource {
	return &stateDataSource{dataSourceBase{typeName: "state"}}
}

type stateDataSource struct{ dataSourceBase }

type stateDataSourceModel struct {
	Identifier           types.String      `tfsdk:"identifier"`
	NickIdentifier       types.String      `tfsdk:"nick_identifier"`
	FSMStatecode         types.Int64       `tfsdk:"fsm_statecode"`
	FSMStatename         types.String      `tfsdk:"fsm_statename"`
	DegradedMode         types.Bool        `tfsdk:"degraded_mode"`
	DiscoveryMode        types.Bool        `tfsdk:"discovery_mode"`
	MasterIdentifier     types.String      `tfsdk:"master_identifier"`
	MasterNickIdentifier types.String      `tfsdk:"master_nick_identifier"`
	StartingJobs         []string          `tfsdk:"starting_jobs"`
	StoppingJobs         []string          `tfsdk:"stopping_jobs"`
	InstanceStates       map[string]string `tfsdk:"instance_states"`

	APIVersion               types.String `tfsdk:"api_version"`
	SupervisorVersion        types.String `tfsdk:"supervisor_version"`
	SupervisorIdentification types.String `tfsdk:"supervisor_identification"`
	SupervisorStatecode      types.Int64  `tfsdk:"supervisor_statecode"`
	SupervisorStatename      types.String `tfsdk:"supervisor_statename"`
}

func (d *stateDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The state of the Supvisors cluster (`supvisors.get_supvisors_state`, `get_master_identifier`, " +
			"`get_api_version`) and the Supervisor version, identification and state of the instance the provider is " +
			"connected to (`supervisor.getSupervisorVersion`, `getIdentification`, `getState`).\n\n" +
			"It reads in every cluster state, also while the cluster is still synchronising (then `master_identifier` " +
			"is null), so it can be used to check that the cluster is in `OPERATION` before anything else.\n\n" +
			"On a plain supervisord (no Supvisors plugin) it reports what Supervisor knows: `identifier` (the " +
			"`host:port` of the provider's `url`) and the `supervisor_*` attributes; the Supvisors attributes are " +
			"null (`api_version = null` tells a plain endpoint).",
		Attributes: map[string]schema.Attribute{
			"identifier": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Identifier (`host:port`) of the instance the provider is connected to. Reported from Supvisors 0.19; null before.",
			},
			"nick_identifier": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Nickname of the instance the provider is connected to. Reported from Supvisors 0.19; null before.",
			},
			"fsm_statecode": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Code of the Supvisors state, as the release numbers it (`4` is OPERATION in Supvisors 0.19, `3` in 0.13 - 0.18, `2` before; prefer `fsm_statename`).",
			},
			"fsm_statename": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Supvisors state: `OFF`, `SYNCHRONIZATION`, `ELECTION`, `DISTRIBUTION`, `OPERATION`, " +
					"`CONCILIATION`, `RESTARTING`, `SHUTTING_DOWN` or `FINAL`. The names of older releases are given as their " +
					"0.19 names (`INITIALIZATION` as `SYNCHRONIZATION`, `DEPLOYMENT` as `DISTRIBUTION`, `RESTART` as `RESTARTING`, " +
					"`SHUTDOWN` as `FINAL`).",
			},
			"degraded_mode": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the cluster runs without all the expected instances. Reported from Supvisors 0.19; null before.",
			},
			"discovery_mode": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the instances discover each other by multicast. Reported from Supvisors 0.18; null before.",
			},
			"master_identifier": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Identifier (`host:port`) of the Master instance; null before the election.",
			},
			"master_nick_identifier": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Nickname of the Master instance (`get_master_identifier`); null before the election.",
			},
			"starting_jobs": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Identifiers of the instances that have starting jobs in progress, sorted. Reported from Supvisors 0.13; null before.",
			},
			"stopping_jobs": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Identifiers of the instances that have stopping jobs in progress, sorted. Reported from Supvisors 0.13; null before.",
			},
			"instance_states": schema.MapAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "State name of every instance, by identifier (`host:port`; the nickname for Supvisors 0.11 - 0.17, the host name for 0.10), e.g. `RUNNING`, `STOPPED`, `FAILED` (older names as their 0.19 names: `SILENT` and `UNKNOWN` as `STOPPED`).",
			},
			"api_version": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Supvisors API version (`supvisors.get_api_version`), e.g. `0.19`.",
			},
			"supervisor_version": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Supervisor version of the instance the provider is connected to (`supervisor.getSupervisorVersion`).",
			},
			"supervisor_identification": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Supervisor identification of the instance the provider is connected to (`supervisor.getIdentification`).",
			},
			"supervisor_statecode": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Supervisor daemon state code (`2` FATAL, `1` RUNNING, `0` RESTARTING, `-1` SHUTDOWN).",
			},
			"supervisor_statename": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Supervisor daemon state of the instance the provider is connected to (`supervisor.getState`), e.g. `RUNNING`.",
			},
		},
	}
}

func (d *stateDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, c := d.begin(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	if pgIsPlain(ctx, c) {
		d.readPlain(ctx, c, resp) // state_data_source_plain.go
		return
	}
	r, what, err := readState(ctx, c)
	if err != nil {
		dsReadError(&resp.Diagnostics, what, err)
		return
	}
	m := newStateDataSourceModel(r)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// stateReads is what supvisors_state reads from the instance the provider talks to.
type stateReads struct {
	state      supvisors.SupvisorsState
	apiVersion string
	master     supvisors.MasterIdentifier
	supVersion string
	ident      string
	supState   supvisors.SupervisorState
}

// readState sends the six independent calls of supvisors_state concurrently (one round trip of latency);
// every one of them answers in any cluster state. On an error, what names the read that failed first.
func readState(ctx context.Context, c *supvisors.Client) (r stateReads, what string, err error) {
	sup := c.Supervisor()
	g, gctx := errgroup.WithContext(ctx)
	var first sync.Once // the read that failed first, with its error
	read := func(name string, f func() error) {
		g.Go(func() error {
			ferr := f()
			if ferr != nil {
				first.Do(func() { what, err = name, ferr })
			}
			return ferr
		})
	}
	read("the Supvisors state", func() (err error) { r.state, err = c.GetSupvisorsState(gctx); return })
	read("the Supvisors API version", func() (err error) { r.apiVersion, err = c.GetAPIVersion(gctx); return })
	read("the Supvisors Master identifier", func() (err error) { r.master, err = c.GetMasterIdentifier(gctx); return })
	read("the Supervisor version", func() (err error) { r.supVersion, err = sup.GetSupervisorVersion(gctx); return })
	read("the Supervisor identification", func() (err error) { r.ident, err = sup.GetIdentification(gctx); return })
	read("the Supervisor state", func() (err error) { r.supState, err = sup.GetState(gctx); return })
	if g.Wait() == nil {
		return r, "", nil
	}
	return r, what, err
}

// newStateDataSourceModel maps what readState read. What the release does not report is null (older
// Supvisors releases).
func newStateDataSourceModel(r stateReads) stateDataSourceModel {
	st := r.state
	m := stateDataSourceModel{
		Identifier:               stringValueOrNull(st.Identifier),
		NickIdentifier:           stringValueOrNull(st.NickIdentifier),
		FSMStatecode:             types.Int64Value(int64(st.FSMStatecode)),
		FSMStatename:             types.StringValue(string(st.FSMStatename)),
		DegradedMode:             boolIf(st.Reports("degraded_mode"), st.DegradedMode),
		DiscoveryMode:            boolIf(st.Reports("discovery_mode"), st.DiscoveryMode),
		MasterIdentifier:         stringValueOrNull(st.MasterIdentifier),
		MasterNickIdentifier:     stringValueOrNull(r.master.NickIdentifier),
		InstanceStates:           map[string]string{},
		APIVersion:               types.StringValue(r.apiVersion),
		SupervisorVersion:        types.StringValue(r.supVersion),
		SupervisorIdentification: types.StringValue(r.ident),
		SupervisorStatecode:      types.Int64Value(int64(r.supState.Statecode)),
		SupervisorStatename:      types.StringValue(string(r.supState.Statename)),
	}
	if st.Reports("starting_jobs") {
		m.StartingJobs, m.StoppingJobs = sortedStrings(st.StartingJobs), sortedStrings(st.StoppingJobs)
	}
	for id, state := range st.InstanceStates {
		m.InstanceStates[id] = string(state)
	}
	return m
}
