// Package droplet simulates a droplet as chapterctl reaches it over SSH:
// OpenSSH's sshd (public keys only, root only, exec requests), a bash
// that runs each command over the machine's virtual file system with the
// programs an Ubuntu droplet has, and Cloudron's installer, cloudron-setup.
//
// The machine lives in the world (world.Machine): its files, its boots,
// the installer's run. Progress is stored as start times and deadlines and
// derived when someone looks (Settle), so a machine left by a killed
// process carries on in the next one. Nothing here ever runs a host
// program or touches the host's files.
package droplet

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"golang.org/x/crypto/ssh"
)

// ErrServerClosed is what Serve returns once Close was called.
var ErrServerClosed = errors.New("droplet: ssh server closed")

// handshakeTimeout bounds a client that connects and says nothing (real
// time: sshd's LoginGraceTime is a wall-clock limit too).
const handshakeTimeout = 30 * time.Second

// Server is the SSH server of one droplet. The lead routes the droplet's
// address:22 to a listener given to Serve.
type Server struct {
	w         *world.World
	dropletID int
	fs        fsys

	// ctx lives until Close; boot until the machine's next reboot (every
	// process on the machine runs under it: sessions, and programs whose
	// output goes to files, like a detached installer).
	ctx     context.Context
	cancel  context.CancelFunc
	boot    context.Context
	endBoot context.CancelFunc

	mu        sync.Mutex
	listeners map[net.Listener]bool
	conns     map[*connection]bool
	impostor  ssh.Signer // the key the ssh-host-key-changed fault presents
	closed    bool
	wg        sync.WaitGroup
}

// NewServer makes the SSH server of droplet dropletID.
func NewServer(w *world.World, dropletID int) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{w: w, dropletID: dropletID, fs: fsys{w: w, id: dropletID}, ctx: ctx, cancel: cancel,
		listeners: map[net.Listener]bool{}, conns: map[*connection]bool{}}
	s.boot, s.endBoot = context.WithCancel(ctx)
	return s
}

// currentBoot is the context of the machine's processes now.
func (s *Server) currentBoot() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.boot
}

// Serve accepts connections on ln until Close. Before the droplet has
// booted (and while it reboots or is off) each connection is closed at
// once, as a port nothing listens on would refuse it.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.listeners[ln] = true
	s.mu.Unlock()
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return ErrServerClosed
			}
			return err
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(nc)
		}()
	}
}

// Close stops the listeners, drops every connection and waits for their
// sessions to end.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for ln := range s.listeners {
		ln.Close()
	}
	conns := s.connList()
	s.mu.Unlock()
	s.cancel()
	for _, c := range conns {
		c.drop()
	}
	s.wg.Wait()
	return nil
}

func (s *Server) connList() []*connection {
	var list []*connection
	for c := range s.conns {
		list = append(list, c)
	}
	return list
}

// dropAll ends every process and connection, as a reboot or power-off does.
func (s *Server) dropAll() {
	s.mu.Lock()
	conns := s.connList()
	s.endBoot()
	s.boot, s.endBoot = context.WithCancel(s.ctx)
	s.mu.Unlock()
	for _, c := range conns {
		c.drop()
	}
}

// sshdState is what sshd is at one instant.
type sshdState struct {
	up        bool // the droplet is on and booted
	answering bool // and sshd runs
	hostKey   string
	version   string
	bootStart time.Time
}

// state brings the machine up to date and reads what sshd is now.
func (s *Server) state() sshdState {
	Settle(s.w, s.dropletID)
	now := s.w.Now()
	var st sshdState
	s.w.Read(func(d *world.Data) {
		dr, m := d.DropletByID(s.dropletID), d.MachineOf(s.dropletID)
		if dr == nil || m == nil || dr.StatusAt(now) != "active" {
			return
		}
		up := !now.Before(m.BootedAt)
		st = sshdState{
			up: up, answering: up && !m.SSHDown,
			hostKey: m.HostKey, version: imageOf(m.Image).sshVersion, bootStart: m.BootStartedAt,
		}
	})
	return st
}

// rebooted drops the connections of an earlier boot, or all when the
// droplet is down (a reboot or power-off made through the DigitalOcean
// API is only noticed when someone looks). sshd failing to restart does
// not end the connections it already has.
func (s *Server) rebooted(st sshdState) {
	s.mu.Lock()
	stale := false
	for c := range s.conns {
		if !c.bootStart.Equal(st.bootStart) || !st.up {
			stale = true
		}
	}
	s.mu.Unlock()
	if stale {
		s.dropAll()
	}
}

// hostKey is the key this connection is shown: the machine's, or a man in
// the middle's while the ssh-host-key-changed fault is on.
func (s *Server) hostKey(st sshdState) (ssh.Signer, error) {
	if _, mitm := s.w.Fault(FaultHostKeyChanged); mitm {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.impostor == nil {
			private, _, err := newHostKey("root@impostor")
			if err != nil {
				return nil, err
			}
			if s.impostor, err = parseHostKey(private); err != nil {
				return nil, err
			}
		}
		return s.impostor, nil
	}
	return parseHostKey(st.hostKey)
}
