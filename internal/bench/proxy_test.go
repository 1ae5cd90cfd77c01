package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

const multicallBody = `<?xml version="1.0" encoding="UTF-8"?>
<methodCall><methodName>system.multicall</methodName><params><param><value><array><data>
<value><struct><member><name>methodName</name><value><string>supvisors.get_supvisors_state</string></value></member>
<member><name>params</name><value><array><data></data></array></value></member></struct></value>
<value><struct><member><name>methodName</name><value>supvisors.get_application_info</value></member>
<member><name>params</name><value><array><data><value><string>bench_007</string></value></data></array></value></member></struct></value>
</data></array></value></param></params></methodCall>`

func TestXMLRPCMethods(t *testing.T) {
	tests := []struct {
		body string
		want []string
	}{
		{`<methodCall><methodName>supvisors.start_application</methodName><params><param><value><string>CONFIG</string></value></param>` +
			`<param><value><string>bench_003</string></value></param><param><value><boolean>0</boolean></value></param></params></methodCall>`,
			[]string{"supvisors.start_application"}},
		{multicallBody, []string{"system.multicall[supvisors.get_supvisors_state, supvisors.get_application_info]"}},
		{`not xml`, []string{"?"}},
	}
	for _, tt := range tests {
		if got := xmlrpcMethods([]byte(tt.body)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("xmlrpcMethods(%.40q) = %q, want %q", tt.body, got, tt.want)
		}
	}
	if got := benchApps([]byte(multicallBody + "bench_001 bench_007")); !reflect.DeepEqual(got, []string{"bench_001", "bench_007"}) {
		t.Errorf("benchApps = %q", got)
	}
}

func TestCountingProxy(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPost && !strings.Contains(string(b), "system.multicall") {
			t.Errorf("upstream got %q", b)
		}
		_, _ = io.WriteString(w, "<methodResponse/>")
	}))
	defer upstream.Close()
	p, err := startCountingProxy(upstream.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for range 3 {
		resp, err := http.Post(p.URL()+"/RPC2", "text/xml", strings.NewReader(multicallBody))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "<methodResponse/>" {
			t.Fatalf("answer %q", b)
		}
	}
	if resp, err := http.Get(p.URL() + "/"); err == nil { // not counted
		resp.Body.Close()
	}
	if p.Count() != 3 {
		t.Fatalf("Count = %d, want 3", p.Count())
	}
	recs := p.Since(1)
	if len(recs) != 2 || recs[0].Took <= 0 || recs[0].Took > 10*time.Second {
		t.Fatalf("Since(1) = %+v", recs)
	}
	want := []string{"3 × system.multicall[supvisors.get_supvisors_state, supvisors.get_application_info]"}
	if got := summarizeRPCs(p.Since(0)); !reflect.DeepEqual(got, want) {
		t.Fatalf("summary %q, want %q", got, want)
	}
}

func TestTCPRelayCountsConnections(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	defer upstream.Close()
	relay, err := startTCPRelay(strings.TrimPrefix(upstream.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	client := &http.Client{Transport: &http.Transport{}}
	for range 5 {
		resp, err := client.Get(relay.URL())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if n := relay.conns.Load(); n != 1 {
		t.Fatalf("connections = %d, want 1 (keep-alive)", n)
	}
}

func TestMedian(t *testing.T) {
	if m := median([]time.Duration{3, 1, 2}); m != 2 {
		t.Fatalf("median = %v", m)
	}
	if m := median([]time.Duration{4, 1, 2, 3}); m != 2 {
		t.Fatalf("median even = %v", m)
	}
	if m := medianInt([]int64{2, 3, 2, 9}); m != 2 {
		t.Fatalf("medianInt = %v", m)
	}
}

func TestApplicationsConfig(t *testing.T) {
	cfg := applicationsConfig(providerBlock("http://127.0.0.1:1", "u", "p"), []string{"bench_000", "bench_001"}, "stopped")
	for _, want := range []string{`source = "supvisors/supvisors"`, `url      = "http://127.0.0.1:1"`,
		`resource "supvisors_application" "bench_001"`, `state = "stopped"`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config lacks %q:\n%s", want, cfg)
		}
	}
}
