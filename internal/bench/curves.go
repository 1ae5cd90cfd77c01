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
		if err := b.adopt(ctx, ws, pt, names[:n]); err != nil {
			return err
		}
		if err := b.measurePlans(ctx, rep, ws, pt); err != nil {
			return err
		}
		if err := b.measureNoRefresh(ctx, ws, pt); err != nil {
			return err
		}
		rep.plans = append(rep.plans, pt)
		if b.o.profile && n == b.o.planNs[len(b.o.planNs)-1] {
			if err := b.profileRun(ctx, rep, ws, fmt.Sprintf("plan-%d", n), "plan"); err != nil {
				rep.notes = append(rep.notes, "profile failed: "+err.Error())
			}
		}
	}
	return nil
}

// adopt writes the configuration of names (state = stopped) into ws and applies it, recording in pt the time
// and the HTTP requests of adopting the resources added since the previous size.
func (b *bench) adopt(ctx context.Context, ws *workspace, pt *planPoint, names []string) error {
	if err := ws.write(applicationsConfig(b.provider, names, "stopped")); err != nil {
		return err
	}
	before := b.proxy.Count()
	res, err := ws.run(ctx, []int{0}, append([]string{"apply", "-auto-approve"}, b.tfArgs...)...)
	if err != nil {
		return err
	}
	pt.createWall, pt.createReqs = res.Wall, b.proxy.Count()-before
	logf("N=%d: adopted the new resources in %s with %d HTTP requests", pt.N, secs(res.Wall), pt.createReqs)
	return nil
}

