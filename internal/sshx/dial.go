package sshx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/chapterctl/chapterctl/internal/netx"
)

// timings bounds every wait of a connection. Tests shorten them.
type timings struct {
	connect   time.Duration // TCP connect
	handshake time.Duration // key exchange and login
	// keepAliveInterval is how often an idle or busy connection is
	// checked; keepAliveTimeout how long an answer may take before the
	// connection counts as lost (OpenSSH's ServerAliveInterval 15 and
	// ServerAliveCountMax 3 give up after 45 s, as here).
	keepAliveInterval time.Duration
	keepAliveTimeout  time.Duration
	// probeTimeout bounds the check, after a command ended without an
	// exit status, of whether the connection is still there.
	probeTimeout time.Duration
}

var defaultTimings = timings{
	connect: 30 * time.Second, handshake: 30 * time.Second,
	keepAliveInterval: 15 * time.Second, keepAliveTimeout: 30 * time.Second,
	probeTimeout: 10 * time.Second,
}

// Client is one authenticated SSH connection whose host key was the pinned
// one. It is safe for concurrent use: each Run is its own session.
type Client struct {
	conn    *ssh.Client
	name    string // user@host:port, for errors
	timings timings

	done   chan struct{} // closed when the connection has ended
	mu     sync.Mutex
	closed bool // Close was called: later errors say so, not "lost"
}

// Dial connects to addr (host:port; port 22 when absent) through dialer
// and logs in as user with signer. The server must show exactly hostKey:
// any other key is a *HostKeyMismatchError, and only hostKey's algorithms
// are offered. Connecting and logging in are bounded by ctx and by
// built-in timeouts; once connected, keepalives notice a dead connection.
func Dial(ctx context.Context, dialer netx.Dialer, addr, user string, signer ssh.Signer, hostKey ssh.PublicKey) (*Client, error) {
	return dial(ctx, dialer, addr, user, signer, hostKey, defaultTimings)
}

func dial(ctx context.Context, dialer netx.Dialer, addr, user string, signer ssh.Signer, hostKey ssh.PublicKey, t timings) (*Client, error) {
	if dialer == nil || signer == nil || hostKey == nil || user == "" {
		return nil, errors.New("ssh: dial needs a dialer, a user, a key and the pinned host key")
	}
	addr = withDefaultPort(addr)
	name := user + "@" + addr

	connectCtx, cancel := context.WithTimeout(ctx, t.connect)
	nc, err := dialer.DialContext(connectCtx, "tcp", addr)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ssh %s: connect: %w", name, context.Cause(ctx))
		}
		return nil, fmt.Errorf("ssh %s: connect: %w", name, err)
	}

	conn, err := handshake(ctx, nc, addr, user, signer, hostKey, t.handshake)
	if err != nil {
		var mismatch *HostKeyMismatchError
		switch {
		case errors.As(err, &mismatch):
			return nil, mismatch
		case noKeyOfType(err):
			return nil, &HostKeyMismatchError{Addr: addr, KeyType: hostKey.Type(), Want: Fingerprint(hostKey)}
		case ctx.Err() != nil:
			return nil, fmt.Errorf("ssh %s: log in: %w", name, context.Cause(ctx))
		case strings.Contains(err.Error(), "unable to authenticate"):
			return nil, fmt.Errorf("ssh %s: %w (key %s): check that the droplet was created with the chapter's key",
				name, ErrAuthRefused, Fingerprint(signer.PublicKey()))
		case errors.Is(err, io.EOF):
			return nil, fmt.Errorf("ssh %s: the server closed the connection before login (is sshd up yet?): %w", name, err)
		}
		return nil, fmt.Errorf("ssh %s: log in: %w", name, err)
	}
	c := &Client{conn: conn, name: name, timings: t, done: make(chan struct{})}
	go func() {
		conn.Wait()
		close(c.done)
	}()
	go c.keepAlive()
	return c, nil
}

// handshake runs the SSH handshake on nc within the handshake timeout and
// ctx: either ending closes nc, which fails the handshake at once.
func handshake(ctx context.Context, nc net.Conn, addr, user string, signer ssh.Signer, hostKey ssh.PublicKey, timeout time.Duration) (*ssh.Client, error) {
	config := &ssh.ClientConfig{
		User:              user,
		Auth:              []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback:   pinnedHostKey(hostKey),
		HostKeyAlgorithms: hostKeyAlgorithms(hostKey),
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	nc.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	conn, chans, reqs, err := ssh.NewClientConn(nc, addr, config)
	if err != nil {
		nc.Close()
		if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
			// The connection's deadline was ctx's and may fire a hair
			// before ctx does: let ctx catch up, so the caller sees it.
			<-ctx.Done()
		}
		return nil, err
	}
	if !stop() {
		conn.Close()
		return nil, context.Cause(ctx)
	}
	// From here on keepalives, not a deadline, notice a dead server: a
	// command may rightly run for many minutes.
	nc.SetDeadline(time.Time{})
	return ssh.NewClient(conn, chans, reqs), nil
}

// withDefaultPort adds SSH's port to an address that has none.
func withDefaultPort(addr string) string {
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	return net.JoinHostPort(strings.Trim(addr, "[]"), "22")
}

// Close ends the connection and every command running on it.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	err := c.conn.Close()
	<-c.done
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// isClosed tells whether Close was called.
func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// ended tells whether the connection has ended.
func (c *Client) ended() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// keepAlive asks the server for an answer at every interval and drops the
// connection when none comes in time: a server that vanished without a
// word (powered off, network cut) would otherwise leave Run waiting
// forever.
func (c *Client) keepAlive() {
	tick := time.NewTicker(c.timings.keepAliveInterval)
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-tick.C:
		}
		if !c.alive(c.timings.keepAliveTimeout) {
			return
		}
	}
}

// alive sends a keepalive and tells whether the server replied within
// timeout (any reply counts: OpenSSH answers unknown requests with a
// failure). A connection that does not answer is closed: it is lost.
func (c *Client) alive(timeout time.Duration) bool {
	if c.ended() {
		return false
	}
	reply := make(chan error, 1)
	go func() {
		_, _, err := c.conn.SendRequest("keepalive@openssh.com", true, nil)
		reply <- err
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var err error
	select {
	case err = <-reply:
	case <-timer.C:
		err = os.ErrDeadlineExceeded
	case <-c.done:
		err = net.ErrClosed
	}
	if err != nil {
		c.conn.Close()
		return false
	}
	return true
}

// lostError is the error for work cut short because the connection ended;
// when says what was cut short ("before the command finished").
func (c *Client) lostError(when string) error {
	if c.isClosed() {
		return fmt.Errorf("ssh %s: the connection was closed by chapterctl %s: %w", c.name, when, net.ErrClosed)
	}
	return fmt.Errorf("ssh %s: %w %s (the server may be rebooting or unreachable); reconnect, and check what was done before retrying",
		c.name, ErrConnectionLost, when)
}
