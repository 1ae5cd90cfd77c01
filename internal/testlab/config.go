package testlab

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
)

//go:embed testdata/supervisord.conf.tmpl testdata/rules.xml.tmpl testdata/rules-old.xml.tmpl
var templates embed.FS

// The fixed lab applications (see testdata/README.md).
var (
	// Apps are the app_a .. app_h applications: programs main and side, one application per acceptance test;
	// app_t .. app_w are the ones of the Terraform 1.12+ and 1.14+ tests (identity, list resources, actions).
	Apps = []string{"app_a", "app_b", "app_c", "app_d", "app_e", "app_f", "app_g", "app_h", "app_t", "app_u", "app_v", "app_w"}
	// ProcessGroups are the pg_a .. pg_d applications: homogeneous program pg_x_multi (numprocs 2,
	// processes pg_x_multi_0/1) and plain program pg_x_plain.
	ProcessGroups = []string{"pg_a", "pg_b", "pg_c", "pg_d"}
)

// BenchAppName is the name of the i-th generated benchmark application (bench_000 ..); its only process is
// bench_NNN:bench_NNN.
func BenchAppName(i int) string { return fmt.Sprintf("bench_%03d", i) }

type confData struct {
	Era                Era    // configuration era of the release
	UnixSocket         bool   // add a [unix_http_server] (0.18 and later)
	InternalPort       int    // internal (ZMQ) port of this instance, up to 0.17
	EventPort          int    // event port of this instance, up to 0.17
	Placement          string // rules element naming instances: addresses (0.10) or identifiers
	Nick, Identifier   string
	Nodaemon           bool
	Username, Password string
	SupvisorsList      string
	RulesFile          string
	IncludeDir         string // [include] directory of extra program files (see Cluster.IncludeDir)
	Run                string // prefix of every program command (setpriv --pdeathsig KILL -- ) or ""
	Sleep              string // the sleep-like command of ordinary programs
	Apps               []string
	ProcessGroups      []string
	BenchApps          []string
}

// pdeathsigPrefix returns "/path/setpriv --pdeathsig KILL -- " when util-linux setpriv supports it, so that
// the lab programs die with their supervisord even when it is SIGKILLed (supervisord gets the same from the
// test binary through SysProcAttr.Pdeathsig). Without it the /proc marker scan still cleans up on Stop.
func pdeathsigPrefix() string {
	p, err := exec.LookPath("setpriv")
	if err != nil {
		return ""
	}
	out, _ := exec.Command(p, "--help").CombinedOutput()
	if !bytes.Contains(out, []byte("--pdeathsig")) {
		return ""
	}
	if exec.Command(p, "--pdeathsig", "KILL", "--", "/bin/true").Run() != nil {
		return ""
	}
	return p + " --pdeathsig KILL -- "
}

// checkCredential rejects what would break the generated supervisord configuration.
func checkCredential(what, v string) error {
	if v == "" || strings.ContainsAny(v, "%\n\r;# \t") {
		return fmt.Errorf("testlab: %s %q must be non-empty, without spaces, '%%', ';', '#' or newlines", what, v)
	}
	return nil
}

// writeConfigs renders etc/rules.xml and etc/nodeN.conf for the cluster's current ports.
func (c *Cluster) writeConfigs() error {
	tmpl, err := template.ParseFS(templates, "testdata/*.tmpl")
	if err != nil {
		return err
	}
	etc := filepath.Join(c.dir, "etc")
	if err := os.MkdirAll(etc, 0o755); err != nil {
		return err
	}
	d := c.confData(etc)
	if err := os.MkdirAll(d.IncludeDir, 0o755); err != nil {
		return err
	}
	rules := "rules.xml.tmpl"
	if c.rel.Era < EraInternalPort {
		rules = "rules-old.xml.tmpl"
	}
	if err := renderFile(tmpl, rules, d, d.RulesFile, 0o644); err != nil {
		return err
	}
	for _, in := range c.inst {
		d.Nick, d.Identifier = in.Nick, in.Identifier
		d.InternalPort, d.EventPort = in.InternalPort, in.EventPort
		if err := renderFile(tmpl, "supervisord.conf.tmpl", d, in.Conf, 0o600); err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(in.Var, "childlogs"), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// confData is what the templates share for every instance (writeConfigs adds each instance's own fields).
func (c *Cluster) confData(etc string) confData {
	var bench []string
	for i := 0; i < c.opts.BenchApps; i++ {
		bench = append(bench, BenchAppName(i))
	}
	d := confData{
		Era:           c.rel.Era,
		UnixSocket:    c.rel.Era >= EraHTTP,
		Placement:     "identifiers",
		Nodaemon:      !c.opts.Detach,
		Username:      c.opts.Username,
		Password:      c.opts.Password,
		SupvisorsList: c.supvisorsList(),
		RulesFile:     filepath.Join(etc, "rules.xml"),
		IncludeDir:    c.IncludeDir(),
		Run:           c.run,
		Sleep:         c.run + `/bin/sh -c "exec sleep 100000"`,
		Apps:          Apps,
		ProcessGroups: ProcessGroups,
		BenchApps:     bench,
	}
	if c.rel.Era == EraAddress {
		d.Placement = "addresses"
	}
	return d
}

// supvisorsList is the supvisors_list option in the form of the release's era: host names (0.10),
// <nick>host:port:internal_port (0.11 .. 0.17), <nick>identifier (0.18 on).
func (c *Cluster) supvisorsList() string {
	var list []string
	for _, in := range c.inst {
		switch c.rel.Era {
		case EraAddress:
			list = append(list, in.Host)
		case EraIdentifier011, EraInternalPort:
			list = append(list, fmt.Sprintf("<%s>127.0.0.1:%d:%d", in.Nick, in.Port, in.InternalPort))
		default:
			list = append(list, fmt.Sprintf("<%s>%s", in.Nick, in.Identifier))
		}
	}
	return strings.Join(list, ",")
}

// renderFile executes the template name of tmpl with d and writes the result to path with mode perm.
func renderFile(tmpl *template.Template, name string, d confData, path string, perm os.FileMode) error {
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, name, d); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), perm)
}