// measurePlans runs terraform plan runs+1 times over ws (the first warms the caches and is not counted) and
// records in pt each plan's time and HTTP requests, the snapshot requests as the proxy saw them and the RPCs
// of the last plan. A plan proposing changes is noted in rep.
func (b *bench) measurePlans(ctx context.Context, rep *report, ws *workspace, pt *planPoint) error {
	for i := 0; i <= b.o.runs; i++ {
		before := b.proxy.Count()
		res, err := ws.run(ctx, []int{0, 2}, append([]string{"plan", "-detailed-exitcode"}, b.tfArgs...)...)
		if err != nil {
			return err
		}
		reqs := b.proxy.Count() - before
		if res.ExitCode == 2 {
			rep.notes = append(rep.notes, fmt.Sprintf("the plan over %d adopted applications proposed changes:\n%s", pt.N, tail(res.Output, 2000)))
		}
		logf("N=%d plan %d/%d: %s, %d HTTP requests", pt.N, i, b.o.runs, secs(res.Wall), reqs)
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
	return nil
}

// measureNoRefresh records in pt the time of terraform plan -refresh=false over ws (no request) and of the
// same snapshot fetched and decoded by the client in this process (after a warm-up that opens the connection).
func (b *bench) measureNoRefresh(ctx context.Context, ws *workspace, pt *planPoint) error {
	res, err := ws.run(ctx, []int{0, 2}, append([]string{"plan", "-refresh=false"}, b.tfArgs...)...)
	if err != nil {
		return err
	}
	pt.noRefresh = res.Wall
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
	logf("N=%d: plan -refresh=false %s; snapshot fetched and decoded by the client in %s", pt.N, secs(pt.noRefresh), secs(pt.fetch))
	return nil
}

// applyCurve measures, for every K, terraform apply starting the first K of names against the direct program.
func (b *bench) applyCurve(ctx context.Context, rep *report, names []string) error {
	for ki, k := range b.o.startKs {
		pt := &applyPoint{K: k}
		start := names[:k]
		ws := &workspace{env: b.env, dir: filepath.Join(b.tmp, fmt.Sprintf("apply-%d", k))}
		if err := b.prepareApply(ctx, ws, start); err != nil {
			return err
		}
		for i := 0; i < b.o.runs; i++ {
			if err := b.measureApply(ctx, ws, pt, start, i); err != nil {
				return err
			}
			if err := b.measureNoop(ctx, ws, pt, i); err != nil {
				return err
			}
			if err := b.measureDirect(ctx, pt, start, i); err != nil {
				return err
			}
		}
		rep.applies = append(rep.applies, pt)
		b.afterApplyPoint(ctx, rep, ws, ki, start)
	}
	return nil
}

// prepareApply makes the workspace ws of one apply size: the applications start stopped, are adopted with
// state = stopped, and the configuration written for the measured applies wants them running.
func (b *bench) prepareApply(ctx context.Context, ws *workspace, start []string) error {
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
	return ws.write(applicationsConfig(b.provider, start, "running"))
}

// measureApply is run i of the apply curve's terraform apply: the applications are stopped out of band, so
// that the apply's refresh sees them stopped and starts them; it records the time, requests, RPCs and phases
// in pt and checks that every application runs afterwards.
func (b *bench) measureApply(ctx context.Context, ws *workspace, pt *applyPoint, start []string, i int) error {
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
	logf("K=%d apply %d/%d: %s, %d HTTP requests", pt.K, i+1, b.o.runs, secs(res.Wall), len(recs))
	return nil
}

// measureNoop is run i of the plan right after an apply: it must have nothing to change; its time goes to pt.
func (b *bench) measureNoop(ctx context.Context, ws *workspace, pt *applyPoint, i int) error {
	quiet()
	res, err := ws.run(ctx, []int{0, 2}, append([]string{"plan", "-detailed-exitcode"}, b.tfArgs...)...)
	if err != nil {
		return err
	}
	if res.ExitCode == 2 {
		return fmt.Errorf("the plan right after the apply of %d starts is not empty:\n%s", pt.K, tail(res.Output, 3000))
	}
	pt.noop = append(pt.noop, res.Wall)
	logf("K=%d no-op plan %d/%d: %s", pt.K, i+1, b.o.runs, secs(res.Wall))
	return nil
}

// measureDirect is run i of the direct program: it stops the applications, starts them again over XML-RPC
// through the proxy and records its time and requests in pt.
func (b *bench) measureDirect(ctx context.Context, pt *applyPoint, start []string, i int) error {
	if err := stopApps(ctx, b.direct, start, b.o.parallelism); err != nil {
		return err
	}
	quiet()
	before := b.proxy.Count()
	d, _, err := startDirect(ctx, labClient(b.lab, 0, b.viaProxy), start, b.o.parallelism)
	if err != nil {
		return err
	}
	pt.direct = append(pt.direct, d)
	pt.directReqs = append(pt.directReqs, b.proxy.Count()-before)
	logf("K=%d direct program %d/%d: %s", pt.K, i+1, b.o.runs, secs(d))
	return nil
}

// afterApplyPoint runs the unmeasured extras after apply size number ki (their failures become notes): the
// diagnostic at the second size, how long after each application really settled the provider and the direct
// program noticed it; the CPU profile at the last size; then it stops the applications again.
func (b *bench) afterApplyPoint(ctx context.Context, rep *report, ws *workspace, ki int, start []string) {
	if b.o.diag && ki == min(1, len(b.o.startKs)-1) {
		if err := diagnose(ctx, b.o, rep, b.lab, b.direct, b.proxy, ws, b.tfArgs, start); err != nil {
			rep.notes = append(rep.notes, "diagnostic failed: "+err.Error())
		}
	}
	if b.o.profile && ki == len(b.o.startKs)-1 {
		err := stopApps(ctx, b.direct, start, b.o.parallelism)
		if err == nil {
			quiet()
			err = b.profileRun(ctx, rep, ws, fmt.Sprintf("apply-%d", len(start)), "apply", "-auto-approve")
		}
		if err != nil {
			rep.notes = append(rep.notes, "profile failed: "+err.Error())
		}
	}
	if err := stopApps(ctx, b.direct, start, b.o.parallelism); err != nil {
		logf("stop after K=%d: %v", len(start), err)
	}
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
