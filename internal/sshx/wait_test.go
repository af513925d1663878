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
	"testing"
	"time"
)

var quick = backoff{first: time.Millisecond, most: 4 * time.Millisecond, attempt: time.Second}

func TestRetryable(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"refused", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, true},
		{"sandbox refused", errors.New("dial tcp: sandbox: 203.0.113.10:22: connection refused"), true},
		{"reset", fmt.Errorf("log in: %w", syscall.ECONNRESET), true},
		{"no route", fmt.Errorf("connect: %w", syscall.EHOSTUNREACH), true},
		{"closed in handshake", fmt.Errorf("ssh: handshake failed: %w", io.EOF), true},
		{"timeout", fmt.Errorf("connect: %w", os.ErrDeadlineExceeded), true},
		{"attempt timeout", fmt.Errorf("connect: %w", context.DeadlineExceeded), true},
		{"lost", fmt.Errorf("run: %w", ErrConnectionLost), true},
		{"host key mismatch", &HostKeyMismatchError{Addr: "x:22", Want: "a", Got: "b"}, false},
		{"host key mismatch, wrapped", fmt.Errorf("x: %w", &HostKeyMismatchError{}), false},
		{"auth refused", fmt.Errorf("ssh: %w", ErrAuthRefused), false},
		{"not in the world", errors.New("sandbox: refusing to connect to 8.8.8.8:22: it is not part of the simulated world"), false},
	}
	for _, tc := range cases {
		if got := retryable(tc.err); got != tc.want {
			t.Errorf("%s: retryable(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

// scriptedDial fails with errs in turn, then connects.
func scriptedDial(errs ...error) (func(context.Context) (*Client, error), *int) {
	calls := 0
	return func(context.Context) (*Client, error) {
		calls++
		if calls <= len(errs) {
			return nil, errs[calls-1]
		}
		return &Client{name: "fake"}, nil
	}, &calls
}

func TestWaitForSSHRetriesWhatABootGives(t *testing.T) {
	dial, calls := scriptedDial(syscall.ECONNREFUSED, io.EOF, os.ErrDeadlineExceeded)
	var reported []error
	var waits []time.Duration
	c, err := waitForSSH(context.Background(), dial, func(waited time.Duration, err error) {
		reported, waits = append(reported, err), append(waits, waited)
	}, quick)
	if err != nil || c == nil {
		t.Fatalf("waitForSSH: %v", err)
	}
	if *calls != 4 || len(reported) != 3 {
		t.Errorf("%d calls, %d reports; want 4 and 3", *calls, len(reported))
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] < waits[i-1] {
			t.Errorf("waited times go backwards: %v", waits)
		}
	}
}

func TestWaitForSSHStopsAtOnceOnAMismatch(t *testing.T) {
	mismatch := &HostKeyMismatchError{Addr: "203.0.113.10:22", Want: "SHA256:a", Got: "SHA256:b"}
	dial, calls := scriptedDial(syscall.ECONNREFUSED, mismatch)
	reports := 0
	_, err := waitForSSH(context.Background(), dial, func(time.Duration, error) { reports++ }, quick)
	var got *HostKeyMismatchError
	if !errors.As(err, &got) || *calls != 2 || reports != 1 {
		t.Errorf("waitForSSH: %v after %d calls and %d reports; want the mismatch after 2 and 1", err, *calls, reports)
	}
}

func TestWaitForSSHGivesUpWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	refused := fmt.Errorf("connect: %w", syscall.ECONNREFUSED)
	dial := func(context.Context) (*Client, error) { return nil, refused }
	_, err := waitForSSH(ctx, dial, nil, quick)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("waitForSSH: %v, want the deadline and the last error", err)
	}
}

func TestWaitForSSHBoundsEachAttempt(t *testing.T) {
	b := quick
	b.attempt = 20 * time.Millisecond
	attempts := 0
	dial := func(ctx context.Context) (*Client, error) {
		attempts++
		if attempts == 1 {
			<-ctx.Done() // a server that never answers the first time
			return nil, ctx.Err()
		}
		return &Client{name: "fake"}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := waitForSSH(ctx, dial, nil, b); err != nil || attempts != 2 {
		t.Errorf("waitForSSH: %v after %d attempts", err, attempts)
	}
}
