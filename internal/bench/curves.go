package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// planPoint is the plan curve at one size N.
type planPoint struct {
	N          int
	createWall time.Duration // apply adopting the resources added since the previous size
	createReqs int64
	wall       []time.Duration // terraform plan, refresh included
	reqs       []int64
	rpcs       []string        // of the last measured plan
	noRefresh  time.Duration   // terraform plan -refresh=false: no request, terraform and the provider's plan only
	serverTook []time.Duration // the snapshot request as the proxy saw it (Supvisors + transfer)
	respBytes  int64           // size of the snapshot answer
	fetch      time.Duration   // the same snapshot fetched and decoded by the client in the bench process
}

// applyPoint is the apply curve at one number K of started applications.
type applyPoint struct {
	K          int
	wall       []time.Duration // terraform apply starting K stopped applications
	reqs       []int64
	rpcs       []string // of the last measured apply
	phases     []applyPhases
	noop       []time.Duration // terraform plan of the same configuration with nothing to change
	direct     []time.Duration // the direct program
	directReqs []int64
}

// planCurve adopts the first N of names (state = stopped) for every N of the curve and measures plans over them.
func (b *bench) planCurve(ctx context.Context, rep *report, names []string) error {
	ws := &workspace{env: b.env, dir: filepath.Join(b.tmp, "plan")}
	if err := os.MkdirAll(ws.dir, 0o755); err != nil {
		return err
	}
	if err := checkState(ctx, b.direct, names, supvisors.ApplicationStopped); err != nil {
		return err
	}
	for _, n := range b.o.planNs {
		pt := &planPoint{N: n}
		if err := ws.write(applicationsConfig(b.provider, names[:n], "stopped")); err != nil {
			return err
		}
		before := b.proxy.Count()
		res, err := ws.run(ctx, []int{0}, append([]string{"apply", "-auto-approve"}, b.tfArgs...)...)
		if err != nil {
			return err
		}
		pt.createWall, pt.createReqs = res.Wall, b.proxy.Count()-before
		logf("N=%d: adopted the new resources in %s with %d HTTP requests", n, secs(res.Wall), pt.createReqs)
		for i := 0; i <= b.o.runs; i++ { // run 0 warms the caches and is not counted
			before := b.proxy.Count()
			res, err := ws.run(ctx, []int{0, 2}, append([]string{"plan", "-detailed-exitcode"}, b.tfArgs...)...)
			if err != nil {
				return err
			}
			reqs := b.proxy.Count() - before
			if res.ExitCode == 2 {
				rep.notes = append(rep.notes, fmt.Sprintf("the plan over %d adopted applications proposed changes:\n%s", n, tail(res.Output, 2000)))
			}
			logf("N=%d plan %d/%d: %s, %d HTTP requests", n, i, b.o.runs, secs(res.Wall), reqs)
			if i == 0 {
				continue
			}
			pt.wall = append(pt.wall, res.Wall)
			pt.reqs = append(pt.reqs, reqs)
			recs := b.proxy.Since(before)
			pt.rpcs = summarizeRPCs(recs)
			for _, r := range recs {
				pt.serverTook = append(pt.serverTook, r.Took)
				pt.respBytes = r.Bytes
			}
		}
		res, err = ws.run(ctx, []int{0, 2}, append([]string{"plan", "-refresh=false"}, b.tfArgs...)...)
		if err != nil {
			return err
		}
		pt.noRefresh = res.Wall
		// The same snapshot in this process: request, transfer and decoding by the client.
		c := labClient(b.lab, 0)
		if _, err := c.Snapshot(ctx); err != nil { // warm-up: connection
			return err
		}
		c.InvalidateSnapshot()
		t0 := time.Now()
		if _, err := c.Snapshot(ctx); err != nil {
			return err
		}
		pt.fetch = time.Since(t0)
		logf("N=%d: plan -refresh=false %s; snapshot fetched and decoded by the client in %s", n, secs(pt.noRefresh), secs(pt.fetch))
		rep.plans = append(rep.plans, pt)
		if b.o.profile && n == b.o.planNs[len(b.o.planNs)-1] {
			if err := b.profileRun(ctx, rep, ws, fmt.Sprintf("plan-%d", n), "plan"); err != nil {
				rep.notes = append(rep.notes, "profile failed: "+err.Error())
			}
		}
	}
	return nil
}

