package supvisors

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// Snapshot is one consistent read of the cluster: the Supvisors state, every
// application and every process, fetched in ONE system.multicall. It is
// shared by concurrent readers and must not be modified.
type Snapshot struct {
	State        SupvisorsState
	Applications []ApplicationInfo
	Processes    []ProcessInfo
	Taken        time.Time // when the fetch started

	apps  map[string]int   // application name -> index in Applications
	procs map[string][]int // application name -> indexes in Processes
}

// Sharing a snapshot among reads that keep coming (see Config.SnapshotMaxAge):
// once a snapshot of a quiet cluster (OPERATION, no job in progress) has been
// served again after its fetch, it stays served while reads come no more than
// SnapshotReadGap apart (at least Config.SnapshotMaxAge), up to
// SnapshotMaxLife after it was taken. Any other snapshot lasts
// Config.SnapshotMaxAge after its fetch, so that callers waiting for the
// cluster to settle see it move.
const (
	SnapshotReadGap = 10 * time.Second
	SnapshotMaxLife = time.Minute
)

// snapshotCache is one shared snapshot of a Client: Supvisors' (Snapshot) or
// a plain supervisord's (PlainSnapshot), each in its own. Guarded by
// Client.snapMu.
type snapshotCache struct {
	snap   *Snapshot
	gen    uint64    // the snapshot generation it was fetched at (see InvalidateSnapshot)
	used   time.Time // when snap was fetched or last served
	served bool      // snap was served again after its fetch
}

// valid reports whether the snapshot may be served now (see SnapshotReadGap).
func (sc *snapshotCache) valid(maxAge time.Duration) bool {
	s := sc.snap
	if s == nil || maxAge <= 0 {
		return false
	}
	if !sc.served {
		return time.Since(sc.used) < maxAge // since the end of its fetch
	}
	return time.Since(sc.used) < max(maxAge, SnapshotReadGap) && time.Since(s.Taken) < max(maxAge, SnapshotMaxLife)
}

// drop forgets s if it is still the cached snapshot.
func (sc *snapshotCache) drop(s *Snapshot) {
	if sc.snap == s {
		sc.snap = nil
	}
}

// snapshotSource is a kind of shared snapshot: where it is kept and how it is
// fetched.
type snapshotSource struct {
	cache *snapshotCache
	key   string // prefix of its singleflight key
	fetch func(context.Context) (*Snapshot, error)
	// agedFromTaken makes a snapshot that was not served again age from the
	// start of its fetch (Snapshot.Taken) instead of its end.
	agedFromTaken bool
}

// quiet reports whether the snapshot shows a cluster that nothing is changing
// (OPERATION, no job in progress).
func (s *Snapshot) quiet() bool { return s.State.FSMStatename == StateOperation && !s.State.HasJobs() }

// Snapshot returns the shared read snapshot, fetching it when there is none,
// when it is too old (see SnapshotReadGap), or when a mutating call was made
// through this client (or a client derived from it, or its parent) since it
// was taken. So the reads of one plan of a quiet cluster share one snapshot
// however long the refresh of many resources takes. Concurrent callers share
// one fetch (singleflight). The fetch waits for a cluster state that answers
// (DISTRIBUTION and later) like any read call. Callers must not modify the
// result.
func (c *Client) Snapshot(ctx context.Context) (*Snapshot, error) {
	return c.sharedSnapshot(ctx, snapshotSource{cache: &c.snap, fetch: c.fetchSnapshot})
}

// sharedSnapshot serves the snapshot of src: the cached one while it is valid
// and of the current generation, else one fetch shared by the concurrent
// callers. A snapshot of a quiet cluster is marked served again (see
// SnapshotReadGap).
func (c *Client) sharedSnapshot(ctx context.Context, src snapshotSource) (*Snapshot, error) {
	gen := c.sh.gen.Load()
	c.snapMu.Lock()
	if sc := src.cache; sc.snap != nil && sc.gen == gen && sc.valid(c.cfg.SnapshotMaxAge) {
		s := sc.snap
		if s.quiet() {
			sc.used, sc.served = time.Now(), true
		}
		c.snapMu.Unlock()
		return s, nil
	}
	c.snapMu.Unlock()

	ch := c.sf.DoChan(src.key+strconv.FormatUint(gen, 10), func() (any, error) {
		// The fetch outlives a caller that gives up: the others still wait
		// for it. It keeps the first caller's values (loggers) and is bounded
		// by the retry budget and the request timeout.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.ReadyTimeout+c.cfg.RequestTimeout)
		defer cancel()
		s, err := src.fetch(fctx)
		if err != nil {
			return nil, err
		}
		used := time.Now()
		if src.agedFromTaken {
			used = s.Taken
		}
		c.snapMu.Lock()
		if sc := src.cache; sc.snap == nil || gen >= sc.gen {
			*sc = snapshotCache{snap: s, gen: gen, used: used}
		}
		c.snapMu.Unlock()
		return s, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*Snapshot), nil
	case <-ctx.Done():
		return nil, &TransportError{Endpoint: c.ep.display, Method: systemMulticall, Attempts: 1, Err: ctx.Err()}
	}
}

