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
	st, url, err := c.firstState(ctx)
	if err != nil {
		return err
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
	return c.writeApplications(ctx, w, url, nick)
}

// firstState returns get_supvisors_state from the first instance that answers, with the URL asked.
func (c *Cluster) firstState(ctx context.Context) (st supvisorsState, url string, err error) {
	for _, in := range c.inst {
		url = in.url()
		if err = rpcCall(ctx, url, c.opts.Username, c.opts.Password, "supvisors.get_supvisors_state", &st); err == nil {
			break
		}
	}
	if err != nil {
		return st, url, fmt.Errorf("no instance of the lab in %s answers: %w", c.dir, err)
	}
	return st, url, nil
}

// writeApplications prints, as a table, every application asked of url (sorted by name, with its flags) and
// under it its processes (sorted by name) with their state and the nicknames of where they run.
func (c *Cluster) writeApplications(ctx context.Context, w io.Writer, url string, nick map[string]string) error {
	var (
		apps  []applicationInfo
		procs []processInfo
	)
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
		fmt.Fprintf(tw, "%s%s\t%s\t\t\n", a.Name, applicationFlags(a), a.Statename)
		for _, p := range byApp[a.Name] {
			extra := ""
			if p.ExtraArgs != "" {
				extra = " args=" + p.ExtraArgs
			}
			fmt.Fprintf(tw, "  %s:%s\t%s\t%s%s\t\n", p.Application, p.Process, p.Statename, where(p, nick), extra)
		}
	}
	return tw.Flush()
}

// applicationFlags returns what the status shows after an application's name: " (unmanaged)",
// " major_failure", " minor_failure", in that order when set.
func applicationFlags(a applicationInfo) string {
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
	return flags
}

// where returns the instances a process runs on, comma-separated: each identifier's nickname when it is one
// of the lab's, else the identifier.
func where(p processInfo, nick map[string]string) string {
	var ids []string
	for _, id := range p.Identifiers {
		if n, ok := nick[id]; ok {
			ids = append(ids, n)
		} else {
			ids = append(ids, id)
		}
	}
	return strings.Join(ids, ",")
}
