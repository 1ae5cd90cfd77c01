package testlab

import (
	"context"
	"fmt"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// RunningPids returns, for each process of namespec that is RUNNING, "pid@identifier" as the supervisord where it
// runs reports it (get_inner_process_info), keyed by namespec. Tests compare two of them to tell whether a
// process was restarted (a new pid) and where it runs.
func RunningPids(ctx context.Context, c *supvisors.Client, namespec string) (map[string]string, error) {
	procs, err := c.GetProcessInfo(ctx, namespec)
	if err != nil {
		return nil, fmt.Errorf("get_process_info(%s): %w", namespec, err)
	}
	out := map[string]string{}
	for _, p := range procs {
		if p.Statename != supvisors.ProcessRunning {
			continue
		}
		for _, id := range p.Identifiers {
			infos, err := c.GetInnerProcessInfo(ctx, id, p.Namespec())
			if err != nil {
				return nil, fmt.Errorf("get_inner_process_info(%s, %s): %w", id, p.Namespec(), err)
			}
			for _, in := range infos {
				if in.Pid > 0 {
					out[p.Namespec()] = fmt.Sprintf("%d@%s", in.Pid, id)
				}
			}
		}
	}
	return out, nil
}
