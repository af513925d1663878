package cloudron

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// setupTokenFile is where `cloudron-setup --generate-setup-token` leaves
// the one-time setup token; when it exists, the provision calls must
// carry it.
const setupTokenFile = "/etc/cloudron/SETUP_TOKEN"

func (s *server) cloudronStatus(rw http.ResponseWriter, _ *http.Request) error {
	var v string
	s.read(func(c *world.Cloudron, _ *world.Data) { v = c.Version })
	writeJSON(rw, http.StatusOK, map[string]string{"version": v})
	return nil
}

type progressJSON struct {
	Active       bool    `json:"active"`
	Message      string  `json:"message"`
	ErrorMessage *string `json:"errorMessage"`
}

func (s *server) provisionStatus(rw http.ResponseWriter, _ *http.Request) error {
	now := s.w.Now()
	var v map[string]any
	s.read(func(c *world.Cloudron, _ *world.Data) {
		var adminFqdn *string
		if dom := dashboardDomain(c); dom != "" {
			fqdn := "my." + dom
			adminFqdn = &fqdn
		}
		v = map[string]any{
			"version":      c.Version,
			"provider":     "generic",
			"cloudronName": "Cloudron",
			"adminFqdn":    adminFqdn,
			"activated":    c.Activated,
			"setup":        setupProgress(c.Setup, now),
			"restore":      progressJSON{},
		}
	})
	writeJSON(rw, http.StatusOK, v)
	return nil
}

// setupProgress derives the setup's status message from its times [v4
// provision.js, domains.js prepareDashboardDomain].
func setupProgress(st *world.CloudronSetup, now time.Time) progressJSON {
	if st == nil {
		return progressJSON{}
	}
	empty := ""
	p := progressJSON{Active: !st.Finished, ErrorMessage: &empty}
	fqdn := "my." + st.Domain
	switch {
	case st.Finished && st.Error != "":
		// The message stays at the step that failed [v4].
		errMsg := st.Error
		p.Message, p.ErrorMessage = "Getting certificate of "+fqdn, &errMsg
	case st.Finished:
		p.Message = "Done"
	case now.Before(addedAt(st)):
		p.Message = "Adding domain"
	case now.Before(st.DNSWaitFrom):
		p.Message = "Updating DNS of " + fqdn
	case st.DNSReadyAt.IsZero():
		p.Message = "Waiting for DNS of " + fqdn
	default:
		p.Message = "Getting certificate of " + fqdn
	}
	return p
}

// addedAt is when "Adding domain" gives way to "Updating DNS", in the
// same proportion as the two steps' default lengths.
func addedAt(st *world.CloudronSetup) time.Time {
	share := float64(addingDomain) / float64(addingDomain+updatingDNS)
	return st.StartedAt.Add(time.Duration(share * float64(st.DNSWaitFrom.Sub(st.StartedAt))))
}

// dashboardDomain is the domain setup made the dashboard's ("" before).
func dashboardDomain(c *world.Cloudron) string {
	if c.Setup == nil || !c.Setup.Finished || c.Setup.Error != "" {
		return ""
	}
	return c.Setup.Domain
}

// afterActivation is what a provision route answers once the Cloudron is
// activated: 409 up to 8.x [v4], 405 "Route unavailable after activation"
// in 9.x [docs9]; world data can force either.
func afterActivation(c *world.Cloudron) error {
	status := c.Options.ProvisionedStatus
	if status == 0 {
		status = http.StatusConflict
		if parseVersion(c.Version).atLeast(9, 0) {
			status = http.StatusMethodNotAllowed
		}
	}
	if status == http.StatusMethodNotAllowed {
		return fail(status, "Route unavailable after activation")
	}
	return fail(status, "Already activated")
}

// checkSetupToken enforces the setup token when the installer made one.
// Its field name and the codes are (unverified): missing → 400, wrong →
// 403.
func checkSetupToken(m *world.Machine, b body) error {
	want := setupToken(m)
	if want == "" {
		return nil
	}
	got, ok := b.str("setupToken")
	switch {
	case !ok || got == "":
		return fail(http.StatusBadRequest, "setupToken is required")
	case got != want:
		return fail(http.StatusForbidden, "Invalid setup token")
	}
	return nil
}

// setupToken is the token file as the machine shows it: what the
// installer wrote, unless it was since changed or deleted by hand.
func setupToken(m *world.Machine) string {
	if m.Removed[setupTokenFile] {
		return ""
	}
	if content, ok := m.Files[setupTokenFile]; ok {
		return strings.TrimSpace(content)
	}
	if m.Installer != nil {
		return m.Installer.SetupToken
	}
	return ""
}

// domainConfig is POST /provision/setup's domainConfig, validated.
type domainConfig struct {
	domain, zone, provider, tls string
	config                      []byte
}

