package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// cpuModel reads the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// loadAvg returns the 1-minute load average from /proc/loadavg, or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// machineLine describes where the figures were produced.
type machineLine struct {
	Date               time.Time
	CPU                string
	Cores              int
	OS                 string
	Go                 string
	Terraform          string
	Supvisors          string
	Supervisor         string
	Instances          int
	Apps               int
	ClusterStart       time.Duration // from testlab.Start to a cluster in OPERATION
	LoadStart, LoadEnd string
}

func (m machineLine) String() string {
	return fmt.Sprintf("Machine: %s, %d cores (%s); Go %s, Terraform %s, Supvisors %s (supervisor %s), %d instances on 127.0.0.1, %d bench applications (cluster up in %s); load average (1 min) %s at start, %s at end; run %s.",
		m.CPU, m.Cores, m.OS, strings.TrimPrefix(m.Go, "go"), m.Terraform, m.Supvisors, m.Supervisor, m.Instances, m.Apps,
		secs(m.ClusterStart), m.LoadStart, m.LoadEnd, m.Date.UTC().Format("2006-01-02 15:04 MST"))
}

// median of durations (the mean of the two middle values for an even count).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// medianInt of ints (lower middle for an even count: a count is reported as an observed value).
func medianInt(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]int64(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)/2]
}

func maxInt(xs []int64) int64 {
	var m int64
	for i, x := range xs {
		if i == 0 || x > m {
			m = x
		}
	}
	return m
}

func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s" }

func itoa(i int) string { return strconv.Itoa(i) }

func joinDurations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = strconv.FormatFloat(d.Seconds(), 'f', 2, 64)
	}
	return strings.Join(parts, ", ")
}

func joinInts(xs []int64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatInt(x, 10)
	}
	return strings.Join(parts, ", ")
}
