package testlab

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteStatus prints the cluster state (from the first instance that answers), the instances, the
// applications and what runs where (get_all_process_info).
func (c *Cluster) WriteStatus(ctx context.Context, w io.Writer) error {
	var (
		st      supvisorsState
		apps    []applicationInfo
		procs   []processInfo
		url     string
		lastErr error
	)
	for _, in := range c.inst {
		url = in.url()
		if lastErr = rpcCall(ctx, url, c.opts.Username, c.opts.Password, "supvisors.get_supvisors_state", &st); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		return fmt.Errorf("no instance of the lab in %s answers: %w", c.dir, lastErr)
	}
	fmt.Fprintf(w, "Supvisors lab %s: %s, master %s, degraded=%v (asked %s)\n",
		c.dir, st.FSMStatename, st.Master, st.Degraded, url)
	nick := map[string]string{}
	for _, in := range c.inst {
		nick[in.Identifier] = in.Nick
		fmt.Fprintf(w, "  %-6s %-22s %-8s %s\n", in.Nick, in.Identifier, st.InstanceStates[in.Identifier], in.url())
	}
	if st.FSMStatename != "OPERATION" && st.FSMStatename != "CONCILIATION" && st.FSMStatename != "DISTRIBUTION" {
		return nil // application and process calls answer BAD_SUPVISORS_STATE before DISTRIBUTION
	}
	if err := rpcCall(ctx, url, c.opts.Username, c.opts.Password, "supvisors.get_all_applications_info", &apps); err != nil {
		return err
	}
	if err := rpcCall(ctx, url, c.opts.Username, c.opts.Password, "supvisors.get_all_process_info", &procs); err != nil {
		return err
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i].Name < apps[j].Name })
	sort.Slice(procs, func(i, j int) bool {
		if procs[i].Application != procs[j].Application {
			return procs[i].Application < procs[j].Application
		}
		return procs[i].Process < procs[j].Process
	})
	byApp := map[string][]processInfo{}
	for _, p := range procs {
		byApp[p.Application] = append(byApp[p.Application], p)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nAPPLICATION / PROCESS\tSTATE\tWHERE\t")
	for _, a := range apps {
		flags := ""
		if !a.Managed {
			flags += " (unmanaged)"
		}
		if a.Major {
			flags += " major_failure"
		}
		if a.Minor {
			flags += " minor_failure"
		}
		fmt.Fprintf(tw, "%s%s\t%s\t\t\n", a.Name, flags, a.Statename)
		for _, p := range byApp[a.Name] {
			var where []string
			for _, id := range p.Identifiers {
				if n, ok := nick[id]; ok {
					where = append(where, n)
				} else {
					where = append(where, id)
				}
			}
			extra := ""
			if p.ExtraArgs != "" {
				extra = " args=" + p.ExtraArgs
			}
			fmt.Fprintf(tw, "  %s:%s\t%s\t%s%s\t\n", p.Application, p.Process, p.Statename, strings.Join(where, ","), extra)
		}
	}
	return tw.Flush()
}
