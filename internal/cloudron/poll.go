package cloudron

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Polls start quick, because the sandbox's scaled tasks end in
// milliseconds, and slow down to maxPollInterval, because a real install
// takes minutes and the box need not be asked more often.
const (
	firstPollInterval = 25 * time.Millisecond
	maxPollInterval   = 5 * time.Second
)

// Bounds on the waits when the caller's context has no deadline. Cloudron
// itself waits for DNS without end in setup, and 20 minutes per app.
const (
	setupWaitLimit = 45 * time.Minute
	appWaitLimit   = time.Hour
	taskWaitLimit  = 3 * time.Hour // a backup or update of a large server
)

// withWaitLimit bounds ctx by limit unless the caller already did.
func withWaitLimit(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, limit)
}

// poll calls check until it is done or fails for good. Transient failures
// (the box restarting during an update, a dropped connection) are retried
// until ctx ends; then the last one is reported.
func poll(ctx context.Context, what string, check func(ctx context.Context) (done bool, err error)) error {
	started := time.Now()
	interval := firstPollInterval
	var lastErr error
	for {
		done, err := check(ctx)
		switch {
		case err == nil && done:
			return nil
		case err != nil && ctx.Err() != nil:
			return fmt.Errorf("gave up waiting for %s after %s: %w", what, time.Since(started).Round(time.Second), err)
		case err != nil && !transient(ctx, err):
			return err
		}
		lastErr = err
		timer := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			timer.Stop()
			waited := time.Since(started).Round(time.Second)
			if lastErr != nil {
				return fmt.Errorf("gave up waiting for %s after %s: %w (last error: %v)", what, waited, ctx.Err(), lastErr)
			}
			return fmt.Errorf("gave up waiting for %s after %s: %w", what, waited, ctx.Err())
		case <-timer.C:
		}
		interval = min(interval*2, maxPollInterval)
	}
}

// transient tells whether a failed poll is worth repeating: the box is
// down or restarting, or one request timed out while the wait goes on.
func transient(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	return Unavailable(err) || errors.Is(err, context.DeadlineExceeded)
}