// applyCurve measures, for every K, terraform apply starting the first K of names against the direct program.
func (b *bench) applyCurve(ctx context.Context, rep *report, names []string) error {
	for ki, k := range b.o.startKs {
		pt := &applyPoint{K: k}
		start := names[:k]
		ws := &workspace{env: b.env, dir: filepath.Join(b.tmp, fmt.Sprintf("apply-%d", k))}
		if err := os.MkdirAll(ws.dir, 0o755); err != nil {
			return err
		}
		if err := stopApps(ctx, b.direct, start, b.o.parallelism); err != nil {
			return err
		}
		if err := ws.write(applicationsConfig(b.provider, start, "stopped")); err != nil {
			return err
		}
		if _, err := ws.run(ctx, []int{0}, append([]string{"apply", "-auto-approve"}, b.tfArgs...)...); err != nil {
			return err
		}
		if err := ws.write(applicationsConfig(b.provider, start, "running")); err != nil {
			return err
		}
		for i := 0; i < b.o.runs; i++ {
			// The applications are stopped out of band: the apply's refresh sees them stopped and starts them.
			if err := stopApps(ctx, b.direct, start, b.o.parallelism); err != nil {
				return err
			}
			quiet()
			before := b.proxy.Count()
			began := time.Now()
			res, err := ws.run(ctx, []int{0}, append([]string{"apply", "-auto-approve"}, b.tfArgs...)...)
			if err != nil {
				return err
			}
			recs := b.proxy.Since(before)
			pt.phases = append(pt.phases, phasesOf(began, began.Add(res.Wall), recs))
			if err := checkState(ctx, b.direct, start, supvisors.ApplicationRunning); err != nil {
				return fmt.Errorf("after terraform apply: %w", err)
			}
			pt.wall = append(pt.wall, res.Wall)
			pt.reqs = append(pt.reqs, int64(len(recs)))
			pt.rpcs = summarizeRPCs(recs)
			logf("K=%d apply %d/%d: %s, %d HTTP requests", k, i+1, b.o.runs, secs(res.Wall), len(recs))

			quiet()
			res, err = ws.run(ctx, []int{0, 2}, append([]string{"plan", "-detailed-exitcode"}, b.tfArgs...)...)
			if err != nil {
				return err
			}
			if res.ExitCode == 2 {
				return fmt.Errorf("the plan right after the apply of %d starts is not empty:\n%s", k, tail(res.Output, 3000))
			}
			pt.noop = append(pt.noop, res.Wall)
			logf("K=%d no-op plan %d/%d: %s", k, i+1, b.o.runs, secs(res.Wall))

			if err := stopApps(ctx, b.direct, start, b.o.parallelism); err != nil {
				return err
			}
			quiet()
			before = b.proxy.Count()
			d, _, err := startDirect(ctx, labClient(b.lab, 0, b.viaProxy), start, b.o.parallelism)
			if err != nil {
				return err
			}
			pt.direct = append(pt.direct, d)
			pt.directReqs = append(pt.directReqs, b.proxy.Count()-before)
			logf("K=%d direct program %d/%d: %s", k, i+1, b.o.runs, secs(d))
		}
		rep.applies = append(rep.applies, pt)
		// Diagnostic (not in the medians) at the second size: how long after each application really settled did
		// the provider and the direct program notice it?
		if b.o.diag && ki == min(1, len(b.o.startKs)-1) {
			if err := diagnose(ctx, b.o, rep, b.lab, b.direct, b.proxy, ws, b.tfArgs, start); err != nil {
				rep.notes = append(rep.notes, "diagnostic failed: "+err.Error())
			}
		}
		if b.o.profile && ki == len(b.o.startKs)-1 {
			err := stopApps(ctx, b.direct, start, b.o.parallelism)
			if err == nil {
				quiet()
				err = b.profileRun(ctx, rep, ws, fmt.Sprintf("apply-%d", k), "apply", "-auto-approve")
			}
			if err != nil {
				rep.notes = append(rep.notes, "profile failed: "+err.Error())
			}
		}
		if err := stopApps(ctx, b.direct, start, b.o.parallelism); err != nil {
			logf("stop after K=%d: %v", k, err)
		}
	}
	return nil
}

func (b *bench) viaProxy(c *supvisors.Config) { c.URL = b.proxy.URL() }

// profileRun runs one more, unmeasured terraform command with the provider's CPU profile
// (TF_SUPVISORS_CPUPROFILE: one file per provider process) and notes where the files are.
func (b *bench) profileRun(ctx context.Context, rep *report, ws *workspace, name string, args ...string) error {
	dir := filepath.Join(b.tmp, "profiles")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	prefix := filepath.Join(dir, name+".pprof")
	pws := *ws
	pws.extraEnv = []string{"TF_SUPVISORS_CPUPROFILE=" + prefix}
	res, err := pws.run(ctx, []int{0}, append(args, b.tfArgs...)...)
	if err != nil {
		return err
	}
	files, _ := filepath.Glob(prefix + ".*")
	rep.notes = append(rep.notes, fmt.Sprintf("provider CPU profiles of one more `terraform %s` (%s, %s): %s (read with `go tool pprof -top FILE`)",
		args[0], name, secs(res.Wall), strings.Join(files, ", ")))
	return nil
}
