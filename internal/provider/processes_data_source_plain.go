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

type plainProcessesModel struct {
	Namespec     types.String       `tfsdk:"namespec"`
	Processes    []processInfoModel `tfsdk:"processes"`
	ClusterState types.String       `tfsdk:"cluster_state"` // null: a plain supervisord has no Supvisors state
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
	m := plainProcessesModel{Namespec: namespec, Processes: processInfoModels(procs)}
	for i := range m.Processes { // Supvisors' monotonic clock and extra arguments: nothing to report
		m.Processes[i].LastEventMtime, m.Processes[i].ExtraArgs = types.Float64Null(), types.StringNull()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
