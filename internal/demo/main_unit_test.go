package main

import (
	"strings"
	"testing"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// TestWriteWhere checks the demo's table: instances by nickname (an unknown identifier as is, "-" for none),
// stopped processes on no instance left out and their applications listed once, sorted, below the table.
func TestWriteWhere(t *testing.T) {
	nick := map[string]string{"127.0.0.1:1": "node1", "127.0.0.1:2": "node2"}
	procs := []supvisors.ProcessInfo{
		{ApplicationName: "app_b", ProcessName: "side", Statename: supvisors.ProcessStopped},
		{ApplicationName: "web", ProcessName: "cache", Statename: supvisors.ProcessRunning, Identifiers: []string{"127.0.0.1:1", "10.0.0.9:7"}},
		{ApplicationName: "web", ProcessName: "server", Statename: supvisors.ProcessExited},
		{ApplicationName: "app_a", ProcessName: "main", Statename: supvisors.ProcessStopped},
		{ApplicationName: "app_b", ProcessName: "main", Statename: supvisors.ProcessStopped},
	}
	var b strings.Builder
	if err := writeWhere(&b, procs, nick); err != nil {
		t.Fatal(err)
	}
	want := "APPLICATION  PROCESS  STATE    INSTANCE\n" +
		"web          cache    RUNNING  node1,10.0.0.9:7\n" +
		"web          server   EXITED   -\n" +
		"(stopped processes not shown, in: app_a, app_b)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := writeWhere(&b, procs[1:3], nick); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "stopped processes not shown") {
		t.Errorf("no stopped line expected when every process shows:\n%s", b.String())
	}
}
