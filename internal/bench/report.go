package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// maxPlanRequests is the target for a plan over the planned configuration.
const maxPlanRequests = 3

// applyFactor: apply_wall <= noop_plan_wall + applyFactor x direct_wall.
const applyFactor = 1.1

// report collects every measurement of one bench run.
type report struct {
	opts    options
	machine *machineLine

	createWall time.Duration
	createReqs int64
	createRPCs []string

	planWall []time.Duration
	planReqs []int64
	planRPCs []string // of the last measured plan

	applyWall     []time.Duration
	applyReqs     []int64
	applyRPCs     []string // of the last measured apply
	applyPhases   []applyPhases
	noopWall      []time.Duration
	noopApplyWall []time.Duration
	directWall    []time.Duration

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

func (r *report) planPass() bool { return maxInt(r.planReqs) <= maxPlanRequests }

func (r *report) applyBudget() time.Duration {
	return median(r.noopWall) + time.Duration(applyFactor*float64(median(r.directWall)))
}

func (r *report) applyPass() bool { return median(r.applyWall) <= r.applyBudget() }

func (r *report) pass() bool { return r.planPass() && r.applyPass() }

func passFail(ok bool) string {
	if ok {
		return "**PASS**"
	}
	return "**FAIL**"
}

// markdown renders the report: the table, the two targets, the machine line, then details.
func (r *report) markdown() string {
	o := r.opts
	var b strings.Builder
	fmt.Fprintf(&b, "| measurement (median of %d runs) | median | runs |\n|---|---:|---|\n", o.runs)
	row := func(what, med, runs string) { fmt.Fprintf(&b, "| %s | %s | %s |\n", what, med, runs) }
	row(fmt.Sprintf("`terraform plan` over %d `supvisors_application` (refresh, nothing to change): HTTP requests to Supvisors", o.planApps),
		fmt.Sprint(medianInt(r.planReqs)), joinInts(r.planReqs))
	row(fmt.Sprintf("`terraform plan` over %d `supvisors_application`: wall time", o.planApps),
		secs(median(r.planWall)), joinDurations(r.planWall))
	row(fmt.Sprintf("`terraform plan` of the %d started applications, nothing to change (terraform's fixed cost)", o.startApps),
		secs(median(r.noopWall)), joinDurations(r.noopWall))
	row(fmt.Sprintf("`terraform apply` of the %d started applications, nothing to change (for the record)", o.startApps),
		secs(median(r.noopApplyWall)), joinDurations(r.noopApplyWall))
	row(fmt.Sprintf("`terraform apply -parallelism=%d`: start %d stopped applications", o.parallelism, o.startApps),
		secs(median(r.applyWall)), joinDurations(r.applyWall))
	row(fmt.Sprintf("direct Go program: %d × `start_application(CONFIG, name, wait=true)`, %d concurrent", o.startApps, o.parallelism),
		secs(median(r.directWall)), joinDurations(r.directWall))
	row("apply − no-op plan (what the provider adds on top of terraform's fixed cost)",
		secs(median(r.applyWall)-median(r.noopWall)), "")
	row(fmt.Sprintf("`terraform apply`: HTTP requests to Supvisors (%d starts and their waits)", o.startApps),
		fmt.Sprint(medianInt(r.applyReqs)), joinInts(r.applyReqs))
	rate := 0.0
	if r.rateWall > 0 {
		rate = float64(r.rateCalls) / r.rateWall.Seconds()
	}
	row("client alone: `get_application_info` calls per second, one client, sequential",
		fmt.Sprintf("%.0f calls/s", rate),
		fmt.Sprintf("%d calls in %s, %d HTTP requests, %d TCP connection(s)", r.rateCalls, secs(r.rateWall), r.rateReqs, r.rateConns))

	if len(r.applyPhases) > 0 {
		var pre, mid, post []time.Duration
		for _, p := range r.applyPhases {
			pre, mid, post = append(pre, p.BeforeFirstStart), append(mid, p.Starting), append(post, p.AfterLastAnswer)
		}
		row("`terraform apply` split: before the first start_application / starts and waits / after the last answer",
			secs(median(pre))+" / "+secs(median(mid))+" / "+secs(median(post)),
			joinDurations(pre)+" / "+joinDurations(mid)+" / "+joinDurations(post))
	}
	b.WriteString("\nTargets:\n\n")
	fmt.Fprintf(&b, "- plan over %d applications sends at most %d HTTP requests: %d (max of the runs) — %s\n",
		o.planApps, maxPlanRequests, maxInt(r.planReqs), passFail(r.planPass()))
	fmt.Fprintf(&b, "- apply_wall ≤ noop_plan_wall + %.1f × direct_wall: %s ≤ %s + %.1f × %s = %s — %s\n",
		applyFactor, secs(median(r.applyWall)), secs(median(r.noopWall)), applyFactor, secs(median(r.directWall)),
		secs(r.applyBudget()), passFail(r.applyPass()))

	b.WriteString("\n" + r.machine.String() + "\n")

	b.WriteString("\nWhat the provider sent (from the counting proxy in front of one instance):\n\n")
	fmt.Fprintf(&b, "- creating the %d resources (adoption, state = stopped) in %s: %d requests: %s\n",
		o.planApps, secs(r.createWall), r.createReqs, strings.Join(r.createRPCs, "; "))
	fmt.Fprintf(&b, "- one plan over %d resources: %s\n", o.planApps, strings.Join(r.planRPCs, "; "))
	fmt.Fprintf(&b, "- one apply starting %d applications: %s\n", o.startApps, strings.Join(r.applyRPCs, "; "))

	if d := r.diag; d != nil {
		fmt.Fprintf(&b, "\nSettle diagnostic (one extra apply and one extra direct start, not in the medians; a watcher polled "+
			"`get_all_applications_info` every %s to see when each application became RUNNING):\n\n", d.watchEvery)
		fmt.Fprintf(&b, "- start_application request → application RUNNING: provider median %s (max %s), direct program median %s (max %s)\n",
			secs(median(d.startToSettle)), secs(maxDur(d.startToSettle)), secs(median(d.directToSettle)), secs(maxDur(d.directToSettle)))
		fmt.Fprintf(&b, "- provider noticed (answer of its last request naming the application) after RUNNING: median %s, max %s",
			secs(median(d.providerLag)), secs(maxDur(d.providerLag)))
		if d.unattributed > 0 {
			fmt.Fprintf(&b, " (%d applications not attributable: no request named them after the start)", d.unattributed)
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "- direct program (server-side wait) returned after RUNNING: median %s, max %s\n",
			secs(median(d.directLag)), secs(maxDur(d.directLag)))
		fmt.Fprintf(&b, "- end of `terraform apply` after the last application became RUNNING: %s (apply %s); end of the direct program: %s (direct %s)\n",
			secs(d.applyAfterLast), secs(d.applyWall), secs(d.directAfterLast), secs(d.directWall))
	}
	for _, n := range r.notes {
		b.WriteString("\nNote: " + n + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func maxDur(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return slices.Max(ds)
}
