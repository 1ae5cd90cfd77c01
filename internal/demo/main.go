// Command demo runs the provider's demo on a local Supvisors cluster (`make demo` / `make demo-down`):
//
//	go run ./internal/demo up     start (or reuse) a detached 3-instance lab cluster in .lab/, build the
//	                              provider into .lab/bin, apply examples/demo with it, print what runs where
//	go run ./internal/demo down   stop the lab cluster and remove .lab/
//
// Nothing is installed here: the lab (internal/testlab) creates its cached Python venv with the pinned
// Supvisors when missing, and Terraform (or OpenTofu) must be on PATH. The provider binary is used through a
// dev_overrides CLI configuration (.lab/terraformrc), so no registry and no `terraform init` is involved.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

func usage() {
	fmt.Fprint(os.Stderr, `usage: go run ./internal/demo <up|down> [--dir .lab]

  up    start (or reuse) the local lab cluster, build the provider, apply examples/demo,
        print what runs where
  down  stop the lab cluster and remove the lab directory (Terraform state of the demo included)
`)
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	fs.Usage = usage
	dir := fs.String("dir", ".lab", "lab directory, relative to the repository root")
	_ = fs.Parse(os.Args[2:])

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	root, err := repoRoot()
	if err != nil {
		fatal(cmd, err)
	}
	labDir := *dir
	if !filepath.IsAbs(labDir) {
		labDir = filepath.Join(root, labDir)
	}
	switch cmd {
	case "up":
		err = up(ctx, root, labDir, os.Stdout)
	case "down":
		err = down(labDir, os.Stdout)
	case "-h", "--help", "help":
		usage()
		return
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fatal(cmd, err)
	}
}

func fatal(cmd string, err error) {
	fmt.Fprintf(os.Stderr, "demo %s: %v\n", cmd, err)
	os.Exit(1)
}

// demoPaths are the files of the demo inside the lab directory.
type demoPaths struct {
	lab    string // the lab cluster (lab.json, etc/, var/)
	bin    string // provider binary for dev_overrides
	rc     string // CLI configuration with dev_overrides
	work   string // Terraform working directory: copy of examples/demo + its state
	config string // examples/demo in the repository
}

func pathsFor(root, labDir string) demoPaths {
	return demoPaths{
		lab:    labDir,
		bin:    filepath.Join(labDir, "bin"),
		rc:     filepath.Join(labDir, "terraformrc"),
		work:   filepath.Join(labDir, "demo"),
		config: filepath.Join(root, "examples", "demo"),
	}
}

func up(ctx context.Context, root, labDir string, out io.Writer) error {
	p := pathsFor(root, labDir)
	cli, err := findTerraformCLI()
	if err != nil {
		return err
	}

	fmt.Fprintf(out, "==> Supvisors lab cluster in %s\n", rel(root, p.lab))
	lab, err := startOrReuseLab(ctx, p.lab, out)
	if err != nil {
		return err
	}

	fmt.Fprintf(out, "==> Building the provider into %s\n", rel(root, p.bin))
	if _, err := buildProvider(ctx, root, p.bin, out); err != nil {
		return err
	}
	if err := writeTerraformRC(p.rc, p.bin); err != nil {
		return err
	}

	// The demo configuration is copied so that its state lives in the lab directory and goes away with it.
	if err := copyTFFiles(p.config, p.work); err != nil {
		return err
	}
	tf := newTerraformRunner(cli, p.work, p.rc, lab.URL(0), lab.Username(), lab.Password(), out)
	fmt.Fprintf(out, "==> %s apply -auto-approve (examples/demo, working directory %s)\n", filepath.Base(cli), rel(root, p.work))
	if _, err := tf.run(ctx, "apply", "-auto-approve", "-input=false", "-compact-warnings"); err != nil {
		return fmt.Errorf("%w\n(the lab cluster keeps running: fix the problem and run 'make demo' again, or stop it with 'make demo-down')", err)
	}

	fmt.Fprintln(out, "\n==> What runs where (supvisors.get_all_process_info)")
	if err := printWhere(ctx, lab, out); err != nil {
		return err
	}

	fmt.Fprintf(out, `
The demo is up. To run Terraform against it yourself:

  export TF_CLI_CONFIG_FILE=%s
  export SUPVISORS_URL=%s SUPVISORS_USERNAME=%s SUPVISORS_PASSWORD=%s
  %s -chdir=%s plan

Edit examples/demo and run 'make demo' again to apply the changes.
Web UI of Supvisors: %s (same credentials).
Stop everything:     make demo-down
`, p.rc, lab.URL(0), lab.Username(), lab.Password(), filepath.Base(cli), rel(root, p.work), lab.URL(0))
	return nil
}

