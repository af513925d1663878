// Package waitx has the one way chapterctl waits: for a time, or until the
// context ends, whichever comes first. Every retry, poll and backoff uses
// it, so Ctrl-C always cuts a wait short.
package waitx

import (
	"context"
	"math/rand/v2"
	"time"
)

// Sleep waits for d or until ctx ends; it returns ctx's error in the latter
// case. A d of zero or less returns at once (with ctx's error, if any).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Backoff is the pause after the n-th failure (from 1): doubling from
// first, capped at most, with ±25% jitter so that many chapters run from
// one script do not retry in step.
func Backoff(first, most time.Duration, n int) time.Duration {
	d := first << (n - 1)
	if d > most || d <= 0 {
		d = most
	}
	return time.Duration(float64(d) * (0.75 + rand.Float64()/2))
}

// FitsDeadline tells whether waiting d still leaves ctx time to make the
// request: if not, failing now says more than failing later.
func FitsDeadline(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) > d
}
