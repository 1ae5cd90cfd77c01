package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// rpcRecord is one XML-RPC request seen by the counting proxy.
type rpcRecord struct {
	At      time.Time     // when the request arrived at the proxy
	Took    time.Duration // until the upstream answer was relayed
	Methods []string      // the method, or for system.multicall "system.multicall[inner, ...]"
	Apps    []string      // bench application names mentioned in the request body
	Bytes   int64         // size of the answer body relayed
}

// String renders the record's methods compactly, e.g. "system.multicall[supvisors.get_supvisors_state, ...]".
func (r rpcRecord) String() string { return strings.Join(r.Methods, " ") }

// countingProxy is a reverse proxy in front of one Supvisors instance that counts and logs every
// POST /RPC2 (in fact every POST: the provider may be configured with another path).
type countingProxy struct {
	upstream *url.URL
	server   *http.Server
	listener net.Listener
	posts    atomic.Int64

	mu  sync.Mutex
	log []rpcRecord
}

// startCountingProxy listens on 127.0.0.1 (a free port) and relays everything to upstream.
func startCountingProxy(upstream string) (*countingProxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &countingProxy{upstream: u, listener: ln}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{
		Proxy:               nil, // never through an environment proxy: 127.0.0.1 only
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}
	p.server = &http.Server{Handler: p.handler(rp), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.server.Serve(ln) }()
	return p, nil
}

// URL is the proxy's base URL ("http://127.0.0.1:PORT"), without a path: clients add /RPC2.
func (p *countingProxy) URL() string { return "http://" + p.listener.Addr().String() }

// Count is the number of POST requests relayed so far.
func (p *countingProxy) Count() int64 { return p.posts.Load() }

// Since returns the records logged after the given count (Count() taken before a phase).
func (p *countingProxy) Since(n int64) []rpcRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	if int(n) >= len(p.log) {
		return nil
	}
	return append([]rpcRecord(nil), p.log[n:]...)
}

// Close stops the proxy.
func (p *countingProxy) Close() error { return p.server.Close() }

func (p *countingProxy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			http.Error(w, "proxy: reading the request: "+err.Error(), http.StatusBadGateway)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		// Count and log before relaying: the order of records is the order of arrival.
		p.mu.Lock()
		idx := len(p.log)
		p.log = append(p.log, rpcRecord{At: start, Methods: xmlrpcMethods(body), Apps: benchApps(body)})
		p.posts.Add(1)
		p.mu.Unlock()
		cw := &countingWriter{ResponseWriter: w}
		next.ServeHTTP(cw, r)
		p.mu.Lock()
		p.log[idx].Took = time.Since(start)
		p.log[idx].Bytes = cw.n
		p.mu.Unlock()
	})
}

// countingWriter counts the bytes of an answer.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	return n, err
}

var (
	reMethodName   = regexp.MustCompile(`<methodName>\s*([^<\s]+)\s*</methodName>`)
	reInnerMethod  = regexp.MustCompile(`<name>\s*methodName\s*</name>\s*<value>\s*(?:<string>)?\s*([^<\s]+)`)
	reBenchAppName = regexp.MustCompile(`bench_[0-9]+`)
)

// xmlrpcMethods extracts the method name of an XML-RPC call, and the inner method names of a
// system.multicall, as "system.multicall[a, b]".
func xmlrpcMethods(body []byte) []string {
	m := reMethodName.FindSubmatch(body)
	if m == nil {
		return []string{"?"}
	}
	name := string(m[1])
	if name != "system.multicall" {
		return []string{name}
	}
	var inner []string
	for _, im := range reInnerMethod.FindAllSubmatch(body, -1) {
		inner = append(inner, string(im[1]))
	}
	return []string{name + "[" + strings.Join(inner, ", ") + "]"}
}

// benchApps lists the distinct bench application names a request body mentions (sorted).
func benchApps(body []byte) []string {
	seen := map[string]bool{}
	for _, m := range reBenchAppName.FindAll(body, -1) {
		seen[string(m)] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// summarizeRPCs groups records by method (multicalls by their inner list) with counts, most frequent first.
func summarizeRPCs(recs []rpcRecord) []string {
	counts := map[string]int{}
	for _, r := range recs {
		counts[r.String()]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = itoa(counts[k]) + " × " + k
	}
	return out
}

// tcpRelay forwards raw TCP connections to an upstream address and counts the connections it
// accepted: it proves that a client keeps one connection alive, at the cost of a byte copy.
type tcpRelay struct {
	ln       net.Listener
	upstream string
	conns    atomic.Int64
	wg       sync.WaitGroup
}

func startTCPRelay(upstream string) (*tcpRelay, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t := &tcpRelay{ln: ln, upstream: upstream}
	go t.serve()
	return t, nil
}

func (t *tcpRelay) serve() {
	for {
		c, err := t.ln.Accept()
		if err != nil {
			return
		}
		t.conns.Add(1)
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			defer c.Close()
			u, err := net.DialTimeout("tcp", t.upstream, 5*time.Second)
			if err != nil {
				return
			}
			defer u.Close()
			done := make(chan struct{}, 2)
			go func() { _, _ = io.Copy(u, c); closeWrite(u); done <- struct{}{} }()
			go func() { _, _ = io.Copy(c, u); closeWrite(c); done <- struct{}{} }()
			<-done
			<-done
		}()
	}
}

func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
}

// URL is the relay's base URL.
func (t *tcpRelay) URL() string { return "http://" + t.ln.Addr().String() }

// Close stops accepting; open relayed connections end when their client closes them.
func (t *tcpRelay) Close() error { return t.ln.Close() }

// writeLog writes every record (arrival relative to t0, duration, methods, applications) to path.
func (p *countingProxy) writeLog(path string, t0 time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for i, r := range p.log {
		fmt.Fprintf(&b, "%5d %9.3f %7.3f %s %s\n", i, r.At.Sub(t0).Seconds(), r.Took.Seconds(), r.String(), strings.Join(r.Apps, ","))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
