package supvisors

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestTLSFailureNotRetried: a certificate that fails verification fails the read at once (it would fail the same
// way for the whole ready_timeout), and IsTLSFailure recognises the error.
func TestTLSFailureNotRetried(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv.URL, func(c *Config) { c.ReadyTimeout = time.Minute })
	_, err := c.GetSupvisorsState(context.Background())
	if err == nil || !IsTLSFailure(err) {
		t.Fatalf("want a TLS failure, got %v", err)
	}
	if c.Requests() != 1 || hits.Load() != 0 {
		t.Fatalf("a refused certificate was retried: %d requests (%d reached the handler)", c.Requests(), hits.Load())
	}
}
