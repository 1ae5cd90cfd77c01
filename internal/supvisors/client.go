package supvisors

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// shared is the state a Client shares with the clients derived from it by
// Instance: the HTTP transport, the request counter and the snapshot
// generation (so that a mutating call on any instance drops every snapshot).
type shared struct {
	transport *http.Transport
	requests  atomic.Int64
	gen       atomic.Uint64
	api       atomic.Pointer[APIInfo]           // Detect result shared by derived clients
	rules     rulesStrategies                   // starting strategies of the rules (strategy.go)
	managed   sync.Map                          // application name -> bool, from the rules (0.10, profile_fill.go)
	instances atomic.Pointer[map[string]string] // last instance states completed before 0.19 (profile_fill.go)
}

// Client is a Supvisors XML-RPC client. It is safe for concurrent use. Create
// it with New.
type Client struct {
	cfg   Config
	ep    endpoint
	sh    *shared
	httpc *http.Client
	sup   *SupervisorClient
	sys   *SystemClient

	detectMu sync.Mutex
	api      *APIInfo

	snapMu sync.Mutex
	snap   snapshotCache // Snapshot (snapshot.go), under snapMu
	plain  snapshotCache // PlainSnapshot (plain.go), under snapMu
	sf     singleflight.Group

	instMu    sync.Mutex
	instances map[string]*Client

	polls *pollHub // the shared poll of every wait (poll.go)
}

// New validates cfg (URL scheme and form, CA file) and returns a Client. It
// never touches the network.
func New(cfg Config) (*Client, error) {
	ep, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	tr, err := newTransport(&cfg)
	if err != nil {
		return nil, err
	}
	return newClient(cfg, ep, &shared{transport: tr}, nil), nil
}

// newClient builds a client; tr overrides the shared transport when not nil.
func newClient(cfg Config, ep endpoint, sh *shared, tr *http.Transport) *Client {
	c := &Client{cfg: cfg, ep: ep, sh: sh, instances: map[string]*Client{}}
	if tr == nil {
		tr = sh.transport
	}
	c.httpc = &http.Client{
		Transport: tr,
		// A redirect of a POST is not followed: the 3xx status is reported.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c.sup = &SupervisorClient{c: c}
	c.sys = &SystemClient{c: c}
	c.polls = newPollHub(c)
	return c
}

// Endpoint returns the URL as configured, without credentials. Errors carry
// the same string.
func (c *Client) Endpoint() string { return c.ep.display }

// Requests returns the number of HTTP requests sent so far by this client and
// the clients derived from it by Instance (an atomic counter, for benchmarks
// and tests).
func (c *Client) Requests() int64 { return c.sh.requests.Load() }

// Supervisor returns the client of the supervisor.* namespace.
func (c *Client) Supervisor() *SupervisorClient { return c.sup }

// System returns the client of the system.* namespace.
func (c *Client) System() *SystemClient { return c.sys }

// ReadyTimeout returns the effective Config.ReadyTimeout.
func (c *Client) ReadyTimeout() time.Duration { return c.cfg.ReadyTimeout }

// RequestTimeout returns the effective Config.RequestTimeout.
func (c *Client) RequestTimeout() time.Duration { return c.cfg.RequestTimeout }

// InvalidateSnapshot drops the snapshot of this client and of every client
// sharing its transport (Instance clients and their parent). Mutating calls
// do it by themselves.
func (c *Client) InvalidateSnapshot() { c.sh.gen.Add(1) }

// CloseIdleConnections closes the idle keep-alive connections of the shared
// transport.
func (c *Client) CloseIdleConnections() { c.sh.transport.CloseIdleConnections() }

func (c *Client) debug(ctx context.Context, msg string, fields map[string]any) {
	if c.cfg.Logger != nil {
		c.cfg.Logger.Debug(ctx, msg, fields)
	}
}

// Call invokes any XML-RPC method with the given arguments and returns its
// answer decoded generically: structs as map[string]any, arrays as []any,
// int/i4 as int64, double as float64, boolean as bool, string as string (an
// empty string may come back as nil). A wrapped read-only method is retried
// like a read call; any other method is treated as mutating (never retried on
// transport errors, drops the snapshots).
//
// The method and its arguments are sent as they are, in the names of the
// release reached (e.g. supvisors.get_master_address on 0.10), and the answer
// is not converted to the 0.19 shape; a release outside the supported range
// is refused like for any call.
func (c *Client) Call(ctx context.Context, method string, args ...any) (any, error) {
	return c.callRaw(ctx, method, args...)
}
