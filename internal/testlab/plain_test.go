package testlab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPlain starts a plain supervisord: it answers without the supvisors namespace, has the plain programs and
// an empty include directory, and Stop leaves no process behind.
func TestPlain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real supervisord")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p, err := StartPlain(ctx, PlainOptions{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = p.Stop() }()
	var methods []string
	if err := rpcCall(ctx, p.URL(), p.Username(), p.Password(), "system.listMethods", &methods); err != nil {
		t.Fatal(err)
	}
	for _, m := range methods {
		if strings.HasPrefix(m, "supvisors.") {
			t.Fatalf("a plain supervisord lists %s", m)
		}
	}
	var infos []processInfo
	if err := rpcCall(ctx, p.URL(), p.Username(), p.Password(), "supervisor.getAllProcessInfo", &infos); err != nil {
		t.Fatal(err)
	}
	if len(infos) != 8 {
		t.Fatalf("%d processes, want 8 (pweb 2, psolo, pmulti 2, pfaulty 2, poneshot)", len(infos))
	}
	conf, _ := os.ReadFile(filepath.Join(p.Dir(), "etc", "supervisord.conf"))
	if !strings.Contains(string(conf), "files = "+p.IncludeDir()+"/*.conf") {
		t.Fatalf("no [include] of %s:\n%s", p.IncludeDir(), conf)
	}
	if fi, err := os.Stat(p.IncludeDir()); err != nil || !fi.IsDir() {
		t.Fatalf("include dir: %v", err)
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if left := p.ProcessesLeft(); len(left) > 0 {
		t.Fatalf("processes left: %v", left)
	}
}
