package provider

import (
	"maps"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// This file holds the nested models shared by several data sources, with their schema attributes, so that
// the same wire structure reads the same way everywhere (supvisors_application, supvisors_processes and
// supvisors_conflicts all list get_process_info structures).

// processInfoModel is one element of get_process_info / get_all_process_info / get_conflicts.
// now_monotonic is left out on purpose: it is the clock of the answering instance, not a property of the process.
type processInfoModel struct {
	processNamesModel
	Statecode      int64         `tfsdk:"statecode"`
	Statename      string        `tfsdk:"statename"`
	ExpectedExit   bool          `tfsdk:"expected_exit"`
	LastEventMtime types.Float64 `tfsdk:"last_event_mtime"` // null before Supvisors 0.19
	Identifiers    []string      `tfsdk:"identifiers"`
	ExtraArgs      types.String  `tfsdk:"extra_args"` // null on a plain supervisord
}

func newProcessInfoModel(p supvisors.ProcessInfo) processInfoModel {
	return processInfoModel{
		processNamesModel: newProcessNamesModel(p.ApplicationName, p.ProcessName),
		Statecode:         int64(p.Statecode),
		Statename:         string(p.Statename),
		ExpectedExit:      p.ExpectedExit,
		LastEventMtime:    float64If(p.Reports("last_event_mtime"), p.LastEventMtime),
		Identifiers:       sortedStrings(p.Identifiers),
		ExtraArgs:         types.StringValue(p.ExtraArgs),
	}
}

// processNamesModel names a process in the elements of the lists of processes (supvisors_processes,
// supvisors_process_rules...).
type processNamesModel struct {
	ApplicationName string `tfsdk:"application_name"`
	ProcessName     string `tfsdk:"process_name"`
	Namespec        string `tfsdk:"namespec"`
}

func newProcessNamesModel(app, name string) processNamesModel {
	return processNamesModel{ApplicationName: app, ProcessName: name, Namespec: supvisors.MakeNamespec(app, name)}
}

// processInfoModels converts and sorts by namespec, so that the order of a list does not depend on the
// order of the server's dictionaries.
func processInfoModels(in []supvisors.ProcessInfo) []processInfoModel {
	out := make([]processInfoModel, 0, len(in))
	for _, p := range in {
		out = append(out, newProcessInfoModel(p))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Namespec < out[j].Namespec })
	return out
}

func processInfoAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"application_name": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Name of the application (Supervisor group) the process belongs to.",
		},
		"process_name": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Name of the process inside its application.",
		},
		"namespec": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "`application_name:process_name`, as Supervisor and Supvisors name the process.",
		},
		"statecode": schema.Int64Attribute{
			Computed: true,
			MarkdownDescription: "Supervisor process state code (`0` STOPPED, `10` STARTING, `20` RUNNING, `30` BACKOFF, " +
				"`40` STOPPING, `100` EXITED, `200` FATAL, `1000` UNKNOWN). Prefer `statename`.",
		},
		"statename": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Process state as Supvisors synthesises it over all instances, e.g. `RUNNING`, `STOPPED`, `FATAL`.",
		},
		"expected_exit": schema.BoolAttribute{
			Computed:            true,
			MarkdownDescription: "Whether the last exit of the process was expected (its exit code is in `exitcodes`).",
		},
		"last_event_mtime": schema.Float64Attribute{
			Computed:            true,
			MarkdownDescription: "Monotonic time (seconds, clock of the instance that reported it) of the last event of the process. Reported from Supvisors 0.19; null before (older releases report a wall-clock time instead, which is not this value).",
		},
		"identifiers": schema.ListAttribute{
			Computed:    true,
			ElementType: types.StringType,
			MarkdownDescription: "Instances (`host:port`) where the process is running, sorted. More than one identifier " +
				"means a conflict.",
		},
		"extra_args": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Extra arguments the process was last started with (`start_process`/`start_args`), `\"\"` when none. Null on a plain supervisord.",
		},
	}
}

