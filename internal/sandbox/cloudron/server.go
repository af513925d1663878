// Package cloudron simulates the box API of a Cloudron server for the
// sandbox (reference/cloudron.md §12): first-time setup that waits for the
// dashboard's DNS, activation, tokens, users and 2FA, apps installed by
// tasks that wait for their DNS records, mail with a live status, updates
// and backups. Routes follow the installed version (8.x or 9.x).
//
// Everything long-running is stored as start times and deadlines in the
// world and derived when a request comes in: no goroutine owns state, so a
// world saved by a killed process carries on in the next one.
package cloudron

import (
	"context"
	"crypto/tls"
	"net/http"
	"sync"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Deps is what the Cloudron needs from the rest of the simulated world.
// The sandbox assembler provides it; tests give a fake.
type Deps interface {
	// SettleMachine brings the droplet's machine up to date with the clock
	// (droplet.Settle): an install that has finished creates the Cloudron
	// only when someone looks.
	SettleMachine()
	// LookupAuthoritative answers name/qtype as the zone's authoritative
	// servers all serve it now: addresses for "A" (CNAME chains followed),
	// host names for "NS". No data is (nil, nil); an error means the
	// servers could not be asked or disagree.
	LookupAuthoritative(ctx context.Context, name, qtype string) ([]string, error)
	// LookupResolver answers through the server's own resolver (unbound on
	// 127.0.0.1): addresses for "A", "<preference> <host>" for "MX", one
	// string per TXT record with its character-strings joined, host names
	// for "NS". No data is (nil, nil).
	LookupResolver(ctx context.Context, name, qtype string) ([]string, error)
	// PTR is the reverse DNS of ip through the server's resolver.
	PTR(ctx context.Context, ip string) ([]string, error)
	// Port25Blocked tells whether outbound TCP 25 from the droplet is
	// blocked (DigitalOcean's smtp_blocked, or the cloud firewall).
	Port25Blocked() bool
	// SMTPLogin logs in to an SMTP relay as Cloudron's relay check does;
	// nil when the login succeeds, else the server's error.
	SMTPLogin(ctx context.Context, host string, port int, username, password string) error
	// IssueCertificate is the simulated Let's Encrypt: a certificate for
	// hosts, signed by the sandbox CA, valid between the two times. An
	// error is a failed challenge (port 80 closed, DNS not there).
	IssueCertificate(ctx context.Context, notBefore, notAfter time.Time, hosts ...string) (tls.Certificate, error)
}

// lookupTimeout bounds each DNS question and SMTP login, as Cloudron's own
// checks do (5 s).
const lookupTimeout = 5 * time.Second

type server struct {
	w         *world.World
	dropletID int
	deps      Deps
	mux       *http.ServeMux
	// advancing serialises catching up with the clock, so that two
	// requests do not both issue the certificate of one finished install.
	advancing sync.Mutex
}

// New returns the box API (base path /api/v1) of the Cloudron on droplet
// dropletID's machine. While no Cloudron runs there (not installed yet,
// droplet off or rebooting, the box restarting for an update), every
// request gets nginx's 502 Bad Gateway page. The assembler should not
// route the droplet's port 443 at all before the installer has created the
// Cloudron: a connection refused is what the real droplet gives then.
func New(w *world.World, dropletID int, deps Deps) http.Handler {
	s := &server{w: w, dropletID: dropletID, deps: deps}
	s.mux = s.routes()
	return w.Journaled("cloudron", http.HandlerFunc(s.serve))
}

func (s *server) serve(rw http.ResponseWriter, r *http.Request) {
	s.w.InjectLatency(r.Context())
	s.deps.SettleMachine()
	s.advance(r.Context())
	if !s.up() {
		badGateway(rw)
		return
	}
	s.mux.ServeHTTP(rw, r)
}

// up tells whether the box process answers: the machine says so (a
// Cloudron exists, booted, box service running) on an active droplet, and
// the box is not restarting for an update.
func (s *server) up() bool {
	now := s.w.Now()
	up := false
	s.w.Read(func(d *world.Data) {
		dr := d.DropletByID(s.dropletID)
		m := d.MachineOf(s.dropletID)
		if dr == nil || m == nil || dr.StatusAt(now) != "active" || !m.BoxAnswering(now) {
			return
		}
		up = !restarting(m.Cloudron, now)
	})
	return up
}

// read runs fn on the Cloudron (and the whole world) if there is one.
func (s *server) read(fn func(c *world.Cloudron, d *world.Data)) bool {
	found := false
	s.w.Read(func(d *world.Data) {
		if m := d.MachineOf(s.dropletID); m != nil && m.Cloudron != nil {
			found = true
			fn(m.Cloudron, d)
		}
	})
	return found
}

// update changes the Cloudron through w.Update (point names the mutation).
func (s *server) update(ctx context.Context, point string, fn func(c *world.Cloudron, d *world.Data) error) error {
	return s.w.Update(ctx, point, func(d *world.Data) error {
		m := d.MachineOf(s.dropletID)
		if m == nil || m.Cloudron == nil {
			return errGone
		}
		return fn(m.Cloudron, d)
	})
}

// settle changes the Cloudron as the passage of time does (not marked as
// the request's mutation).
func (s *server) settle(fn func(c *world.Cloudron, d *world.Data)) {
	s.w.Settle(func(d *world.Data) {
		if m := d.MachineOf(s.dropletID); m != nil && m.Cloudron != nil {
			fn(m.Cloudron, d)
		}
	})
}

// dropletIP is the droplet's public IPv4 ("" if the droplet is gone).
func dropletIP(d *world.Data, dropletID int) string {
	if dr := d.DropletByID(dropletID); dr != nil {
		return dr.PublicIPv4
	}
	return ""
}

// scaled is w.Scaled for use inside world callbacks, where calling the
// world again would deadlock.
func scaled(d *world.Data, sim time.Duration) time.Duration {
	return time.Duration(float64(sim) * d.TimeScale)
}
