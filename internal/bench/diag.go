package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

// settleWatcher polls the watched applications (one multicall of get_application_info, cheap whatever the size of
// the cluster) on its own client and records when each was first seen RUNNING.
type settleWatcher struct {
	mu      sync.Mutex
	running map[string]time.Time
	polls   int
	watched map[string]bool
	cancel  context.CancelFunc
	done    chan struct{}
}

func watchSettle(ctx context.Context, c *supvisors.Client, names []string, every time.Duration) *settleWatcher {
	ctx, cancel := context.WithCancel(ctx)
	watched := map[string]bool{}
	for _, n := range names {
		watched[n] = true
	}
	w := &settleWatcher{running: map[string]time.Time{}, watched: watched, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			apps, err := watchedInfo(ctx, c, names)
			seen := time.Now()
			if err == nil {
				w.mu.Lock()
				w.polls++
				for _, a := range apps {
					if watched[a.ApplicationName] && a.Statename == supvisors.ApplicationRunning {
						if _, ok := w.running[a.ApplicationName]; !ok {
							w.running[a.ApplicationName] = seen
						}
					}
				}
				w.mu.Unlock()
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// stop ends the polling, then reads once more: the last application may have settled after the last
// complete poll (the provider can notice before the watcher does); such an application gets the time of that
// final read, an upper bound.
func (w *settleWatcher) stop(ctx context.Context, c *supvisors.Client) map[string]time.Time {
	w.cancel()
	<-w.done
	names := make([]string, 0, len(w.watched))
	for n := range w.watched {
		names = append(names, n)
	}
	apps, err := watchedInfo(ctx, c, names)
	seen := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil {
		for _, a := range apps {
			if _, ok := w.running[a.ApplicationName]; !ok && w.watched[a.ApplicationName] && a.Statename == supvisors.ApplicationRunning {
				w.running[a.ApplicationName] = seen
			}
		}
	}
	return w.running
}

// watchedInfo reads the given applications in one multicall.
func watchedInfo(ctx context.Context, c *supvisors.Client, names []string) ([]supvisors.ApplicationInfo, error) {
	calls := make([]supvisors.MulticallCall, len(names))
	for i, n := range names {
		calls[i] = supvisors.MulticallCall{Method: "supvisors.get_application_info", Params: []any{n}}
	}
	results, err := c.System().Multicall(ctx, calls)
	if err != nil {
		return nil, err
	}
	out := make([]supvisors.ApplicationInfo, 0, len(results))
	for _, r := range results {
		if r.Err != nil {
			continue
		}
		m, ok := r.Value.(map[string]any)
		if !ok {
			continue
		}
		name, _ := m["application_name"].(string)
		state, _ := m["statename"].(string)
		out = append(out, supvisors.ApplicationInfo{ApplicationName: name, Statename: supvisors.ApplicationState(state)})
	}
	return out, nil
}

// diagnostic holds what diagnose found out.
type diagnostic struct {
	watchEvery      time.Duration
	startToSettle   []time.Duration // provider's start_application request -> seen RUNNING
	directToSettle  []time.Duration // direct program's start_application sent -> seen RUNNING
	providerLag     []time.Duration // seen RUNNING -> answer of the provider's last request naming the app
	directLag       []time.Duration // seen RUNNING -> return of the direct wait=true call
	applyAfterLast  time.Duration   // end of terraform apply - last application seen RUNNING
	directAfterLast time.Duration   // end of the direct program - last application seen RUNNING
	applyWall       time.Duration
	directWall      time.Duration
	applyRPCs       []string
	unattributed    int // applications whose provider requests did not name them after the start
}

// diagnose runs one more apply and one more direct start while a watcher records the real settle times,
// and compares them with when the provider (proxy log) and the direct program noticed.
func diagnose(ctx context.Context, o options, rep *report, lab *testlab.Cluster, direct *supvisors.Client,
	proxy *countingProxy, ws *workspace, tfArgs []string, names []string) error {
	d := &diagnostic{watchEvery: 50 * time.Millisecond}
	wc := labClient(lab, 0) // the watcher's client, for both runs
	if err := d.diagnoseApply(ctx, o, wc, direct, proxy, ws, tfArgs, names); err != nil {
		return err
	}
	if err := d.diagnoseDirect(ctx, o, lab, wc, direct, names); err != nil {
		return err
	}
	rep.diag = d
	logf("diagnostic: provider lag median %s (max %s), direct lag median %s; apply ended %s after the last settle, direct %s",
		secs(median(d.providerLag)), secs(maxDur(d.providerLag)), secs(median(d.directLag)),
		secs(d.applyAfterLast), secs(d.directAfterLast))
	return nil
}

// diagnoseApply stops names, runs one terraform apply starting them while the watcher runs on wc, and records in d
// for every application the time from the provider's start_application to its settle and from its settle to
// the answer of the provider's last request naming it (proxy log).
func (d *diagnostic) diagnoseApply(ctx context.Context, o options, wc, direct *supvisors.Client,
	proxy *countingProxy, ws *workspace, tfArgs []string, names []string) error {
	var (
		before int64
		res    tfResult
	)
	settled, end, err := d.watchedRun(ctx, o, wc, direct, names, func() (err error) {
		before = proxy.Count()
		res, err = ws.run(ctx, []int{0}, append([]string{"apply", "-auto-approve"}, tfArgs...)...)
		return err
	})
	if err != nil {
		return err
	}
	d.applyWall = res.Wall
	recs := proxy.Since(before)
	d.applyRPCs = summarizeRPCs(recs)
	last, err := eachSettled(settled, names, "the apply", func(n string, s time.Time) {
		startAt, noticed := providerNoticed(recs, n)
		if !startAt.IsZero() {
			d.startToSettle = append(d.startToSettle, s.Sub(startAt))
		}
		if noticed.IsZero() {
			d.unattributed++
			return
		}
		d.providerLag = append(d.providerLag, noticed.Sub(s))
		if o.keep {
			logf("diagnostic %s: start sent %s, RUNNING %s, provider noticed %s", n,
				startAt.Format("15:04:05.000"), s.Format("15:04:05.000"), noticed.Format("15:04:05.000"))
		}
	})
	if err != nil {
		return err
	}
	d.applyAfterLast = end.Sub(last)
	return nil
}

// providerNoticed returns, from the proxy records of an apply, when the provider sent the first
// start_application naming application n and when the answer of its last request naming n after that came
// (zero times when there was none).
func providerNoticed(recs []rpcRecord, n string) (startAt, noticed time.Time) {
	for _, r := range recs {
		if !slices.Contains(r.Apps, n) {
			continue
		}
		if startAt.IsZero() && strings.Contains(r.String(), "start_application") {
			startAt = r.At
			continue
		}
		if !startAt.IsZero() {
			noticed = r.At.Add(r.Took)
		}
	}
	return startAt, noticed
}

// diagnoseDirect stops names, starts them with the direct program while the watcher runs on wc, and records in d
// for every application the time from its start_application to its settle and from its settle to the return
// of its wait=true call.
func (d *diagnostic) diagnoseDirect(ctx context.Context, o options, lab *testlab.Cluster, wc, direct *supvisors.Client,
	names []string) error {
	var (
		wall  time.Duration
		times map[string][2]time.Time
	)
	settled, end, err := d.watchedRun(ctx, o, wc, direct, names, func() (err error) {
		wall, times, err = startDirect(ctx, labClient(lab, 0), names, o.parallelism)
		return err
	})
	if err != nil {
		return err
	}
	d.directWall = wall
	last, err := eachSettled(settled, names, "the direct start", func(n string, s time.Time) {
		d.directLag = append(d.directLag, times[n][1].Sub(s))
		d.directToSettle = append(d.directToSettle, s.Sub(times[n][0]))
	})
	if err != nil {
		return err
	}
	d.directAfterLast = end.Sub(last)
	return nil
}

// watchedRun stops names (through direct), lets the cluster calm down, then runs start while a watcher polls
// wc for the moments the applications become RUNNING; it returns those moments and when start returned.
func (d *diagnostic) watchedRun(ctx context.Context, o options, wc, direct *supvisors.Client, names []string,
	start func() error) (settled map[string]time.Time, end time.Time, err error) {
	if err := stopApps(ctx, direct, names, o.parallelism); err != nil {
		return nil, time.Time{}, err
	}
	quiet()
	w := watchSettle(ctx, wc, names, d.watchEvery)
	err = start()
	end = time.Now()
	settled = w.stop(ctx, wc)
	return settled, end, err
}

// eachSettled calls f, in order, with every name and the moment the watcher saw it RUNNING, and returns the
// last of those moments; it stops with an error naming what ran (during) at the first name never seen RUNNING.
func eachSettled(settled map[string]time.Time, names []string, during string, f func(n string, s time.Time)) (time.Time, error) {
	var last time.Time
	for _, n := range names {
		s, ok := settled[n]
		if !ok {
			return last, fmt.Errorf("the watcher never saw %s RUNNING during %s", n, during)
		}
		last = later(last, s)
		f(n, s)
	}
	return last, nil
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