// fetchSnapshot reads the snapshot with one system.multicall.
func (c *Client) fetchSnapshot(ctx context.Context) (*Snapshot, error) {
	taken := time.Now()
	results, err := c.multicall(ctx, []MulticallCall{
		{Method: supvisorsGetSupvisorsState},
		{Method: supvisorsGetAllApplicationsInfo},
		{Method: supvisorsGetAllProcessInfo},
	}, true)
	if err != nil {
		return nil, c.explainUnknownMethod(ctx, supvisorsGetSupvisorsState, err)
	}
	methods := []string{supvisorsGetSupvisorsState, supvisorsGetAllApplicationsInfo, supvisorsGetAllProcessInfo}
	for i, r := range results {
		if r.Err != nil {
			err := error(&CallError{Method: methods[i], Endpoint: c.ep.display, Err: r.Err})
			return nil, c.explainUnknownMethod(ctx, methods[i], err)
		}
	}
	s := &Snapshot{Taken: taken}
	if s.State, err = decodeSupvisorsState(results[0].Value); err != nil {
		return nil, c.decodeError(supvisorsGetSupvisorsState, err)
	}
	if s.Applications, err = decodeList(results[1].Value, supvisorsGetAllApplicationsInfo, applicationInfoFrom); err != nil {
		return nil, c.decodeError(supvisorsGetAllApplicationsInfo, err)
	}
	if s.Processes, err = decodeList(results[2].Value, supvisorsGetAllProcessInfo, processInfoFrom); err != nil {
		return nil, c.decodeError(supvisorsGetAllProcessInfo, err)
	}
	// #12: what older releases report elsewhere (profile_fill.go)
	if err := c.completeState(ctx, &s.State); err != nil {
		return nil, err
	}
	if err := c.completeApplications(ctx, s.Applications); err != nil {
		return nil, err
	}
	s.index()
	return s, nil
}

// NewSnapshot builds a Snapshot from already decoded parts (for tests and
// callers that assemble their own).
func NewSnapshot(state SupvisorsState, apps []ApplicationInfo, procs []ProcessInfo, taken time.Time) *Snapshot {
	s := &Snapshot{State: state, Applications: apps, Processes: procs, Taken: taken}
	s.index()
	return s
}

func (s *Snapshot) index() {
	s.apps = make(map[string]int, len(s.Applications))
	for i, a := range s.Applications {
		s.apps[a.ApplicationName] = i
	}
	s.procs = make(map[string][]int, len(s.Applications))
	for i, p := range s.Processes {
		s.procs[p.ApplicationName] = append(s.procs[p.ApplicationName], i)
	}
}

// Age returns the time elapsed since the snapshot was taken.
func (s *Snapshot) Age() time.Duration { return time.Since(s.Taken) }

// Application returns the application named name.
func (s *Snapshot) Application(name string) (ApplicationInfo, bool) {
	i, ok := s.apps[name]
	if !ok {
		return ApplicationInfo{}, false
	}
	return s.Applications[i], true
}

// ApplicationNames returns the names of every application (unmanaged ones
// included), sorted.
func (s *Snapshot) ApplicationNames() []string {
	names := make([]string, 0, len(s.Applications))
	for _, a := range s.Applications {
		names = append(names, a.ApplicationName)
	}
	slices.Sort(names)
	return names
}

// ManagedApplicationNames returns the names of the managed applications,
// sorted.
func (s *Snapshot) ManagedApplicationNames() []string {
	var names []string
	for _, a := range s.Applications {
		if a.Managed {
			names = append(names, a.ApplicationName)
		}
	}
	slices.Sort(names)
	return names
}

// ProcessesOf returns the processes of application app, in server order.
func (s *Snapshot) ProcessesOf(app string) []ProcessInfo {
	idx := s.procs[app]
	out := make([]ProcessInfo, 0, len(idx))
	for _, i := range idx {
		out = append(out, s.Processes[i])
	}
	return out
}

// Match returns the processes a namespec designates: "app:*" and "app:" give
// every process of app, "app:proc" one process, and a bare "proc" means
// "proc:proc" as in Supervisor. The result is empty when nothing matches.
func (s *Snapshot) Match(namespec string) []ProcessInfo {
	group, proc := SplitNamespec(namespec)
	all := s.ProcessesOf(group)
	if proc == "" {
		return all
	}
	out := all[:0]
	for _, p := range all {
		if p.ProcessName == proc {
			out = append(out, p)
		}
	}
	return out
}
