package supvisors

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// Defaults applied by New to zero fields of Config.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultReadyTimeout   = 2 * time.Minute
	DefaultSnapshotMaxAge = 2 * time.Second
	// DefaultRPCPath is the path given to a URL without one (Supervisor serves
	// XML-RPC at /RPC2).
	DefaultRPCPath = "/RPC2"
)

// Logger receives debug records of the calls made (method, endpoint, duration,
// outcome). Fields never hold the password. tflog-style loggers fit.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
}

// Config configures a Client. Only URL is required.
type Config struct {
	// URL of the Supvisors instance: http://host:port[/path], https://... or
	// unix:///path/to.sock. A URL without a path gets /RPC2. Credentials may
	// also be given as user:password@ in an http(s) URL; Username/Password
	// take precedence.
	URL string
	// Username and Password for HTTP basic authentication (optional).
	Username string
	// Password is never logged and never appears in an error.
	Password string
	// RequestTimeout bounds one HTTP exchange (default 30s). The context's
	// deadline applies too. Calls made with wait=true hold the request open
	// until the job ends: the timeout must exceed it.
	RequestTimeout time.Duration
	// ReadyTimeout bounds how long calls wait for a cluster state that
	// accepts them (BAD_SUPVISORS_STATE) and how long read calls retry
	// transport failures (default 2m; negative: never wait). The context's
	// deadline applies too.
	ReadyTimeout time.Duration
	// CAFile is a PEM file of CA certificates trusted for https (https only).
	CAFile string
	// Insecure skips the verification of the server certificate (https only;
	// ignored otherwise).
	Insecure bool
	// InstanceURLs maps an instance identifier ("host:port") or nickname to
	// the URL Instance uses to reach it, overriding the URL derived from
	// get_all_instances_info.
	InstanceURLs map[string]string
	// SnapshotMaxAge is how long a Snapshot may be served from memory after
	// its fetch (default 2s; negative: never cached). A snapshot of a quiet
	// cluster stays shared longer while reads keep coming (the refresh of a
	// large plan): see SnapshotReadGap.
	SnapshotMaxAge time.Duration
	// Logger receives debug records (optional).
	Logger Logger
}

// unixHost is the host name given to requests sent over a unix socket; the
// dialer recognises it. The Host header sent is "localhost".
const unixHost = "supvisors.unix.socket"

// endpoint is a parsed, validated Config.URL.
type endpoint struct {
	display  string // URL as configured, without credentials
	reqURL   string // URL requests are POSTed to
	host     string // Host header
	scheme   string // http, https or unix
	unixPath string // socket path (unix only)
	user     string // credentials found in the URL userinfo
	pass     string
	hasPass  bool
}

