// Package waitx has the one way chapterctl waits: for a time, or until the
// context ends, whichever comes first. Every retry, poll and backoff uses
// it, so Ctrl-C always cuts a wait short.
package waitx

import (
	"context"
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
