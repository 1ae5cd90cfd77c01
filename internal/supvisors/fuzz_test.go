package supvisors

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// FuzzDecodeResponse feeds arbitrary bytes to the response decoding and every
// typed decoder: nothing may panic, and a decoded fault keeps its code. The
// seed corpus (captured answers, faults, malformed documents) runs in every
// plain `go test`.
func FuzzDecodeResponse(f *testing.F) {
	seeds := [][]byte{
		valueResponse(capturedState(StateOperation)),
		valueResponse([]any{capturedApp("web", ApplicationRunning, true), capturedApp("tools", ApplicationStopped, false)}),
		valueResponse([]any{capturedProcess("worker", "worker_0", ProcessRunning, "127.0.0.1:61001")}),
		// older releases (profile.go)
		valueResponse(recordedState010()),
		valueResponse(recordedAddresses010()),
		valueResponse(recordedApps010()),
		valueResponse(recordedProcs010()),
		valueResponse(map[string]any{"managed": true, "distributed": "yes", "addresses": "vm"}),
		valueResponse(map[string]any{"address_name": int64(1), "identifier": nil, "statename": []any{}}),
		valueResponse(map[string]any{"fsm_statename": "DEPLOYMENT", "instance_states": map[string]any{"node1": "SILENT", "x": 3}}),
		valueResponse(false),
		valueResponse([]any{"0.19", map[string]any{"faultCode": 10, "faultString": "BAD_NAME: x"}, true}),
		valueResponse(map[string]any{"auto-fencing": false, "starting": "CONFIG"}),
		valueResponse([]any{"log", 12, false}),
		valueResponse([]any{[]any{[]any{"a"}, []any{}, []any{}}}),
		valueResponse("0.19"),
		valueResponse(1.5),
		faultResponse(FaultBadSupvisorsState, syncFault),
		faultResponse(FaultUnknownMethod, ""),
		[]byte("<?xml version='1.0'?><methodResponse><params><param><value>bare</value></param></params></methodResponse>"),
		[]byte("<?xml version='1.0'?><methodResponse><params><param><value><string></string></value></param></params></methodResponse>"),
		[]byte("<?xml version='1.0'?><methodResponse><params><param><value><array><data/></array></value></param></params></methodResponse>"),
		[]byte("<?xml version='1.0'?><methodResponse><params><param><value><i8>99999999999</i8></value></param></params></methodResponse>"),
		[]byte("<?xml version='1.0'?><methodResponse><params><param><value><dateTime.iso8601>20260101T00:00:00</dateTime.iso8601></value></param></params></methodResponse>"),
		[]byte("<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>x</int></value></member></struct></value></fault></methodResponse>"),
		[]byte("<methodResponse><params><param><value><struct><member><name></name><value>1</value></member></struct></value></param></params></methodResponse>"),
		[]byte("<methodResponse><params><param><value><array><data><value><array><data><value><struct></struct></value></data></array></value></data></array></value></param></params></methodResponse>"),
		[]byte("<html>502 Bad Gateway</html>"),
		[]byte(""),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeResponse(data)
		if err != nil {
			if fa, ok := err.(*Fault); ok {
				_ = fa.Error()
				_ = fa.Code.String()
			}
			return
		}
		exerciseDecoders(v)
		if arr, ok := v.([]any); ok {
			for _, e := range arr {
				exerciseDecoders(e)
				_, _ = faultFromValue(e)
			}
		}
		exerciseProfiles(data)
	})
}

// profileMethods are the methods whose answers the era profiles rewrite.
var profileMethods = []string{supvisorsGetSupvisorsState, supvisorsGetAllInstancesInfo, supvisorsGetInstanceInfo, supvisorsGetAllApplicationsInfo,
	supvisorsGetApplicationInfo, supvisorsGetAllProcessInfo, supvisorsGetProcessInfo, supvisorsGetConflicts, supvisorsGetApplicationRules, supvisorsGetProcessRules}

// exerciseProfiles decodes data afresh for every era and method, rewrites it
// with the era's profile, then runs every typed decoder on it.
func exerciseProfiles(data []byte) {
	c := &Client{sh: &shared{}}
	for _, version := range []string{"0.10", "0.11", "0.12", "0.15", "0.18.7"} {
		api := &APIInfo{Version: version, Era: eraOf(version)}
		for _, m := range profileMethods {
			v, err := decodeResponse(data)
			if err != nil {
				return
			}
			v = c.normalize(api, m, v)
			exerciseDecoders(v)
			_, _ = c.finish(api, wireCall{method: supvisorsStartApplication, args: []any{"CONFIG", "x", false}}, v, nil)
		}
	}
}

