package cloudron

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// advance brings the Cloudron up to date with the clock before a request
// is answered: the background work whose time has come (setup steps, DNS
// waits, install steps) is done as if the box had been doing it all along.
// DNS answers, certificates and keys come from outside the world's lock.
func (s *server) advance(ctx context.Context) {
	s.advancing.Lock()
	defer s.advancing.Unlock()
	// A DNS wait that ends can make the next steps due at once; their
	// certificate is then issued in the following round.
	for range 3 {
		if !s.advanceOnce(ctx) {
			return
		}
	}
}

// due is the work the clock has made due, as read from the world.
type due struct {
	ip          string
	setupDNS    string // my.<domain>, when the setup waits for it
	setupFinish bool   // the setup's certificate step has ended
	setupCrash  bool
	dashboard   string // my.<domain>, when its certificate is to be issued
	taskDNS     map[string]string
	taskCerts   []string
	taskFinish  bool // some task's last step has ended
}

func (work due) empty() bool {
	return work.setupDNS == "" && !work.setupFinish && len(work.taskDNS) == 0 && len(work.taskCerts) == 0 && !work.taskFinish
}

// outcome is what doing the due work found out.
type outcome struct {
	setupDNS   *bool
	dashboard  *world.CloudronCert // nil: issuing failed, serve the fallback
	dkim       *dkimKey
	taskDNS    map[string]bool
	certs      map[string]*world.CloudronCert
	certsAsked map[string]bool
}

func (s *server) advanceOnce(ctx context.Context) bool {
	now := s.w.Now()
	work := s.dueWork(now)
	if work.empty() {
		return false
	}
	out := s.doWork(ctx, work)
	progressed := false
	s.settle(func(c *world.Cloudron, d *world.Data) { progressed = apply(c, d, now, out) })
	return progressed
}

func (s *server) dueWork(now time.Time) due {
	work := due{taskDNS: map[string]string{}}
	s.read(func(c *world.Cloudron, d *world.Data) {
		work.ip = dropletIP(d, s.dropletID)
		if st := c.Setup; st != nil && !st.Finished {
			if st.DNSReadyAt.IsZero() && !now.Before(st.DNSWaitFrom) {
				work.setupDNS = "my." + st.Domain
			}
			if !st.DoneAt.IsZero() && !now.Before(st.DoneAt) {
				work.setupFinish, work.setupCrash = true, st.Crash
				if !st.Crash && st.TLSProvider != "fallback" {
					work.dashboard = "my." + st.Domain
				}
			}
		}
		for _, t := range c.Tasks {
			if waiting(t, now) {
				work.taskDNS[t.ID] = t.WaitHost
			}
			if t.Finished || t.EndsAt.IsZero() || now.Before(t.EndsAt) {
				continue
			}
			work.taskFinish = true
			if app := appByID(c, t.AppID); app != nil && t.Action == "install" && !t.Crash && certFor(c, app.FQDN()) == nil {
				work.taskCerts = append(work.taskCerts, app.FQDN())
			}
		}
	})
	return work
}

func (s *server) doWork(ctx context.Context, work due) outcome {
	out := outcome{taskDNS: map[string]bool{}, certs: map[string]*world.CloudronCert{}, certsAsked: map[string]bool{}}
	if work.setupDNS != "" {
		served := s.servesOnly(ctx, work.setupDNS, work.ip)
		out.setupDNS = &served
	}
	if work.setupFinish && !work.setupCrash {
		if work.dashboard != "" {
			out.dashboard, _ = issueCert(ctx, s.deps, s.w.Now(), work.dashboard, false)
		}
		out.dkim, _ = newDKIMKey()
	}
	for id, host := range work.taskDNS {
		out.taskDNS[id] = s.servesOnly(ctx, host, work.ip)
	}
	for _, host := range work.taskCerts {
		out.certsAsked[host] = true
		if cert, err := issueCert(ctx, s.deps, s.w.Now(), host, true); err == nil {
			out.certs[host] = cert
		}
	}
	return out
}

