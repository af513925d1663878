package mailgun

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// sessionTimeout ends an idle SMTP session (real time), so a client that
// goes quiet does not hold a goroutine forever.
const sessionTimeout = 5 * time.Minute

// SMTPServer plays Mailgun's SMTP relay on the submission ports (587,
// 2525, 25): plain connections that upgrade with STARTTLS, then AUTH PLAIN
// or LOGIN against the domains' credentials. Mail handed to it is
// accepted and dropped.
type SMTPServer struct {
	w *world.World
	// TLSConfig serves STARTTLS. With it, AUTH is refused until the
	// connection is encrypted (unverified for Mailgun, which reportedly
	// advertises AUTH before STARTTLS too; refusing is the stricter
	// choice, and Cloudron always upgrades). Without it, STARTTLS is not
	// offered and AUTH works in the clear (for tests).
	TLSConfig *tls.Config
	// Host is the relay this listener plays, SMTPHostUS or SMTPHostEU.
	// Empty: the name the client asked for in STARTTLS (SNI), else the US
	// host; so one listener can play both.
	Host string

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	closed    bool
}

// NewSMTP returns an SMTP relay for w's Mailgun account. Set TLSConfig
// (and Host) before Serve.
func NewSMTP(w *world.World) *SMTPServer {
	return &SMTPServer{w: w, listeners: map[net.Listener]struct{}{}, conns: map[net.Conn]struct{}{}}
}

// Serve answers connections on ln until ln or the server is closed.
func (s *SMTPServer) Serve(ln net.Listener) error {
	if !s.track(ln, nil) {
		return net.ErrClosed
	}
	defer s.untrack(ln, nil)
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		if !s.track(nil, conn) {
			conn.Close()
			return nil
		}
		go func() {
			defer s.untrack(nil, conn)
			defer conn.Close()
			newSession(s, conn).run()
		}()
	}
}

// Close stops every listener and drops every session, as a server that
// dies would.
func (s *SMTPServer) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for ln := range s.listeners {
		ln.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	return nil
}

func (s *SMTPServer) track(ln net.Listener, conn net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if ln != nil {
		s.listeners[ln] = struct{}{}
	}
	if conn != nil {
		s.conns[conn] = struct{}{}
	}
	return true
}

func (s *SMTPServer) untrack(ln net.Listener, conn net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.listeners, ln)
	delete(s.conns, conn)
}