// exerciseDecoders runs every typed decoder on v.
func exerciseDecoders(v any) {
	_, _ = decodeSupvisorsState(v)
	_, _ = decodeMasterIdentifier(v)
	_, _ = decodeBool(v, "m")
	_, _ = decodeString(v, "m")
	_, _ = decodeList(v, "m", applicationInfoFrom)
	_, _ = decodeList(v, "m", processInfoFrom)
	_, _ = decodeList(v, "m", instanceInfoFrom)
	_, _ = decodeList(v, "m", instanceStateModesFrom)
	_, _ = decodeList(v, "m", localProcessInfoFrom)
	_, _ = decodeList(v, "m", innerProcessInfoFrom)
	_, _ = decodeList(v, "m", processRulesFrom)
	_, _ = decodeList(v, "m", startPredictionFrom)
	_, _ = decodeList(v, "m", supervisorProcessInfoFrom)
	_, _ = decodeList(v, "m", configInfoFrom)
	_, _ = decodeList(v, "m", processStatusFrom)
	_, _ = decodeList(v, "m", identifierFrom)
	_, _ = decodeOne(v, "m", applicationRulesFrom)
	_, _ = decodeOne(v, "m", strategiesFrom)
	_, _ = decodeOne(v, "m", statisticsStatusFrom)
	_, _ = decodeOne(v, "m", networkInfoFrom)
	_, _ = decodeOne(v, "m", supervisorStateFrom)
	_ = toStrings(v)
	_, _ = toInt64(v)
	_, _ = toFloat64(v)
	_ = toString(v)
}

// bigProcessList is a get_all_process_info answer of n processes.
func bigProcessList(n int) []any {
	out := make([]any, n)
	for i := range n {
		out[i] = capturedProcess(fmt.Sprintf("app_%03d", i/4), fmt.Sprintf("proc_%d", i%4), ProcessRunning, "127.0.0.1:61001")
	}
	return out
}

// BenchmarkDecodeAllProcessInfo measures a get_all_process_info answer of 1000
// processes: encoding it (server side, for scale), decoding it into generic
// values with kolo/xmlrpc, and converting to []ProcessInfo.
func BenchmarkDecodeAllProcessInfo(b *testing.B) {
	procs := bigProcessList(1000)
	body := valueResponse(procs)
	b.Run("encode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			_ = valueResponse(procs)
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			v, err := decodeResponse(body)
			if err != nil {
				b.Fatal(err)
			}
			list, err := decodeList(v, supvisorsGetAllProcessInfo, processInfoFrom)
			if err != nil || len(list) != 1000 {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGetApplicationInfo measures one typed call against the in-process
// server (HTTP keep-alive, encode, decode).
func BenchmarkGetApplicationInfo(b *testing.B) {
	f := newFakeServer(b)
	f.handle(supvisorsGetApplicationInfo, value(capturedApp("web", ApplicationRunning, true)))
	c := newTestClient(b, f.URL())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetApplicationInfo(ctx, "web"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanSnapshot100Apps simulates the reads of a plan over 100
// applications: 100 concurrent readers share one snapshot. It reports the
// HTTP requests per plan (Detect + one snapshot multicall = 2).
func BenchmarkPlanSnapshot100Apps(b *testing.B) {
	f := newFakeServer(b)
	apps := make([]any, 100)
	for i := range apps {
		apps[i] = capturedApp(fmt.Sprintf("app_%03d", i), ApplicationRunning, true)
	}
	f.playRelease("0.19") // every method listed: the API profile refuses the unlisted ones
	f.handle(supvisorsGetSupvisorsState, value(capturedState(StateOperation)))
	f.handle(supvisorsGetAllApplicationsInfo, value(apps))
	f.handle(supvisorsGetAllProcessInfo, value(bigProcessList(400)))
	ctx := context.Background()
	var requests int64
	for b.Loop() {
		c := newTestClient(b, f.URL())
		if _, err := c.Detect(ctx); err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := c.Snapshot(ctx)
				if err != nil {
					b.Error(err)
					return
				}
				if _, ok := s.Application(fmt.Sprintf("app_%03d", i)); !ok {
					b.Error("missing application")
				}
			}()
		}
		wg.Wait()
		requests += c.Requests()
		c.CloseIdleConnections()
	}
	b.ReportMetric(float64(requests)/float64(b.N), "requests/plan")
}
