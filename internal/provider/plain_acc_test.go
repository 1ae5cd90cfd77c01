package provider

// Harness of the acceptance tests on a plain supervisord: TestMain starts one (testlab.StartPlain, the lab's
// venv without the Supvisors plugin) beside the cluster, and stops it at the end.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/testlab"
)

// testAccPlain is the plain supervisord of this test binary; nil without TF_ACC.
var testAccPlain *testlab.Plain

// testAccWithPlain starts the plain supervisord, runs run (the cluster and the tests), then stops it. When it
// cannot start, the run fails with the reason.
func testAccWithPlain(run func() int) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	p, err := testlab.StartPlain(ctx, testlab.PlainOptions{SupervisorVersion: testAccPlainVersion()})
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: the plain supervisord of the tests did not start: %v\n", err)
		return 1
	}
	testAccPlain = p
	code := run()
	if err := p.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "testlab: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// testAccPlainVersion is the Supervisor release of the plain supervisord: the lab's, or
// $SUPVISORS_LAB_PLAIN_SUPERVISOR (e.g. 4.2.5, for a run by hand on another release).
func testAccPlainVersion() string {
	if v := os.Getenv("SUPVISORS_LAB_PLAIN_SUPERVISOR"); v != "" {
		return v
	}
	return testlab.SupervisorVersion
}

// testAccPlainPreCheck is testAccPreCheck for the plain supervisord.
func testAccPlainPreCheck(t *testing.T) {
	t.Helper()
	testAccPreCheck(t)
	if testAccPlain == nil {
		t.Fatal("no plain supervisord: TestMain starts one with TF_ACC=1")
	}
}

// testAccPlainProviderBlock is a provider block for the plain supervisord.
func testAccPlainProviderBlock() string {
	if testAccPlain == nil {
		return `provider "supvisors" {}` + "\n"
	}
	return testAccProviderConfig(testAccPlain.URL(), testAccPlain.Username(), testAccPlain.Password())
}

// testAccPlainClient returns a client of the plain supervisord, for out-of-band actions and checks.
func testAccPlainClient(t *testing.T) *supvisors.Client {
	t.Helper()
	testAccPlainPreCheck(t)
	c, err := supvisors.New(supvisors.Config{URL: testAccPlain.URL(), Username: testAccPlain.Username(),
		Password: testAccPlain.Password(), SnapshotMaxAge: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testAccPids reads the pid of every process of a supervisord (0 when not running), by namespec.
func testAccPids(t *testing.T, c *supvisors.Client) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	infos, err := c.Supervisor().GetAllProcessInfo(ctx)
	if err != nil {
		t.Fatalf("getAllProcessInfo on %s: %v", c.Endpoint(), err)
	}
	m := map[string]int{}
	for _, i := range infos {
		m[i.Namespec()] = i.Pid
	}
	return m
}

// testAccWriteProgram writes (body != "") or removes (body == "") the program file dir/name.conf.
func testAccWriteProgram(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, name+".conf")
	if body == "" {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testAccProgram is the text of a sleep program file.
func testAccProgram(name string, autostart bool, extra string) string {
	return fmt.Sprintf("[program:%s]\ncommand = /bin/sh -c \"exec sleep 100000\"\nautostart = %t\nautorestart = false\n"+
		"startsecs = 1\nstartretries = 0\nstopwaitsecs = 2\n%s", name, autostart, extra)
}
