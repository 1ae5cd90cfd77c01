package supvisors

import (
	"context"
	"fmt"
	"time"
)

// PollUntil calls check at once, then after each poll interval (100 ms,
// x1.5, up to max) until it reports done or an error, or until ctx ends (the
// error then wraps ctx.Err() and says the time ran out). It is for the waits
// on what the client does not wait for itself, such as a setting of each
// instance (numprocs, enabled) reaching its new value.
func PollUntil(ctx context.Context, max time.Duration, check func() (bool, error)) error {
	p := poller{max: max}
	for {
		done, err := check()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if err := p.wait(ctx); err != nil {
			return fmt.Errorf("still waiting when the time ran out: %w", err)
		}
	}
}
