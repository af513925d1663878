package droplet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// errConnectionLost is why a session's work stops when its connection goes.
var errConnectionLost = errors.New("ssh connection lost")

// connection is one client's SSH connection.
type connection struct {
	srv       *Server
	nc        net.Conn
	sc        *ssh.ServerConn
	ctx       context.Context // ends when the connection does
	bootStart time.Time       // the boot it was accepted in
	dropOnce  sync.Once
}

// drop closes the connection without a word, as a reboot or a network
// failure does.
func (c *connection) drop() { c.dropOnce.Do(func() { c.nc.Close() }) }

func (s *Server) handle(nc net.Conn) {
	st := s.state()
	s.rebooted(st)
	if !st.answering {
		nc.Close()
		return
	}
	signer, err := s.hostKey(st)
	if err != nil {
		nc.Close()
		return
	}
	// Tracked from the start, so that a reboot during the handshake
	// drops it too.
	ctx, cancel := context.WithCancelCause(s.ctx)
	c := &connection{srv: s, nc: nc, ctx: ctx, bootStart: st.bootStart}
	if !s.track(c) {
		nc.Close()
		cancel(errConnectionLost)
		return
	}
	defer s.untrack(c)
	cfg := &ssh.ServerConfig{ServerVersion: st.version, PublicKeyCallback: s.authorize}
	cfg.AddHostKey(signer)
	nc.SetDeadline(time.Now().Add(handshakeTimeout))
	sc, chans, reqs, err := ssh.NewServerConn(nc, cfg)
	if err != nil {
		nc.Close()
		cancel(errConnectionLost)
		return
	}
	nc.SetDeadline(time.Time{})
	c.sc = sc
	go func() {
		sc.Wait()
		cancel(errConnectionLost)
	}()
	// Global requests (tcpip-forward, keepalives): refused, as with
	// AllowTcpForwarding no.
	go ssh.DiscardRequests(reqs)
	var sessions sync.WaitGroup
	for nch := range chans {
		if nch.ChannelType() != "session" {
			nch.Reject(ssh.Prohibited, "administratively prohibited: port forwarding is disabled")
			continue
		}
		sessions.Add(1)
		go func() {
			defer sessions.Done()
			c.serveSession(nch)
		}()
	}
	sessions.Wait()
}

func (s *Server) track(c *connection) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = true
	return true
}

func (s *Server) untrack(c *connection) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}

// authorize is sshd's public-key check: user root, a key in root's
// authorized_keys as the file is now (sshd reads it at every login).
func (s *Server) authorize(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	if meta.User() != "root" {
		return nil, fmt.Errorf("invalid user %s", meta.User())
	}
	content, err := s.fs.readFile("/root/.ssh/authorized_keys")
	if err != nil {
		return nil, fmt.Errorf("no authorized keys for root")
	}
	want := key.Marshal()
	rest := []byte(content)
	for len(rest) > 0 {
		allowed, _, _, next, err := ssh.ParseAuthorizedKey(rest)
		if err != nil {
			break
		}
		if bytes.Equal(allowed.Marshal(), want) {
			return &ssh.Permissions{}, nil
		}
		rest = next
	}
	return nil, fmt.Errorf("key %s is not authorized for root", ssh.FingerprintSHA256(key))
}
