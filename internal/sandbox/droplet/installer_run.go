package droplet

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"syscall"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// install starts a run and follows it: it prints the script's output as
// the clock reaches each write, and ends as the script does. A run whose
// output reaches the SSH channel dies with the channel (at its next
// write); one whose output goes to files carries on without the session.
func (p *proc) install(req installRequest) int {
	if p.ctx.Err() != nil {
		return 1 // the machine went down before the script got here
	}
	attached := attachedTo(p)
	now := p.now()
	var in world.Installer
	var urls []string
	concurrent := false
	err := p.s.fs.w.Update(p.ctx, "droplet.installer.start", func(d *world.Data) error {
		m := d.MachineOf(p.s.fs.id)
		if m == nil {
			return errNoMachine
		}
		if m.Installer != nil && running(m.Installer, now) {
			concurrent = true
			return nil
		}
		dr := d.DropletByID(p.s.fs.id)
		started := startRun(d, m, dr, req, now)
		if attached {
			started.Owner, started.SeenAt = p.s.id, now
		}
		in, urls = *started, dashboardURLs(dr, started)
		return nil
	})
	if err != nil {
		return p.errorf(1, "%v", err)
	}
	if concurrent {
		// The first run holds apt's lock, so the second's apt-get update
		// fails (unverified: newer scripts may wait for the lock instead).
		io.WriteString(p.stdout, stdoutWrites(&world.Installer{StartedAt: now}, req.requested, nil, 0)[0].text)
		io.WriteString(p.stdout, "Could not update package repositories. See "+setupLog+"\n")
		return 1
	}
	dropAt := time.Time{}
	if p.s.fs.w.TakeFault(FaultDropMidInstall) {
		dropAt = at(&in, 0.5)
	}
	return p.follow(&in, req.requested, urls, attached, dropAt)
}

// startRun records a new run on the machine. What an earlier run left
// (packages, unit files) stays as the machine's own files; the log starts
// afresh.
func startRun(d *world.Data, m *world.Machine, dr *world.Droplet, req installRequest, now time.Time) *world.Installer {
	if m.Installer != nil {
		before := buildTree(m, dr, now)
		ensureMaps(m)
		for _, p := range []string{"/usr/sbin/nginx", "/usr/bin/docker", "/usr/bin/node", "/usr/bin/mysql",
			"/etc/cloudron/PROVIDER", "/etc/cloudron/SETUP_TOKEN", boxUnitPath} {
			if n, ok := before.lookup(p); ok {
				putFile(m, before, p, n.content, n.mode)
			}
		}
	}
	for _, p := range []string{setupLog, "/etc/update-motd.d/91-cloudron-install-in-progress"} {
		delete(m.Files, p)
		delete(m.Removed, p)
	}
	aptFree := now
	if m.CloudInitDoneAt.After(now) {
		aptFree = m.CloudInitDoneAt
	}
	work := scaled(d, installDuration)
	in := &world.Installer{Version: req.version, Args: req.args, StartedAt: now, AptFreeAt: aptFree,
		FinishesAt: aptFree.Add(work), Provider: req.provider, SkipReboot: req.skip, SetupToken: req.token,
		Failure: req.failure}
	if req.failure != "" {
		in.FinishesAt = aptFree.Add(time.Duration(fracVersion * float64(work)))
	}
	m.Installer = in
	return in
}

// follow writes the run's output as time passes and ends it.
func (p *proc) follow(in *world.Installer, requested string, urls []string, attached bool, dropAt time.Time) int {
	ctx := p.ctx
	writes := stdoutWrites(in, requested, urls, p.s.fs.w.Scaled(readyPoll))
	for _, w := range writes {
		if !dropAt.IsZero() && dropAt.Before(w.at) {
			if waitUntil(ctx, dropAt) {
				p.s.conn.drop()
			}
			dropAt = time.Time{}
		}
		if !waitUntil(ctx, w.at) {
			return p.hangUp(ctx, in, writes)
		}
		io.WriteString(p.stdout, w.text)
		if attached {
			p.s.fs.w.Settle(func(d *world.Data) {
				if cur := p.current(d, in); cur != nil && cur.Owner == p.s.id {
					cur.SeenAt = w.at
				}
			})
		}
	}
	return p.endRun(in)
}

// current is the machine's installer if it is still the run in.
func (p *proc) current(d *world.Data, in *world.Installer) *world.Installer {
	m := d.MachineOf(p.s.fs.id)
	if m == nil || m.Installer == nil || !m.Installer.StartedAt.Equal(in.StartedAt) {
		return nil
	}
	return m.Installer
}

// waitUntil waits for the real instant at, or for ctx; it tells which.
func waitUntil(ctx context.Context, at time.Time) bool {
	d := time.Until(at)
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// hangUp records how the script died when its session went: killed at
// once by a client's signal, or at its next write to a channel that is
// gone (SIGPIPE). A run whose output goes to files only stops being
// followed (the server is closing); the clock carries it on.
func (p *proc) hangUp(ctx context.Context, in *world.Installer, writes []output) int {
	now := p.now()
	var sig signalled
	signalledBy := errors.As(context.Cause(ctx), &sig)
	if in.Owner == "" && !signalledBy {
		return 1
	}
	code := 141
	p.s.fs.w.Settle(func(d *world.Data) {
		cur := p.current(d, in)
		if cur == nil || cur.Ended || !cur.KilledAt.IsZero() {
			return
		}
		cur.Owner = ""
		if signalledBy {
			code = 128 + int(signalNumber(sig.name))
			cur.KilledAt, cur.ExitCode, cur.Ended = now, code, true
			return
		}
		cur.KilledAt, cur.ExitCode = nextWrite(writes, now), code
	})
	return code
}

func signalNumber(name string) syscall.Signal {
	if n, ok := map[string]syscall.Signal{"HUP": syscall.SIGHUP, "INT": syscall.SIGINT, "QUIT": syscall.SIGQUIT,
		"KILL": syscall.SIGKILL, "PIPE": syscall.SIGPIPE}[name]; ok {
		return n
	}
	return syscall.SIGTERM
}

// endRun is the script's end: its failure, or the install done and,
// without --skip-reboot, the "Reboot now ? [Y/n]" read. Without a
// terminal bash shows no prompt; end of input makes read fail and the
// script exit 1 (set -e), box and MySQL stopped; "y" or an empty line
// reboots; anything else exits 0, box still stopped.
func (p *proc) endRun(in *world.Installer) int {
	Settle(p.s.fs.w, p.s.fs.id)
	code, reboot := 0, false
	switch {
	case in.Failure != "":
		code = 1
	case !in.SkipReboot:
		answer, err := bufio.NewReader(p.stdin).ReadString('\n')
		answer = strings.TrimSpace(answer)
		switch {
		case err != nil:
			code = 1
		case answer == "" || strings.HasPrefix(strings.ToLower(answer), "y"):
			reboot = true
		}
	}
	p.s.fs.w.Settle(func(d *world.Data) {
		if cur := p.current(d, in); cur != nil && !cur.Ended {
			cur.Ended, cur.ExitCode, cur.Owner = true, code, ""
		}
	})
	if reboot {
		return rebootNow(p)
	}
	return code
}