// parseEndpoint validates raw. Its errors never quote raw, which may hold a
// password.
func parseEndpoint(raw string) (endpoint, error) {
	var ep endpoint
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ep, errors.New("supvisors: the URL is empty (expected http://host:port, https://host:port or unix:///path/to.sock)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ep, errors.New("supvisors: the URL cannot be parsed (expected http://host:port, https://host:port or unix:///path/to.sock)")
	}
	if u.User != nil {
		ep.user = u.User.Username()
		ep.pass, ep.hasPass = u.User.Password()
		u.User = nil
	}
	ep.scheme = strings.ToLower(u.Scheme)
	switch ep.scheme {
	case "http", "https":
		if u.Host == "" {
			return ep, fmt.Errorf("supvisors: the URL %s has no host", redact(u))
		}
		ep.display = redact(u)
		if u.Path == "" || u.Path == "/" {
			u.Path = DefaultRPCPath
		}
		u.Fragment = ""
		ep.reqURL = u.String()
		ep.host = u.Host
	case "unix":
		path := u.Path
		if u.Host != "" { // unix://relative/path
			path = u.Host + u.Path
		}
		if u.Opaque != "" { // unix:relative/path
			path = u.Opaque
		}
		if path == "" {
			return ep, errors.New("supvisors: the unix socket URL has no path (expected unix:///path/to.sock)")
		}
		ep.unixPath = path
		ep.display = "unix://" + path
		ep.reqURL = "http://" + unixHost + DefaultRPCPath
		ep.host = "localhost"
	default:
		return ep, fmt.Errorf("supvisors: unsupported URL scheme %q (expected http, https or unix)", u.Scheme)
	}
	return ep, nil
}

// redact returns u as a string without user information.
func redact(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

// tlsConfig builds the TLS configuration for https.
func (cfg *Config) tlsConfig() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.Insecure} //nolint:gosec // explicit user switch
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("supvisors: cannot read the CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("supvisors: the CA file %s holds no PEM certificate", cfg.CAFile)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// normalize checks cfg and fills its defaults. It returns the parsed endpoint.
func (cfg *Config) normalize() (endpoint, error) {
	ep, err := parseEndpoint(cfg.URL)
	if err != nil {
		return ep, err
	}
	if cfg.Username == "" && cfg.Password == "" && (ep.user != "" || ep.hasPass) {
		cfg.Username, cfg.Password = ep.user, ep.pass
	}
	if cfg.CAFile != "" && ep.scheme != "https" {
		return ep, fmt.Errorf("supvisors: a CA file is only used with an https URL, not with %s", ep.display)
	}
	if err := cfg.fillDurations(); err != nil {
		return ep, err
	}
	urls, err := checkInstanceURLs(cfg.InstanceURLs)
	if err != nil {
		return ep, err
	}
	cfg.InstanceURLs = urls
	return ep, nil
}

// fillDurations checks the durations of cfg and fills their defaults: a zero RequestTimeout, ReadyTimeout or
// SnapshotMaxAge is the default one; a negative RequestTimeout is an error; a negative ReadyTimeout (no wait
// for readiness) or SnapshotMaxAge (no snapshot reuse) is zero.
func (cfg *Config) fillDurations() error {
	if cfg.RequestTimeout < 0 {
		return errors.New("supvisors: the request timeout must not be negative")
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	defaultDuration(&cfg.ReadyTimeout, DefaultReadyTimeout)
	defaultDuration(&cfg.SnapshotMaxAge, DefaultSnapshotMaxAge)
	return nil
}

// defaultDuration sets *d to def when it is zero, to zero when it is negative.
func defaultDuration(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
	if *d < 0 {
		*d = 0
	}
}

// checkInstanceURLs returns a copy of urls (never nil, so that the caller's map is not shared) once every URL
// parses, else an error naming the first bad one met.
func checkInstanceURLs(urls map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(urls))
	for k, v := range urls {
		if _, err := parseEndpoint(v); err != nil {
			return nil, fmt.Errorf("instance URL for %q: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

// String describes the configuration without the password (and without
// credentials in URLs), so that printing a Config with %v or %+v cannot leak
// it.
func (cfg Config) String() string {
	pw := ""
	if cfg.Password != "" {
		pw = "(set)"
	}
	urls := make([]string, 0, len(cfg.InstanceURLs))
	for _, k := range sortedKeys(cfg.InstanceURLs) {
		urls = append(urls, k+"="+redactRaw(cfg.InstanceURLs[k]))
	}
	return fmt.Sprintf("supvisors.Config{URL:%s Username:%q Password:%s RequestTimeout:%s ReadyTimeout:%s CAFile:%q Insecure:%t InstanceURLs:[%s] SnapshotMaxAge:%s}",
		redactRaw(cfg.URL), cfg.Username, pw, cfg.RequestTimeout, cfg.ReadyTimeout, cfg.CAFile, cfg.Insecure,
		strings.Join(urls, " "), cfg.SnapshotMaxAge)
}

// GoString is String, for %#v.
func (cfg Config) GoString() string { return cfg.String() }

// redactRaw returns a URL without its user information, or a placeholder when
// it cannot be parsed.
func redactRaw(raw string) string {
	if ep, err := parseEndpoint(raw); err == nil {
		return ep.display
	}
	if !strings.Contains(raw, "@") {
		return raw
	}
	return "(invalid URL)"
}

// port returns the port of the endpoint's host ("" for a unix socket or when
// the URL has none).
func (e endpoint) port() string {
	if e.scheme == "unix" {
		return ""
	}
	_, p, err := net.SplitHostPort(e.host)
	if err != nil {
		return ""
	}
	return p
}