func parseSetup(b body) (domainConfig, error) {
	dc, ok := b.object("domainConfig")
	if !ok {
		return domainConfig{}, fail(http.StatusBadRequest, "domainConfig is required")
	}
	db := body(dc)
	var c domainConfig
	if c.provider, ok = db.str("provider"); !ok || c.provider == "" {
		return c, fail(http.StatusBadRequest, "provider is required")
	}
	if c.domain, ok = db.str("domain"); !ok || c.domain == "" {
		return c, fail(http.StatusBadRequest, "domain is required")
	}
	if err := db.optional(fieldCheck{"zoneName", "string"}, fieldCheck{"tlsConfig", "object"}); err != nil {
		return c, err
	}
	if _, ok := db.object("config"); !ok {
		return c, fail(http.StatusBadRequest, "config must be an object")
	}
	c.domain = strings.ToLower(strings.TrimSuffix(c.domain, "."))
	c.zone, _ = db.str("zoneName")
	if c.zone == "" {
		c.zone = c.domain // the registrable domain; chapters use their apex
	}
	c.tls = "letsencrypt-prod"
	if tc, ok := db.object("tlsConfig"); ok {
		if c.tls, ok = body(tc).str("provider"); !ok || c.tls == "" {
			return c, fail(http.StatusBadRequest, "tlsConfig.provider must be a string")
		}
	}
	// Only the providers that write nothing can be simulated: an API
	// provider would need the DNS host's credentials (chapterctl uses
	// manual, DESIGN.md "Who writes the DNS").
	if !slices.Contains([]string{"manual", "wildcard", "noop"}, c.provider) {
		return c, fail(http.StatusBadRequest, "the sandbox simulates only the manual, wildcard and noop DNS providers, not %q", c.provider)
	}
	c.config = db.raw("config")
	return c, nil
}

func (s *server) provisionSetup(rw http.ResponseWriter, r *http.Request) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	if err := s.provisionAllowed(b); err != nil {
		return err
	}
	dc, err := parseSetup(b)
	if err != nil {
		return err
	}
	if dc.provider != "noop" && !s.hasNameservers(r.Context(), dc.zone) {
		return fail(http.StatusBadRequest, "Unable to resolve nameservers for this domain")
	}
	fallback, err := world.SelfSigned(dc.domain, "*."+dc.domain)
	if err != nil {
		return err
	}
	now := s.w.Now()
	err = s.update(r.Context(), "cloudron.provision.setup", func(c *world.Cloudron, d *world.Data) error {
		if c.Activated {
			return afterActivation(c)
		}
		if c.Setup != nil && !c.Setup.Finished {
			return fail(http.StatusConflict, "Already setting up or restoring")
		}
		unprovision(c)
		c.Domains = []*world.CloudronDomain{{Domain: dc.domain, ZoneName: dc.zone, Provider: dc.provider, Config: dc.config, TLSProvider: dc.tls}}
		c.Fallback = &fallback
		certStep := knob(c.Options.Timings.SetupCert, setupCertDefault)
		c.Setup = newSetup(d, dc, certStep, now, takeFault(d, FaultTaskFails))
		return nil
	})
	if err != nil {
		return err
	}
	noContent(rw, http.StatusOK)
	return nil
}

// provisionAllowed checks the setup token and activation before the
// body is looked at further.
func (s *server) provisionAllowed(b body) error {
	var err error
	s.w.Read(func(d *world.Data) {
		m := d.MachineOf(s.dropletID)
		if m == nil || m.Cloudron == nil {
			err = errGone
			return
		}
		if m.Cloudron.Activated {
			err = afterActivation(m.Cloudron)
			return
		}
		err = checkSetupToken(m, b)
	})
	return err
}

// hasNameservers is the manual provider's only check of the domain [v4].
func (s *server) hasNameservers(ctx context.Context, zone string) bool {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	ns, err := s.deps.LookupResolver(ctx, zone, "NS")
	return err == nil && len(ns) > 0
}

// newSetup schedules the background part of setup. A noop provider does
// not wait for DNS; a fallback TLS provider gets no certificate.
func newSetup(d *world.Data, dc domainConfig, certStep time.Duration, now time.Time, crash bool) *world.CloudronSetup {
	st := &world.CloudronSetup{Domain: dc.domain, ZoneName: dc.zone, Provider: dc.provider, TLSProvider: dc.tls,
		StartedAt: now, DNSWaitFrom: now.Add(scaled(d, addingDomain+updatingDNS)), Crash: crash}
	if dc.provider == "noop" {
		st.DNSReadyAt = st.DNSWaitFrom
		st.DoneAt = st.DNSReadyAt
		if dc.tls != "fallback" {
			st.DoneAt = st.DoneAt.Add(scaled(d, certStep))
		}
	}
	return st
}

// unprovision forgets an earlier, unactivated setup.
func unprovision(c *world.Cloudron) {
	c.Setup, c.Domains, c.Mail, c.Certs, c.Fallback = nil, nil, nil, nil, nil
	if c.SelfSignedCert != "" {
		c.TLSCert, c.TLSKey = c.SelfSignedCert, c.SelfSignedKey
	}
}
