package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Targets (issue #13): a plan sends 1 request whatever N, and its wall time grows no faster than N; an apply
// sends at most maxRequestsPerStart requests per started application, and (apply - no-op plan) <= applyFactor x
// the direct program.
const (
	maxPlanRequests     = 1
	maxRequestsPerStart = 3
	applyFactor         = 1.0
)

// report collects every measurement of one bench run.
type report struct {
	opts    options
	machine *machineLine

	plans   []*planPoint
	applies []*applyPoint

	rateCalls int64
	rateWall  time.Duration
	rateReqs  int64
	rateConns int64

	diag  *diagnostic
	notes []string
}

// applyPhases splits one terraform apply with the proxy log: before the first start_application (terraform
// starting, the refresh, the plan, the apply walk beginning), from it to the answer of the last request (the
// starts and their waits), and after that (terraform finishing: state written, provider stopped).
type applyPhases struct {
	BeforeFirstStart, Starting, AfterLastAnswer time.Duration
}

func phasesOf(began, ended time.Time, recs []rpcRecord) applyPhases {
	var first, last time.Time
	for _, r := range recs {
		if first.IsZero() && strings.Contains(r.String(), "start_application") {
			first = r.At
		}
		if end := r.At.Add(r.Took); end.After(last) {
			last = end
		}
	}
	if first.IsZero() || last.IsZero() {
		return applyPhases{}
	}
	return applyPhases{BeforeFirstStart: first.Sub(began), Starting: last.Sub(first), AfterLastAnswer: ended.Sub(last)}
}

// planReqsPass: every plan of every size sent at most maxPlanRequests requests.
func (r *report) planReqsPass() bool {
	for _, p := range r.plans {
		if maxInt(p.reqs) > maxPlanRequests {
			return false
		}
	}
	return true
}

// planGrowthPass: from the smallest size to each larger one, the plan's wall time grows by no more than the size
// does (the per-step ratios are in the table; one noisy middle step on a shared machine does not decide).
func (r *report) planGrowthPass() bool {
	for i := 1; i < len(r.plans); i++ {
		first, cur := r.plans[0], r.plans[i]
		if ratio(median(cur.wall), median(first.wall)) > float64(cur.N)/float64(first.N) {
			return false
		}
	}
	return true
}

// planGrowth renders the growth from the smallest size to each larger one.
func (r *report) planGrowth() string {
	var parts []string
	for i := 1; i < len(r.plans); i++ {
		first, cur := r.plans[0], r.plans[i]
		parts = append(parts, fmt.Sprintf("N=%d→%d: time ×%.2f for size ×%.1f", first.N, cur.N,
			ratio(median(cur.wall), median(first.wall)), float64(cur.N)/float64(first.N)))
	}
	return strings.Join(parts, ", ")
}

func (p *applyPoint) reqsPass() bool { return maxInt(p.reqs) <= int64(maxRequestsPerStart*p.K) }

// provider is what the apply costs beyond terraform's fixed cost (the no-op plan).
func (p *applyPoint) provider() time.Duration { return median(p.wall) - median(p.noop) }

func (p *applyPoint) timePass() bool {
	return float64(p.provider()) <= applyFactor*float64(median(p.direct))
}

func (r *report) pass() bool {
	ok := r.planReqsPass() && r.planGrowthPass()
	for _, p := range r.applies {
		ok = ok && p.reqsPass() && p.timePass()
	}
	return ok
}

func passFail(ok bool) string {
	if ok {
		return "**PASS**"
	}
	return "**FAIL**"
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// step renders the growth from the previous point: "×2.1 (N ×3)".
func step(i int, cur, prev time.Duration, n, prevN int) string {
	if i == 0 {
		return "–"
	}
	return fmt.Sprintf("×%.2f (size ×%.1f)", ratio(cur, prev), float64(n)/float64(prevN))
}

// markdown renders the report: the two curves, the targets, the machine line, then details.
func (r *report) markdown() string {
	var b strings.Builder
	r.writePlanCurve(&b)
	r.writeApplyCurve(&b)
	r.writeTargets(&b)
	b.WriteString("\n" + r.machine.String() + "\n")
	r.writeDetails(&b)
	if r.diag != nil {
		r.diag.writeMarkdown(&b)
	}
	for _, n := range r.notes {
		b.WriteString("\nNote: " + n + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// writePlanCurve writes the plan curve's table: one row per size N with the medians and the growth.
func (r *report) writePlanCurve(b *strings.Builder) {
	o := r.opts
	fmt.Fprintf(b, "Plan curve: `terraform plan` over N `supvisors_application` resources (adopted, nothing to change), median of %d runs.\n\n", o.runs)
	b.WriteString("| N | plan wall | step | HTTP requests | plan -refresh=false | snapshot request (Supvisors + transfer) | answer size | client fetch + decode |\n")
	b.WriteString("|---:|---:|---|---:|---:|---:|---:|---:|\n")
	for i, p := range r.plans {
		var prev *planPoint
		if i > 0 {
			prev = r.plans[i-1]
		}
		st := step(i, median(p.wall), 0, p.N, 1)
		if prev != nil {
			st = step(i, median(p.wall), median(prev.wall), p.N, prev.N)
		}
		fmt.Fprintf(b, "| %d | %s | %s | %s | %s | %s | %s | %s |\n", p.N, secs(median(p.wall)), st, joinInts(p.reqs),
			secs(p.noRefresh), secs(median(p.serverTook)), kib(p.respBytes), secs(p.fetch))
	}
}

// writeApplyCurve writes the apply curve's table: one row per K, terraform against the direct program.
func (r *report) writeApplyCurve(b *strings.Builder) {
	o := r.opts
	fmt.Fprintf(b, "\nApply curve: `terraform apply -parallelism=%d` starting K stopped applications, against a direct Go program "+
		"doing the same K `start_application(CONFIG, name, wait=true)` calls %d at a time through the same proxy; median of %d runs.\n\n",
		o.parallelism, o.parallelism, o.runs)
	b.WriteString("| K | apply | step | no-op plan | apply − no-op plan | direct | step | (apply − no-op) / direct | HTTP requests (per start) | direct requests |\n")
	b.WriteString("|---:|---:|---|---:|---:|---:|---|---:|---:|---:|\n")
	for i, p := range r.applies {
		var sa, sd string
		if i == 0 {
			sa, sd = step(0, 0, 0, 0, 0), step(0, 0, 0, 0, 0)
		} else {
			q := r.applies[i-1]
			sa, sd = step(i, median(p.wall), median(q.wall), p.K, q.K), step(i, median(p.direct), median(q.direct), p.K, q.K)
		}
		fmt.Fprintf(b, "| %d | %s | %s | %s | %s | %s | %s | %.2f | %d (%.1f) | %d |\n", p.K, secs(median(p.wall)), sa,
			secs(median(p.noop)), secs(p.provider()), secs(median(p.direct)), sd, ratio(p.provider(), median(p.direct)),
			medianInt(p.reqs), float64(medianInt(p.reqs))/float64(p.K), medianInt(p.directReqs))
	}
}

// writeTargets writes the targets with PASS or FAIL: requests and growth of the plans, requests and time of
// every apply size.
func (r *report) writeTargets(b *strings.Builder) {
	b.WriteString("\nTargets:\n\n")
	var maxReqs []string
	for _, p := range r.plans {
		maxReqs = append(maxReqs, fmt.Sprintf("N=%d: %d", p.N, maxInt(p.reqs)))
	}
	fmt.Fprintf(b, "- a plan sends %d HTTP request whatever N (max of the runs: %s) — %s\n", maxPlanRequests,
		strings.Join(maxReqs, ", "), passFail(r.planReqsPass()))
	fmt.Fprintf(b, "- plan wall time grows no faster than N (%s) — %s\n", r.planGrowth(), passFail(r.planGrowthPass()))
	for _, p := range r.applies {
		fmt.Fprintf(b, "- K=%d: at most %d requests per started application: %d ≤ %d — %s; apply − no-op plan ≤ %.1f × direct: %s ≤ %s — %s\n",
			p.K, maxRequestsPerStart, maxInt(p.reqs), maxRequestsPerStart*p.K, passFail(p.reqsPass()), applyFactor,
			secs(p.provider()), secs(time.Duration(applyFactor*float64(median(p.direct)))), passFail(p.timePass()))
	}
}

// writeDetails writes the figures behind the medians: every run of every point, the phases of the applies,
// the RPCs sent, and the client's call rate.
func (r *report) writeDetails(b *strings.Builder) {
	b.WriteString("\nDetails:\n\n")
	for _, p := range r.plans {
		fmt.Fprintf(b, "- N=%d: adopting the new resources took %s and %d requests; one plan sent %s; runs %s\n",
			p.N, secs(p.createWall), p.createReqs, strings.Join(p.rpcs, "; "), joinDurations(p.wall))
	}
	for _, p := range r.applies {
		var pre, mid, post []time.Duration
		for _, ph := range p.phases {
			pre, mid, post = append(pre, ph.BeforeFirstStart), append(mid, ph.Starting), append(post, ph.AfterLastAnswer)
		}
		fmt.Fprintf(b, "- K=%d: apply runs %s, requests %s, direct runs %s; split before the first start / starts and waits / after the last answer: %s / %s / %s; one apply sent %s\n",
			p.K, joinDurations(p.wall), joinInts(p.reqs), joinDurations(p.direct), secs(median(pre)), secs(median(mid)),
			secs(median(post)), strings.Join(shortRPCs(p.rpcs), "; "))
	}
	rate := 0.0
	if r.rateWall > 0 {
		rate = float64(r.rateCalls) / r.rateWall.Seconds()
	}
	fmt.Fprintf(b, "- client alone: %.0f `get_application_info` calls/s, one client, sequential (%d calls in %s, %d HTTP requests, %d TCP connection(s))\n",
		rate, r.rateCalls, secs(r.rateWall), r.rateReqs, r.rateConns)
}

// writeMarkdown writes the settle diagnostic: how long after each application really became RUNNING the
// provider and the direct program noticed.
func (d *diagnostic) writeMarkdown(b *strings.Builder) {
	fmt.Fprintf(b, "\nSettle diagnostic (one extra apply and one extra direct start of %d applications, not in the medians; a watcher polled "+
		"the watched applications (one multicall of `get_application_info`) every %s to see when each became RUNNING):\n\n", len(d.startToSettle), d.watchEvery)
	fmt.Fprintf(b, "- start_application request → application RUNNING: provider median %s (max %s), direct program median %s (max %s)\n",
		secs(median(d.startToSettle)), secs(maxDur(d.startToSettle)), secs(median(d.directToSettle)), secs(maxDur(d.directToSettle)))
	fmt.Fprintf(b, "- provider noticed (answer of its last request naming the application) after RUNNING: median %s, max %s",
		secs(median(d.providerLag)), secs(maxDur(d.providerLag)))
	if d.unattributed > 0 {
		fmt.Fprintf(b, " (%d applications not attributable: no request named them after the start)", d.unattributed)
	}
	b.WriteString("\n")
	fmt.Fprintf(b, "- direct program (server-side wait) returned after RUNNING: median %s, max %s\n",
		secs(median(d.directLag)), secs(maxDur(d.directLag)))
	fmt.Fprintf(b, "- end of `terraform apply` after the last application became RUNNING: %s (apply %s); end of the direct program: %s (direct %s)\n",
		secs(d.applyAfterLast), secs(d.applyWall), secs(d.directAfterLast), secs(d.directWall))
}

// shortRPCs keeps the plain calls and the short multicalls as they are and folds the many shapes of the shared
// poll's multicalls (more than 3 inner calls) into one line: "41 × system.multicall of the shared poll (905 inner
// calls: 20 × start_application, 41 × get_supvisors_state, ...)".
func shortRPCs(rpcs []string) []string {
	var out []string
	total, inner := 0, 0
	seen := map[string]int{}
	var order []string
	for _, r := range rpcs {
		count, call, ok := strings.Cut(r, " × ")
		list, isMulti := strings.CutPrefix(call, "system.multicall[")
		names := strings.Split(strings.TrimSuffix(list, "]"), ", ")
		n, err := strconv.Atoi(count)
		if !ok || !isMulti || len(names) <= 3 || err != nil {
			out = append(out, r)
			continue
		}
		total += n
		inner += n * len(names)
		for _, name := range names {
			name = strings.TrimPrefix(name, "supvisors.")
			if seen[name] == 0 {
				order = append(order, name)
			}
			seen[name] += n
		}
	}
	if total > 0 {
		parts := make([]string, len(order))
		for i, name := range order {
			parts[i] = fmt.Sprintf("%d × %s", seen[name], name)
		}
		out = append([]string{fmt.Sprintf("%d × system.multicall of the shared poll (%d inner calls: %s)", total, inner,
			strings.Join(parts, ", "))}, out...)
	}
	return out
}

func kib(n int64) string { return fmt.Sprintf("%.0f KiB", float64(n)/1024) }

func maxDur(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return slices.Max(ds)
}