// instanceModel is one instance as get_instance_info returns it, merged with the instance's own view of the
// cluster from get_instance_state_modes (the "address info" of the old API).
type instanceModel struct {
	Identifier            string        `tfsdk:"identifier"`
	NickIdentifier        string        `tfsdk:"nick_identifier"`
	NodeName              types.String  `tfsdk:"node_name"` // null on 0.11
	Port                  types.Int64   `tfsdk:"port"`      // null before 0.12
	Statecode             int64         `tfsdk:"statecode"`
	Statename             string        `tfsdk:"statename"`
	Loading               int64         `tfsdk:"loading"`
	ProcessFailure        types.Bool    `tfsdk:"process_failure"` // null before 0.18 (and the three below)
	RemoteSequenceCounter int64         `tfsdk:"remote_sequence_counter"`
	RemoteMtime           types.Float64 `tfsdk:"remote_mtime"`
	RemoteTime            int64         `tfsdk:"remote_time"`
	LocalSequenceCounter  types.Int64   `tfsdk:"local_sequence_counter"`
	LocalMtime            types.Float64 `tfsdk:"local_mtime"`
	LocalTime             int64         `tfsdk:"local_time"`

	StateModes *instanceStateModesModel `tfsdk:"state_modes"`
}

// instanceStateModesModel is one element of get_instance_state_modes / get_all_instances_state_modes: what
// that instance believes about the cluster. starting_jobs/stopping_jobs are booleans there.
type instanceStateModesModel struct {
	FSMStatecode     int64             `tfsdk:"fsm_statecode"`
	FSMStatename     string            `tfsdk:"fsm_statename"`
	DegradedMode     bool              `tfsdk:"degraded_mode"`
	DiscoveryMode    bool              `tfsdk:"discovery_mode"`
	MasterIdentifier *string           `tfsdk:"master_identifier"`
	StartingJobs     bool              `tfsdk:"starting_jobs"`
	StoppingJobs     bool              `tfsdk:"stopping_jobs"`
	InstanceStates   map[string]string `tfsdk:"instance_states"`
}

func newInstanceModel(info supvisors.InstanceInfo) instanceModel {
	return instanceModel{
		Identifier:            info.Identifier,
		NickIdentifier:        info.NickIdentifier,
		NodeName:              stringIf(info.Reports("node_name"), info.NodeName),
		Port:                  int64If(info.Reports("port"), int64(info.Port)),
		Statecode:             int64(info.Statecode),
		Statename:             string(info.Statename),
		Loading:               int64(info.Loading),
		ProcessFailure:        boolIf(info.Reports("process_failure"), info.ProcessFailure),
		RemoteSequenceCounter: int64(info.RemoteSequenceCounter),
		RemoteMtime:           float64If(info.Reports("remote_mtime"), info.RemoteMtime),
		RemoteTime:            int64(info.RemoteTime),
		LocalSequenceCounter:  int64If(info.Reports("local_sequence_counter"), int64(info.LocalSequenceCounter)),
		LocalMtime:            float64If(info.Reports("local_mtime"), info.LocalMtime),
		LocalTime:             int64(info.LocalTime),
	}
}

func newInstanceStateModesModel(sm supvisors.InstanceStateModes) *instanceStateModesModel {
	m := &instanceStateModesModel{
		FSMStatecode:   int64(sm.FSMStatecode),
		FSMStatename:   string(sm.FSMStatename),
		DegradedMode:   sm.DegradedMode,
		DiscoveryMode:  sm.DiscoveryMode,
		StartingJobs:   sm.StartingJobs,
		StoppingJobs:   sm.StoppingJobs,
		InstanceStates: map[string]string{},
	}
	if sm.MasterIdentifier != "" {
		master := sm.MasterIdentifier
		m.MasterIdentifier = &master
	}
	for id, st := range sm.InstanceStates {
		m.InstanceStates[id] = string(st)
	}
	return m
}

