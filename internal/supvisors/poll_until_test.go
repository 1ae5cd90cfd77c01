package supvisors

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPollUntil(t *testing.T) {
	n := 0
	if err := PollUntil(context.Background(), time.Millisecond, func() (bool, error) { n++; return n == 3, nil }); err != nil || n != 3 {
		t.Fatalf("done after %d checks: %v", n, err)
	}
	boom := errors.New("boom")
	if err := PollUntil(context.Background(), time.Millisecond, func() (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Fatalf("check error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := PollUntil(ctx, time.Second, func() (bool, error) { return false, nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
