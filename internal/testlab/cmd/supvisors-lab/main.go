// Command supvisors-lab starts, inspects and stops a local Supvisors lab cluster (internal/testlab) that
// outlives the command, for the demo and for manual exploration:
//
//	go run ./internal/testlab/cmd/supvisors-lab up --dir .lab [--bench-apps N] [--instances 3]
//	go run ./internal/testlab/cmd/supvisors-lab status --dir .lab
//	go run ./internal/testlab/cmd/supvisors-lab down --dir .lab
//	go run ./internal/testlab/cmd/supvisors-lab venv [--release 0.18.7]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

func usage() {
	fmt.Fprintf(os.Stderr, `usage: supvisors-lab <command> [flags]

commands:
  up      start a detached lab cluster and print its URLs and credentials
  status  print the cluster state and what runs where
  down    stop the lab cluster and every program it runs
  venv    create the cached Python venv with the pinned Supvisors when missing; print its interpreter

flags:
  --dir DIR          lab directory (default .lab)
  --bench-apps N     (up) extra generated applications bench_000 ..
  --instances N      (up) number of supervisord instances (default 3)
  --timeout D        (up) start timeout (default 3m, venv install excluded)
  --release V        (up, venv) Supvisors release (default %s; the lab runs %v)
`, testlab.DefaultRelease, testlab.Releases())
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	fs.Usage = usage
	dir := fs.String("dir", ".lab", "lab directory")
	bench := fs.Int("bench-apps", 0, "generated bench applications")
	instances := fs.Int("instances", 3, "number of instances")
	timeout := fs.Duration("timeout", 3*time.Minute, "start timeout")
	release := fs.String("release", testlab.DefaultRelease, "Supvisors release")
	_ = fs.Parse(os.Args[2:])

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd {
	case "up":
		err = up(ctx, *dir, *instances, *bench, *timeout, *release)
	case "status":
		err = status(ctx, *dir)
	case "down":
		err = down(*dir)
	case "venv":
		var python string
		python, err = testlab.EnsureReleaseVenv(ctx, *release, func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) })
		if err == nil {
			fmt.Println(python)
		}
	case "-h", "--help", "help":
		usage()
		return
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "supvisors-lab %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

func up(ctx context.Context, dir string, instances, bench int, timeout time.Duration, release string) error {
	if c, err := testlab.Attach(dir); err == nil && c.Running() {
		// idempotent: `make demo` twice reuses the running lab
		if c.Size() != instances || c.BenchApps() < bench {
			return fmt.Errorf("a lab with %d instances and %d bench apps already runs in %s: stop it first (down --dir %s)",
				c.Size(), c.BenchApps(), c.Dir(), dir)
		}
		fmt.Printf("Supvisors lab already running in %s\n", c.Dir())
		printLab(c, dir)
		return nil
	}
	c, err := testlab.Start(ctx, testlab.Options{
		Dir: dir, Instances: instances, BenchApps: bench, Detach: true, StartTimeout: timeout, Release: release,
	})
	if err != nil {
		return err
	}
	fmt.Printf("Supvisors lab up in %s (%d instances, Supvisors %s)\n", c.Dir(), c.Size(), c.Release())
	printLab(c, dir)
	return nil
}

func printLab(c *testlab.Cluster, dir string) {
	for i := 0; i < c.Size(); i++ {
		fmt.Printf("  %-6s %-22s %s   %s\n", c.Nick(i), c.Identifier(i), c.URL(i), c.SocketURL(i))
	}
	fmt.Printf("credentials: username=%s password=%s\n", c.Username(), c.Password())
	fmt.Printf("web UI:      %s (same credentials)\n", c.URL(0))
	fmt.Printf("Terraform:   export SUPVISORS_URL=%s SUPVISORS_USERNAME=%s SUPVISORS_PASSWORD=%s\n",
		c.URL(0), c.Username(), c.Password())
	fmt.Printf("status:      go run ./internal/testlab/cmd/supvisors-lab status --dir %s\n", dir)
	fmt.Printf("stop:        go run ./internal/testlab/cmd/supvisors-lab down --dir %s   (or make demo-down)\n", dir)
}

func status(ctx context.Context, dir string) error {
	c, err := testlab.Attach(dir)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return c.WriteStatus(ctx, os.Stdout)
}

func down(dir string) error {
	c, err := testlab.Attach(dir)
	if err != nil {
		return err
	}
	if err := c.Stop(); err != nil {
		return err
	}
	fmt.Printf("Supvisors lab in %s stopped\n", c.Dir())
	return nil
}
