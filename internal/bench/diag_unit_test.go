package main

import (
	"strings"
	"testing"
	"time"
)

// TestProviderNoticed: the provider's start of an application is its first start_application naming it; it
// noticed the settle with the answer of its last request naming it after that start.
func TestProviderNoticed(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	recs := []rpcRecord{
		{At: at(0), Took: time.Millisecond, Methods: []string{"supvisors.get_application_info"}, Apps: []string{"a"}},
		{At: at(10), Took: 2 * time.Millisecond, Methods: []string{"supvisors.start_application"}, Apps: []string{"a"}},
		{At: at(20), Took: 3 * time.Millisecond, Methods: []string{"supvisors.start_application"}, Apps: []string{"b"}},
		{At: at(30), Took: 4 * time.Millisecond, Methods: []string{"system.multicall"}, Apps: []string{"a", "b"}},
		{At: at(40), Took: 5 * time.Millisecond, Methods: []string{"system.multicall"}, Apps: []string{"a"}},
	}
	start, noticed := providerNoticed(recs, "a")
	if !start.Equal(at(10)) || !noticed.Equal(at(45)) {
		t.Errorf("a: start %v noticed %v, want %v and %v", start, noticed, at(10), at(45))
	}
	start, noticed = providerNoticed(recs, "b")
	if !start.Equal(at(20)) || !noticed.Equal(at(34)) {
		t.Errorf("b: start %v noticed %v, want %v and %v", start, noticed, at(20), at(34))
	}
	if start, noticed = providerNoticed(recs, "c"); !start.IsZero() || !noticed.IsZero() {
		t.Errorf("c: start %v noticed %v, want zero times", start, noticed)
	}
}

// TestEachSettled: every name in order with its settle time, the last settle returned; a name never seen
// RUNNING stops the walk with an error naming it and the run.
func TestEachSettled(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	settled := map[string]time.Time{"a": t0.Add(3 * time.Second), "b": t0.Add(time.Second), "c": t0}
	var seen []string
	last, err := eachSettled(settled, []string{"a", "b", "c"}, "the apply", func(n string, s time.Time) {
		if !s.Equal(settled[n]) {
			t.Errorf("%s: got %v, want %v", n, s, settled[n])
		}
		seen = append(seen, n)
	})
	if err != nil || !last.Equal(t0.Add(3*time.Second)) || strings.Join(seen, ",") != "a,b,c" {
		t.Errorf("got last %v, err %v, seen %v", last, err, seen)
	}
	seen = nil
	_, err = eachSettled(settled, []string{"b", "x", "a"}, "the direct start", func(n string, _ time.Time) { seen = append(seen, n) })
	if err == nil || err.Error() != "the watcher never saw x RUNNING during the direct start" || strings.Join(seen, ",") != "b" {
		t.Errorf("missing x: err %v, seen %v", err, seen)
	}
}
