package droplet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"golang.org/x/crypto/ssh"
)

// session is one exec request: a command run by bash, with the channel as
// its standard streams.
type session struct {
	srv    *Server
	conn   *connection
	fs     fsys
	id     string // names the session as an installer's owner
	ch     ssh.Channel
	stdout io.Writer
	stderr io.Writer
	ctx    context.Context
	cancel context.CancelCauseFunc
	rec    *world.Request
	// holds counts programs still writing to the channel: like sshd, the
	// session ends when the command has exited and they are done.
	holds      sync.WaitGroup
	client     string // "address port", for SSH_CLIENT
	serverAddr string
}

// signalled is why a command stops when the client sends a signal.
type signalled struct{ name string }

func (e signalled) Error() string { return "signal " + e.name }

func (c *connection) serveSession(nch ssh.NewChannel) {
	ch, reqs, err := nch.Accept()
	if err != nil {
		return
	}
	var s *session
	for req := range reqs {
		switch req.Type {
		case "exec", "shell":
			if s != nil {
				req.Reply(false, nil)
				continue
			}
			var payload struct{ Command string }
			if req.Type == "exec" && ssh.Unmarshal(req.Payload, &payload) != nil {
				req.Reply(false, nil)
				continue
			}
			req.Reply(true, nil)
			s = c.newSession(ch, req.Type, payload.Command)
			go s.serve(req.Type, payload.Command)
		case "env":
			var env struct{ Name, Value string }
			ssh.Unmarshal(req.Payload, &env)
			// Ubuntu's sshd_config: AcceptEnv LANG LC_*. The value itself
			// changes nothing here.
			req.Reply(env.Name == "LANG" || strings.HasPrefix(env.Name, "LC_"), nil)
		case "signal":
			var sig struct{ Signal string }
			if ssh.Unmarshal(req.Payload, &sig) == nil && s != nil {
				s.cancel(signalled{sig.Signal})
			}
			req.Reply(false, nil)
		default:
			// No terminals, subsystems (sftp), agent or X11 forwarding.
			req.Reply(false, nil)
		}
	}
	if s == nil {
		ch.Close()
	}
}

func (c *connection) newSession(ch ssh.Channel, kind, command string) *session {
	idBytes := make([]byte, 8)
	rand.Read(idBytes)
	s := &session{srv: c.srv, conn: c, fs: c.srv.fs, id: hex.EncodeToString(idBytes), ch: ch,
		client: hostPort(c.sc.RemoteAddr()), serverAddr: hostOnly(c.sc.LocalAddr())}
	// The shell outlives the connection as bash does: without a terminal
	// nothing signals it, it dies at its first write to the dead channel
	// (see channelWriter), or with the server.
	ctx, rec := world.WithRequest(c.srv.currentBoot(), "ssh", kind, command)
	s.ctx, s.rec = ctx, rec
	s.ctx, s.cancel = context.WithCancelCause(ctx)
	s.stdout = &channelWriter{s: s, w: ch}
	s.stderr = &channelWriter{s: s, w: ch.Stderr()}
	return s
}

// errBrokenPipe is why the shell stops when it writes to a channel whose
// connection is gone: SIGPIPE.
var errBrokenPipe = errors.New("broken pipe")

// channelWriter is the session's standard output or error.
type channelWriter struct {
	s *session
	w io.Writer
}

func (c *channelWriter) Write(b []byte) (int, error) {
	if c.s.conn.ctx.Err() != nil {
		c.s.cancel(errBrokenPipe)
		return 0, syscall.EPIPE
	}
	n, err := c.w.Write(b)
	if err != nil {
		c.s.cancel(errBrokenPipe)
		return n, syscall.EPIPE
	}
	return n, nil
}

// serve runs the session's command and reports how it ended, with a
// journal line: service ssh, method exec (or shell), the command, its
// exit status (255 when the connection went first).
func (s *session) serve(kind, command string) {
	liveSessions.Store(s.id, true)
	defer liveSessions.Delete(s.id)
	ctx := s.ctx
	s.srv.w.InjectLatency(ctx)
	s.srv.rebooted(s.srv.state()) // a reboot through the API ends this connection too
	status := 1
	if kind == "shell" {
		fmt.Fprintln(s.stderr, "chapterctl sandbox: this droplet runs commands, not interactive shells: ssh root@HOST 'COMMAND'")
	} else {
		status = s.runScript(ctx, script{src: command, name: "bash"}, s.ch, s.stdout, s.stderr)
	}
	s.finish(ctx, status)
	s.holds.Wait()
	if errors.Is(context.Cause(s.conn.ctx), errConnectionLost) {
		status = 255
	}
	// The journal line is written before the client sees the channel
	// close, so that it can read the journal right after.
	s.srv.w.Finish(s.rec, status)
	s.ch.CloseWrite()
	s.ch.Close()
}

// finish sends the command's end: exit-signal when a client's signal
// stopped it, else exit-status.
func (s *session) finish(ctx context.Context, status int) {
	var sig signalled
	if errors.As(context.Cause(ctx), &sig) {
		s.ch.SendRequest("exit-signal", false, ssh.Marshal(struct {
			Signal     string
			CoreDumped bool
			Error      string
			Lang       string
		}{Signal: sig.name}))
		return
	}
	s.ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(status)}))
}

// attachedTo tells whether a program's output reaches the session's
// channel (it dies with it), as opposed to files.
func attachedTo(p *proc) bool { return !detached(p.stdout) || !detached(p.stderr) }

func hostPort(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host + " " + port
}

func hostOnly(a net.Addr) string {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
