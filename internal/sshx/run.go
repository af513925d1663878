package sshx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"golang.org/x/crypto/ssh"
)

// Run runs cmd on the server with opt's streams, writing output as it
// arrives. It returns the command's exit status; a command killed by a
// signal gives 128+n, as in a shell. When no status can be had it returns
// -1 and an error: one wrapping ErrConnectionLost when the connection
// went (whether the command finished is then unknown), ctx's error when
// ctx ended first (the command is then sent SIGTERM and its session
// closed). Nothing is written to opt's streams after Run returns.
func (c *Client) Run(ctx context.Context, cmd string, opt RunOptions) (int, error) {
	if err := ctx.Err(); err != nil {
		return -1, fmt.Errorf("ssh %s: run: %w", c.name, context.Cause(ctx))
	}
	stdout, stderr := newGate(opt.Stdout), newGate(opt.Stderr)
	defer stdout.shut()
	defer stderr.shut()
	session, err := c.start(ctx, cmd, opt.Stdin, stdout, stderr)
	if err != nil {
		return -1, err
	}
	defer session.Close()

	waited := make(chan error, 1)
	go func() { waited <- session.Wait() }()
	select {
	case err = <-waited:
	case <-ctx.Done():
		// Stop the command and close its session. Run does not wait for
		// the server to confirm: sshd keeps a session open until its
		// command's output closes, and delivers signals only for non-root
		// logins, so a quiet command can outlive the session (it dies at
		// its next write). Work that must survive a disconnect is started
		// detached (systemd-run) and watched, never tied to a session.
		session.Signal(ssh.SIGTERM)
		session.Close()
		return -1, fmt.Errorf("ssh %s: command stopped: %w", c.name, context.Cause(ctx))
	}
	return c.exitStatus(err)
}

// start opens a session and starts cmd in it. Both wait for the server's
// answer, so they run aside and ctx can end the wait.
func (c *Client) start(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) (*ssh.Session, error) {
	type result struct {
		session *ssh.Session
		err     error
	}
	started := make(chan result, 1)
	go func() {
		session, err := c.conn.NewSession()
		if err != nil {
			started <- result{nil, err}
			return
		}
		session.Stdin, session.Stdout, session.Stderr = stdin, stdout, stderr
		if err := session.Start(cmd); err != nil {
			session.Close()
			started <- result{nil, err}
			return
		}
		started <- result{session, nil}
	}()
	select {
	case r := <-started:
		if r.err == nil {
			return r.session, nil
		}
		if !c.alive(c.timings.probeTimeout) {
			return nil, c.lostError("before the command could start")
		}
		return nil, fmt.Errorf("ssh %s: the server refused to run the command: %w", c.name, r.err)
	case <-ctx.Done():
		go func() {
			if r := <-started; r.session != nil {
				r.session.Signal(ssh.SIGTERM)
				r.session.Close()
			}
		}()
		return nil, fmt.Errorf("ssh %s: command not started: %w", c.name, context.Cause(ctx))
	}
}

// exitStatus makes the end of a session into Run's result.
func (c *Client) exitStatus(err error) (int, error) {
	var exit *ssh.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		return exit.ExitStatus(), nil
	case errors.Is(err, io.EOF):
		// Only the copy of stdin fails this way, after the command exited
		// 0 without reading all of it (x/crypto reports the exit status
		// first when it is not 0).
		return 0, nil
	}
	// No exit status: either the connection went (the usual case: reboot,
	// network), or the server closed the session without one.
	if !c.alive(c.timings.probeTimeout) {
		return -1, c.lostError("before the command finished")
	}
	var missing *ssh.ExitMissingError
	if errors.As(err, &missing) {
		return -1, fmt.Errorf("ssh %s: the server ended the command without an exit status: %w", c.name, err)
	}
	return -1, fmt.Errorf("ssh %s: command streams: %w", c.name, err)
}

// gate passes writes on until shut, so that a session that outlives a
// cancelled Run cannot write to the caller's streams afterwards.
type gate struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

func newGate(w io.Writer) *gate {
	if w == nil {
		w = io.Discard
	}
	return &gate{w: w}
}

func (g *gate) Write(b []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return len(b), nil
	}
	return g.w.Write(b)
}

func (g *gate) shut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
}
