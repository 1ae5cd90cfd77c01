package testlab

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"text/template"
	"time"
)

//go:embed testdata/plain.conf.tmpl
var plainTemplate string

// The programs of the plain supervisord (testdata/plain.conf.tmpl).
var (
	// PlainGroups are the groups of the plain supervisord: pweb (processes server and cache), psolo and
	// poneshot (a program alone; poneshot exits 0 after 0.3 s, startsecs 0), pmulti (numprocs 2: pmulti_0,
	// pmulti_1) and pfaulty (crasher always ends FATAL after one retry, missing has no binary).
	PlainGroups = []string{"pfaulty", "pmulti", "poneshot", "psolo", "pweb"}
)

// PlainOptions configures StartPlain. The zero value is fine.
type PlainOptions struct {
	// Username and Password protect the XML-RPC endpoint (default "lab" / "lab-secret-pw").
	Username, Password string
	// Dir holds the configuration, logs and state (default: a new temporary directory, removed by Stop unless
	// SUPVISORS_LAB_KEEP=1 is set).
	Dir string
	// Logf receives progress messages (default: stderr).
	Logf func(format string, args ...any)
	// SupervisorVersion selects the Supervisor release: "" is the lab's (SupervisorVersion, from the Supvisors
	// venv); another one comes from a cached venv holding only that release (see PlainSupervisorVersions).
	SupervisorVersion string
}

// Plain is a running plain supervisord (Supervisor without the Supvisors plugin) from the lab's venv, on a
// free 127.0.0.1 port, with the programs of testdata/plain.conf.tmpl and an [include] directory. Its methods
// are safe for concurrent use.
type Plain struct {
	c *Cluster // one instance, no Supvisors: the lab's launch, stop and clean-up machinery
}

type plainConf struct {
	Var, IncludeDir    string
	Port               int
	Username, Password string
	Run, Sleep         string
}

// StartPlain starts a plain supervisord beside any cluster (same cached venv; no nss_wrapper needed) and
// waits until it answers supervisor.getState with RUNNING. On failure nothing is left running and the error
// has the tail of its log.
func StartPlain(ctx context.Context, opts PlainOptions) (*Plain, error) {
	o := Options{Instances: 1, Username: opts.Username, Password: opts.Password, Dir: opts.Dir, Logf: opts.Logf,
		StartTimeout: 30 * time.Second}
	o.defaults()
	if err := checkCredential("username", o.Username); err != nil {
		return nil, err
	}
	if err := checkCredential("password", o.Password); err != nil {
		return nil, err
	}
	begin := time.Now()
	var python string
	var err error
	if opts.SupervisorVersion != "" && opts.SupervisorVersion != SupervisorVersion {
		python, err = ensurePlainVenv(ctx, opts.SupervisorVersion, o.Logf)
	} else {
		python, err = EnsureVenv(ctx, o.Logf)
	}
	if err != nil {
		return nil, fmt.Errorf("testlab: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, o.StartTimeout)
	defer cancel()
	c := &Cluster{opts: o, python: python, id: randomID(), run: pdeathsigPrefix()}
	if o.Dir == "" {
		if c.dir, err = os.MkdirTemp("", "supervisor-plain-"); err != nil {
			return nil, err
		}
		c.ownDir = true
	} else if c.dir, err = filepath.Abs(o.Dir); err != nil {
		return nil, err
	}
	in := &instance{Nick: "plain", Var: filepath.Join(c.dir, "var"), Conf: filepath.Join(c.dir, "etc", "supervisord.conf"),
		Socket: filepath.Join(c.dir, "var", "unused.sock")}
	c.inst = []*instance{in}
	p := &Plain{c: c}
	for attempt := 1; ; attempt++ {
		err = p.startOnce(ctx)
		if err == nil {
			break
		}
		c.killEverything()
		var bind *bindError
		if errors.As(err, &bind) && attempt < 3 && ctx.Err() == nil {
			continue
		}
		return nil, fmt.Errorf("testlab: start the plain supervisord in %s: %w", c.dir, err)
	}
	o.Logf("testlab: plain supervisord (no Supvisors) RUNNING at %s after %s", in.url(),
		time.Since(begin).Round(100*time.Millisecond))
	return p, nil
}

func (p *Plain) startOnce(ctx context.Context) error {
	c, in := p.c, p.c.inst[0]
	ports, err := pickPorts(1)
	if err != nil {
		return err
	}
	in.Port, in.Identifier = ports[0], "127.0.0.1:"+strconv.Itoa(ports[0])
	for _, d := range []string{filepath.Dir(in.Conf), p.IncludeDir(), filepath.Join(in.Var, "childlogs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	tmpl, err := template.New("plain").Parse(plainTemplate)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, plainConf{Var: in.Var, IncludeDir: p.IncludeDir(), Port: in.Port,
		Username: c.opts.Username, Password: c.opts.Password, Run: c.run,
		Sleep: c.run + `/bin/sh -c "exec sleep 100000"`}); err != nil {
		return err
	}
	if err := os.WriteFile(in.Conf, buf.Bytes(), 0o600); err != nil {
		return err
	}
	_ = os.Remove(in.pidfile())
	if err := c.launch(in); err != nil {
		return err
	}
	for {
		var st struct {
			Statename string `xmlrpc:"statename"`
		}
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := rpcCall(cctx, in.url(), c.opts.Username, c.opts.Password, "supervisor.getState", &st)
		cancel()
		if err == nil && st.Statename == "RUNNING" {
			return nil
		}
		if !in.running() {
			return c.exitError(in, errors.New("supervisord exited during start-up"))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not RUNNING in time (last answer: %v, state %q)\n%s", err, st.Statename, c.logTails())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// URL returns the XML-RPC base URL, "http://127.0.0.1:PORT", without credentials.
func (p *Plain) URL() string { return p.c.inst[0].url() }

// Username returns the XML-RPC username.
func (p *Plain) Username() string { return p.c.opts.Username }

// Password returns the XML-RPC password.
func (p *Plain) Password() string { return p.c.opts.Password }

// Dir returns the directory of the configuration, logs and state.
func (p *Plain) Dir() string { return p.c.dir }

// IncludeDir returns the directory whose *.conf files supervisord includes: empty at start, for tests that
// write program files and roll them out. Tests that write there must remove their files and roll out again.
func (p *Plain) IncludeDir() string { return filepath.Join(p.c.dir, "etc", "conf.d") }

// LogTail returns the last n lines of the supervisord log.
func (p *Plain) LogTail(n int) string { return p.c.LogTail(0, n) }

// Stop stops supervisord and every program it ran, and removes the directory StartPlain created (kept with
// SUPVISORS_LAB_KEEP=1). Calling it again does nothing.
func (p *Plain) Stop() error { return p.c.Stop() }

// ProcessesLeft returns the pids of its processes that are still alive; empty after a successful Stop.
func (p *Plain) ProcessesLeft() []int { return p.c.ProcessesLeft() }