// instanceAttributes are the attributes of an instanceModel.
func instanceAttributes() map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{
		"identifier": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Identifier of the instance, `host:port` of its Supervisor XML-RPC server.",
		},
		"nick_identifier": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Nickname of the instance (the `<nick>` of `supvisors_list`, else the Supervisor identification). Before Supvisors 0.18 the identifier is the nickname (the host name for 0.10), and both attributes hold it.",
		},
		"node_name": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Host name or address of the node the instance runs on. Reported from Supvisors 0.12; on 0.10 the address name (the host name), null on 0.11.",
		},
		"port": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "HTTP port of the instance's Supervisor XML-RPC server. Reported from Supvisors 0.12; null before.",
		},
		"statecode": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Instance state code (`0` STOPPED, `1` CHECKING, `2` CHECKED, `3` RUNNING, `4` FAILED, `5` ISOLATED). Prefer `statename`.",
		},
		"statename": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Instance state as seen by the instance answering: `STOPPED`, `CHECKING`, `CHECKED`, `RUNNING`, `FAILED` or `ISOLATED`.",
		},
		"loading": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Sum of the `expected_loading` of the processes running on the instance (percent).",
		},
		"process_failure": schema.BoolAttribute{
			Computed:            true,
			MarkdownDescription: "Whether a process of the instance is in failure (crashed or FATAL). Reported from Supvisors 0.18; null before.",
		},
		"state_modes": schema.SingleNestedAttribute{
			Computed: true,
			MarkdownDescription: "The instance's own view of the cluster (`get_instance_state_modes`). Null when the instance " +
				"has not reported one (for example while it is stopped), and before Supvisors 0.19, which does not report it.",
			Attributes: stateModesAttributes(),
		},
	}
	maps.Copy(attrs, instanceTickAttributes())
	return attrs
}

// instanceTickAttributes are the attributes of an instance's last tick: as the instance sent it (remote_*, on
// its own clock) and as the instance answering received it (local_*, on that one's clock).
func instanceTickAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"remote_sequence_counter": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Tick counter of the instance, as it last reported it (`sequence_counter` before Supvisors 0.18). Changes at every tick.",
		},
		"remote_mtime": schema.Float64Attribute{
			Computed:            true,
			MarkdownDescription: "Monotonic time of the instance's last tick, on its own clock. Changes at every tick. Reported from Supvisors 0.18; null before.",
		},
		"remote_time": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Epoch time (seconds) of the instance's last tick, on its own clock. Changes at every tick.",
		},
		"local_sequence_counter": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Tick counter of the answering instance when it received the last tick of this one. Reported from Supvisors 0.18; null before.",
		},
		"local_mtime": schema.Float64Attribute{
			Computed:            true,
			MarkdownDescription: "Monotonic time, on the answering instance's clock, at which the last tick of this one was received. Reported from Supvisors 0.18; null before.",
		},
		"local_time": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Epoch time (seconds), on the answering instance's clock, at which the last tick of this one was received.",
		},
	}
}

func stateModesAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"fsm_statecode": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Code of the Supvisors state as this instance sees it. Prefer `fsm_statename`.",
		},
		"fsm_statename": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "Supvisors state as this instance sees it: `OFF`, `SYNCHRONIZATION`, `ELECTION`, `DISTRIBUTION`, " +
				"`OPERATION`, `CONCILIATION`, `RESTARTING`, `SHUTTING_DOWN` or `FINAL`.",
		},
		"degraded_mode": schema.BoolAttribute{
			Computed:            true,
			MarkdownDescription: "Whether this instance runs without all the expected instances.",
		},
		"discovery_mode": schema.BoolAttribute{
			Computed:            true,
			MarkdownDescription: "Whether this instance discovers its peers by multicast.",
		},
		"master_identifier": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Master instance as this instance sees it (`host:port`); null before an election.",
		},
		"starting_jobs": schema.BoolAttribute{
			Computed:            true,
			MarkdownDescription: "Whether this instance has starting jobs in progress.",
		},
		"stopping_jobs": schema.BoolAttribute{
			Computed:            true,
			MarkdownDescription: "Whether this instance has stopping jobs in progress.",
		},
		"instance_states": schema.MapAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: "State name of every instance (`host:port` -> state) as this instance sees it.",
		},
	}
}

// Values of the attributes that some Supvisors release does not report: null when the answer lacked the key
// (the client's Reports), the value otherwise.

func stringIf(reported bool, v string) types.String {
	if !reported {
		return types.StringNull()
	}
	return types.StringValue(v)
}

func int64If(reported bool, v int64) types.Int64 {
	if !reported {
		return types.Int64Null()
	}
	return types.Int64Value(v)
}

func float64If(reported bool, v float64) types.Float64 {
	if !reported {
		return types.Float64Null()
	}
	return types.Float64Value(v)
}

func boolIf(reported bool, v bool) types.Bool {
	if !reported {
		return types.BoolNull()
	}
	return types.BoolValue(v)
}
