package sshx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// backoff is how WaitForSSH spaces its attempts: from first, doubling, up
// to most. Tests shorten it.
type backoff struct {
	first, most time.Duration
	attempt     time.Duration // one attempt's bound
}

// A droplet's SSH answers 20–90 s after it is active or rebooted
// (reference/timings.md): a quarter second first, for the sandbox and
// fast boots, then no more than one attempt every five seconds.
var defaultBackoff = backoff{first: 250 * time.Millisecond, most: 5 * time.Second, attempt: time.Minute}

// WaitForSSH calls dial until it connects, while the server boots or
// reboots: a refused, closed, reset or timed-out connection is tried again,
// with backoff, until ctx ends. Anything else is returned at once, above
// all a *HostKeyMismatchError, which waiting never fixes. report, when
// not nil, hears of each failed attempt and how long the wait has taken.
func WaitForSSH(ctx context.Context, dial func(ctx context.Context) (*Client, error),
	report func(waited time.Duration, err error)) (*Client, error) {
	return waitForSSH(ctx, dial, report, defaultBackoff)
}

func waitForSSH(ctx context.Context, dial func(ctx context.Context) (*Client, error),
	report func(waited time.Duration, err error), b backoff) (*Client, error) {
	start := time.Now()
	pause := b.first
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, b.attempt)
		c, err := dial(attemptCtx)
		cancel()
		if err == nil {
			return c, nil
		}
		waited := time.Since(start).Round(time.Millisecond)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ssh did not answer within %s (last: %v): %w", waited, err, context.Cause(ctx))
		}
		if !retryable(err) {
			return nil, err
		}
		if report != nil {
			report(waited, err)
		}
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("ssh did not answer within %s (last: %v): %w",
				time.Since(start).Round(time.Millisecond), err, context.Cause(ctx))
		case <-timer.C:
		}
		pause = min(2*pause, b.most)
	}
}

// retryable tells whether a failed connection is one a booting server
// gives: nothing listening yet, the connection closed or reset during the
// handshake, no answer in time.
func retryable(err error) bool {
	var mismatch *HostKeyMismatchError
	if errors.As(err, &mismatch) || errors.Is(err, ErrAuthRefused) {
		return false
	}
	for _, transient := range []error{
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EHOSTUNREACH,
		syscall.ENETUNREACH, syscall.ETIMEDOUT, syscall.EPIPE,
		io.EOF, io.ErrUnexpectedEOF, os.ErrDeadlineExceeded, context.DeadlineExceeded, ErrConnectionLost,
	} {
		if errors.Is(err, transient) {
			return true
		}
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	// The sandbox's dialer says "connection refused" in words, without the
	// errno, for a droplet that is down.
	return strings.Contains(err.Error(), "connection refused")
}
