package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// plainProcessModel is processInfoModel with the attributes that only Supvisors knows as nullable values.
type plainProcessModel struct {
	ApplicationName string        `tfsdk:"application_name"`
	ProcessName     string        `tfsdk:"process_name"`
	Namespec        string        `tfsdk:"namespec"`
	Statecode       int64         `tfsdk:"statecode"`
	Statename       string        `tfsdk:"statename"`
	ExpectedExit    bool          `tfsdk:"expected_exit"`
	LastEventMtime  types.Float64 `tfsdk:"last_event_mtime"`
	Identifiers     []string      `tfsdk:"identifiers"`
	ExtraArgs       types.String  `tfsdk:"extra_args"`
}

type plainProcessesModel struct {
	Namespec     types.String        `tfsdk:"namespec"`
	Processes    []plainProcessModel `tfsdk:"processes"`
	ClusterState types.String        `tfsdk:"cluster_state"` // null: a plain supervisord has no Supvisors state
}

// readPlain is the Read of supvisors_processes on a plain supervisord: Supervisor's processes (one
// multicall), with expected_exit from the program's exitcodes and identifiers = [host:port of the URL] while
// a process runs; last_event_mtime (Supvisors' monotonic clock) and extra_args are null.
func (d *processesDataSource) readPlain(ctx context.Context, c *supvisors.Client, namespec types.String, resp *datasource.ReadResponse) {
	snap, err := c.PlainSnapshot(ctx)
	if err != nil {
		dsReadError(&resp.Diagnostics, "the Supervisor processes", err)
		return
	}
	procs := snap.Processes
	if !namespec.IsNull() {
		ns := namespec.ValueString()
		group, name := supvisors.SplitNamespec(ns)
		procs = nil
		for _, p := range snap.ProcessesOf(group) {
			if name == "" || p.ProcessName == name {
				procs = append(procs, p)
			}
		}
		if len(procs) == 0 {
			var all []string
			for _, p := range snap.Processes {
				all = append(all, p.Namespec())
			}
			sort.Strings(all)
			resp.Diagnostics.AddAttributeError(path.Root("namespec"), "Unknown namespec",
				fmt.Sprintf("supervisord at %s has no process matching %q. Its processes: %s (\"<group>:*\" for every "+
					"process of a group).", c.Endpoint(), ns, strings.Join(all, ", ")))
			return
		}
	}
	m := plainProcessesModel{Namespec: namespec, Processes: []plainProcessModel{}}
	for _, p := range processInfoModels(procs) {
		m.Processes = append(m.Processes, plainProcessModel{
			ApplicationName: p.ApplicationName, ProcessName: p.ProcessName, Namespec: p.Namespec,
			Statecode: p.Statecode, Statename: p.Statename, ExpectedExit: p.ExpectedExit,
			LastEventMtime: types.Float64Null(), Identifiers: p.Identifiers, ExtraArgs: types.StringNull(),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