// servesOnly tells whether every authoritative server answers exactly one
// A record for host, equal to ip: Cloudron's waitForDns with a manual
// provider (cloudron.md §4).
func (s *server) servesOnly(ctx context.Context, host, ip string) bool {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := s.deps.LookupAuthoritative(ctx, host, "A")
	return err == nil && len(addrs) == 1 && addrs[0] == ip
}

// apply records what the work found and finishes whatever is now due. It
// reports whether anything moved forward (a miss only notes the time).
func apply(c *world.Cloudron, d *world.Data, now time.Time, out outcome) bool {
	progressed := applySetup(c, d, now, out)
	tasks := slices.Clone(c.Tasks)
	slices.SortStableFunc(tasks, func(a, b *world.CloudronTask) int { return a.EndsAt.Compare(b.EndsAt) })
	for _, t := range tasks {
		if served, asked := out.taskDNS[t.ID]; asked && waiting(t, now) {
			progressed = applyTaskDNS(c, d, t, now, served) || progressed
		}
		if t.Finished || t.EndsAt.IsZero() || now.Before(t.EndsAt) {
			continue
		}
		if app := appByID(c, t.AppID); app != nil && t.Action == "install" && !t.Crash &&
			certFor(c, app.FQDN()) == nil && !out.certsAsked[app.FQDN()] {
			continue // its certificate is issued in the next round
		}
		finishTask(c, d, t, out.certs)
		progressed = true
	}
	return progressed
}

func applySetup(c *world.Cloudron, d *world.Data, now time.Time, out outcome) bool {
	st := c.Setup
	if st == nil || st.Finished {
		return false
	}
	progressed := false
	if out.setupDNS != nil && st.DNSReadyAt.IsZero() {
		if *out.setupDNS {
			// The record appeared some time after the last look that missed
			// it; the box, polling all along, would have seen it then.
			st.DNSReadyAt = later(st.DNSWaitFrom, st.DNSLastMiss)
			st.DoneAt = st.DNSReadyAt.Add(scaled(d, knob(c.Options.Timings.SetupCert, setupCertDefault)))
			progressed = true
		} else {
			st.DNSLastMiss = now
		}
	}
	if st.DoneAt.IsZero() || now.Before(st.DoneAt) {
		return progressed
	}
	if st.Crash {
		st.Finished, st.Error = true, "Task setup crashed with code 1 and signal null"
		return true
	}
	if out.dkim == nil {
		return progressed // the materials are gathered in the next round
	}
	finishSetup(c, st, out)
	return true
}

// finishSetup makes my.<domain> the dashboard, with the certificate the
// simulated Let's Encrypt issued (or the domain's fallback when it could
// not), and adds the domain's mail configuration with its DKIM key.
func finishSetup(c *world.Cloudron, st *world.CloudronSetup, out outcome) {
	st.Finished = true
	if out.dashboard != nil {
		setCert(c, out.dashboard)
		c.TLSCert, c.TLSKey = out.dashboard.Normal.Cert, out.dashboard.Normal.Key
	} else if c.Fallback != nil {
		c.TLSCert, c.TLSKey = c.Fallback.Cert, c.Fallback.Key
	}
	if c.Mail == nil {
		c.Mail = map[string]*world.CloudronMail{}
	}
	c.Mail[st.Domain] = newMailDomain(st.Domain, st.Domain, out.dkim)
}

func applyTaskDNS(c *world.Cloudron, d *world.Data, t *world.CloudronTask, now time.Time, served bool) bool {
	if served {
		t.WaitReadyAt = later(t.Steps[t.Wait].At, t.WaitLastMiss)
		schedule(t, t.Wait+1, t.WaitReadyAt, d)
		return true
	}
	t.WaitLastMiss = now
	if now.Before(t.WaitDeadline) {
		return false
	}
	// The message and code of a DNS wait that timed out are (unverified).
	failTask(c, t, t.WaitDeadline, &world.CloudronError{
		Message: fmt.Sprintf("DNS Record is not synced yet: %s", t.WaitHost), Code: "timeout"})
	return true
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