// startOrReuseLab returns the detached lab of dir when it runs and is in OPERATION; otherwise it stops what
// is left of it and starts a new one.
func startOrReuseLab(ctx context.Context, dir string, out io.Writer) (*testlab.Cluster, error) {
	logf := func(format string, args ...any) { fmt.Fprintf(out, "    "+format+"\n", args...) }
	if old, err := testlab.Attach(dir); err == nil && old.Running() {
		state, err := labState(ctx, old, 20*time.Second)
		if err == nil && state == supvisors.StateOperation {
			fmt.Fprintf(out, "    reusing the running lab (%d instances, OPERATION)\n", old.Size())
			return old, nil
		}
		fmt.Fprintf(out, "    the lab in %s runs but is not usable (%s): restarting it\n", dir, describe(state, err))
		if err := old.Stop(); err != nil {
			return nil, fmt.Errorf("stop the broken lab: %w (try: make demo-down)", err)
		}
	}
	fmt.Fprintf(out, "    starting 3 supervisord instances with Supvisors %s (about 40 s; the first run also creates the Python venv)\n",
		testlab.SupvisorsVersion)
	return testlab.Start(ctx, testlab.Options{Dir: dir, Detach: true, Logf: logf, StartTimeout: 3 * time.Minute})
}

func describe(state supvisors.SupvisorsStateName, err error) string {
	if err != nil {
		return err.Error()
	}
	return "state " + string(state)
}

// labClient returns a client of instance 0 of the lab.
func labClient(lab *testlab.Cluster) (*supvisors.Client, error) {
	return supvisors.New(supvisors.Config{
		URL:          lab.URL(0),
		Username:     lab.Username(),
		Password:     lab.Password(),
		ReadyTimeout: 30 * time.Second,
	})
}

// labState waits up to timeout for the lab to reach OPERATION and returns the last state seen.
func labState(ctx context.Context, lab *testlab.Cluster, timeout time.Duration) (supvisors.SupvisorsStateName, error) {
	c, err := labClient(lab)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	st, err := c.WaitReady(ctx, supvisors.StateOperation)
	return st.FSMStatename, err
}

// printWhere prints one line per process: application, process, state and the nicknames of the instances it
// runs on.
func printWhere(ctx context.Context, lab *testlab.Cluster, out io.Writer) error {
	c, err := labClient(lab)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	instances, err := c.GetAllInstancesInfo(ctx)
	if err != nil {
		return fmt.Errorf("read the instances: %w", err)
	}
	nick := make(map[string]string, len(instances))
	for _, in := range instances {
		nick[in.Identifier] = in.NickIdentifier
	}
	procs, err := c.GetAllProcessInfo(ctx)
	if err != nil {
		return fmt.Errorf("read the processes: %w", err)
	}
	sort.Slice(procs, func(i, j int) bool {
		if procs[i].ApplicationName != procs[j].ApplicationName {
			return procs[i].ApplicationName < procs[j].ApplicationName
		}
		return procs[i].ProcessName < procs[j].ProcessName
	})
	return writeWhere(out, procs, nick)
}

// writeWhere prints procs as a table, their instances by nickname (nick maps identifiers to nicknames). The
// lab has many applications that nobody started: their processes (stopped, on no instance) are not listed,
// but their applications are, in one line below the table.
func writeWhere(out io.Writer, procs []supvisors.ProcessInfo, nick map[string]string) error {
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "APPLICATION\tPROCESS\tSTATE\tINSTANCE")
	stopped := map[string]bool{}
	for _, p := range procs {
		if p.Statename == supvisors.ProcessStopped && len(p.Identifiers) == 0 {
			stopped[p.ApplicationName] = true
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ApplicationName, p.ProcessName, p.Statename, whereNicks(p.Identifiers, nick))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(stopped) > 0 {
		names := make([]string, 0, len(stopped))
		for a := range stopped {
			names = append(names, a)
		}
		sort.Strings(names)
		fmt.Fprintf(out, "(stopped processes not shown, in: %s)\n", strings.Join(names, ", "))
	}
	return nil
}

// whereNicks returns the instances ids, comma-separated, each by its nickname when nick knows it, "-" for
// none.
func whereNicks(ids []string, nick map[string]string) string {
	where := make([]string, 0, len(ids))
	for _, id := range ids {
		if n := nick[id]; n != "" {
			where = append(where, n)
		} else {
			where = append(where, id)
		}
	}
	if w := strings.Join(where, ","); w != "" {
		return w
	}
	return "-"
}

// down stops the lab of labDir when one runs, then removes labDir (the lab files, the provider build and the
// demo's Terraform state). Destroying through Terraform first would only stop programs that the cluster
// shutdown stops anyway.
func down(labDir string, out io.Writer) error {
	if !fileExists(labDir) {
		fmt.Fprintf(out, "nothing to stop: %s does not exist\n", labDir)
		return nil
	}
	lab, err := testlab.Attach(labDir)
	switch {
	case err == nil:
		if err := lab.Stop(); err != nil {
			return fmt.Errorf("stop the lab: %w", err)
		}
		fmt.Fprintf(out, "Supvisors lab in %s stopped\n", labDir)
	case errors.Is(err, os.ErrNotExist):
		// no lab.json: nothing runs (or it was already stopped)
	default:
		return err
	}
	if err := os.RemoveAll(labDir); err != nil {
		return fmt.Errorf("remove %s: %w", labDir, err)
	}
	fmt.Fprintf(out, "removed %s\n", labDir)
	return nil
}

// rel returns path relative to root when it is inside it (for shorter messages).
func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}
