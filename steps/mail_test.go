package steps

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/dnsplan"
	"github.com/chapterctl/chapterctl/internal/gandi"
	"github.com/chapterctl/chapterctl/internal/mailgun"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// mailChapter asks for two mailboxes, a list with an outside member, a
// catch-all and Roundcube.
func mailChapter() *chapter.Config {
	cfg := testChapter()
	cfg.Mail.Mailboxes = []string{"maria", "info"}
	cfg.Mail.Lists = map[string][]string{"board": {"maria", "info", "treasurer@example.net"}}
	cfg.Mail.CatchAll = []string{"maria"}
	return cfg
}

// mailRun is a run of platform-setup and mail on an installed Cloudron,
// with webmail's A record written (dns-host's job).
func mailRun(t *testing.T, cfg *chapter.Config) *cloudronRun {
	t.Helper()
	r := installedCloudron(t, cfg, NewPlatformSetup(), NewMail())
	// Gandi's default webmail CNAME goes first, as dns-host replaces it.
	if err := r.Providers.Gandi.DeleteRRSet(context.Background(), cfg.Domain, "webmail", "CNAME", nil); err != nil {
		t.Fatal(err)
	}
	err := r.Providers.Gandi.PutRRSet(context.Background(), cfg.Domain, gandi.RRSet{Name: "webmail", Type: "A", TTL: 300, Values: []string{r.ip}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// relayRun is mailRun for a chapter that asks for the Mailgun relay and
// no webmail (the relay tests do not need its install).
func relayRun(t *testing.T) (*chapter.Config, *cloudronRun) {
	t.Helper()
	cfg := mailChapter()
	cfg.Mail.Relay = chapter.RelayMailgun
	cfg.Webmail = chapter.WebmailNone
	return cfg, mailRun(t, cfg)
}

// withMailgunKey gives the run the key the world issued, as cmd does.
func withMailgunKey(r *cloudronRun) {
	var key string
	r.Sandbox.World.Read(func(d *world.Data) { key = d.Tokens.Mailgun })
	r.Providers.Mailgun = &MailgunAccess{API: func(region string) *mailgun.Client {
		return mailgun.New(key, region, r.Providers.Dialer, r.Providers.Roots)
	}}
}

func (s *cloudronRun) mail(domain string) (m world.CloudronMail) {
	s.cloudron(func(c *world.Cloudron) {
		if got := c.Mail[domain]; got != nil {
			m = *got
		}
	})
	return m
}

func TestMailSetsUpBoxesListsCatchAllWebmailAndAdvisesOnPort25(t *testing.T) {
	cfg := mailChapter()
	r := mailRun(t, cfg)
	if err := r.Apply(context.Background()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	m := r.mail(cfg.Domain)
	var boxes []string
	for _, b := range m.Mailboxes {
		boxes = append(boxes, b.Name)
	}
	if !m.Enabled || !slices.Equal(boxes, []string{"maria", "info"}) {
		t.Errorf("mail enabled %v, mailboxes %v", m.Enabled, boxes)
	}
	if len(m.Lists) != 1 || m.Lists[0].Name != "board" ||
		!slices.Equal(m.Lists[0].Members, []string{"maria@redrockdsa.org", "info@redrockdsa.org", "treasurer@example.net"}) {
		t.Errorf("lists %+v", m.Lists)
	}
	if !slices.Equal(m.CatchAll, []string{"maria@redrockdsa.org"}) {
		t.Errorf("catch-all %v", m.CatchAll)
	}
	if apps := r.apps()["net.roundcube.cloudronapp"]; len(apps) != 1 || apps[0].Subdomain != "webmail" || apps[0].InstallationState != "installed" {
		t.Errorf("roundcube: %+v", apps)
	}
	if m.Relay.Provider != "cloudron-smtp" {
		t.Errorf("relay %q set without being asked", m.Relay.Provider)
	}
	st := loadState(t, r.Dir)
	// The sandbox's DigitalOcean account blocks port 25, as new ones do.
	if st.Output("mail", "port25") != "blocked" || !strings.Contains(st.Output("mail", "relay_advice"), `"chapterctl mail enable --relay mailgun"`) {
		t.Errorf("port25 %q, advice %q", st.Output("mail", "port25"), st.Output("mail", "relay_advice"))
	}
	r.requireEmptyRerun(t)
}

func TestMailPort25OpenGivesNoAdvice(t *testing.T) {
	cfg := mailChapter()
	cfg.Webmail = chapter.WebmailNone
	r := mailRun(t, cfg)
	err := r.Sandbox.World.Update(context.Background(), "", func(d *world.Data) error {
		d.DigitalOcean.SMTPBlocked = false
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := loadState(t, r.Dir)
	if st.Output("mail", "port25") != "open" || st.Output("mail", "relay_advice") != "" {
		t.Errorf("port25 %q, advice %q", st.Output("mail", "port25"), st.Output("mail", "relay_advice"))
	}
	if len(r.apps()["net.roundcube.cloudronapp"]) != 0 {
		t.Error("webmail none installed Roundcube")
	}
}

func TestMailRelayThroughMailgunAPI(t *testing.T) {
	cfg := mailChapter()
	cfg.Mail.Relay = chapter.RelayMailgun
	r := mailRun(t, cfg)
	withMailgunKey(r)
	ctx := context.Background()
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	var dom world.MailgunDomain
	r.Sandbox.World.Read(func(d *world.Data) {
		if got := d.Mailgun.Domain(cfg.Domain); got != nil {
			dom = *got
		}
	})
	if dom.Name != cfg.Domain || dom.Region != "us" || dom.Credential("cloudron@redrockdsa.org") == nil || dom.Tracking.Open != "false" {
		t.Fatalf("Mailgun domain %+v", dom)
	}
	relay := r.mail(cfg.Domain).Relay
	stored, err := secrets.Load(r.Dir.SecretsFile())
	if err != nil {
		t.Fatal(err)
	}
	if relay.Provider != "mailgun-smtp" || relay.Host != "smtp.mailgun.org" || relay.Port != 587 ||
		relay.Username != "cloudron@redrockdsa.org" || relay.Password != stored[secrets.MailgunSMTPPassword] {
		t.Errorf("Cloudron relay %+v", relay)
	}
	raw, _ := os.ReadFile(r.Dir.StateFile())
	if strings.Contains(string(raw), stored[secrets.MailgunSMTPPassword]) {
		t.Error("the SMTP password is in the state file")
	}
	st := loadState(t, r.Dir)
	var records []dnsplan.RecordSet
	if err := json.Unmarshal([]byte(st.Output("mail", "relay_records")), &records); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]dnsplan.RecordSet{}
	for _, rec := range records {
		switch {
		case rec.Type == "TXT" && rec.Name == cfg.Domain:
			kinds["spf"] = rec
		case rec.Type == "TXT" && strings.Contains(rec.Name, "._domainkey."+cfg.Domain):
			kinds["dkim"] = rec
		case rec.Type == "CNAME" && rec.Name == "email."+cfg.Domain:
			kinds["tracking"] = rec
		default:
			t.Errorf("unexpected record %+v (never Mailgun's MX)", rec)
		}
	}
	if kinds["spf"].Values[0] != "v=spf1 include:mailgun.org ~all" || !strings.HasPrefix(kinds["dkim"].Values[0], "k=rsa; p=") ||
		kinds["tracking"].Values[0] != "mailgun.org" {
		t.Errorf("relay_records %+v", kinds)
	}
	if st.Output("mail", "relay") != "mailgun-api" || st.Output("mail", "relay_advice") != "" {
		t.Errorf("relay %q advice %q", st.Output("mail", "relay"), st.Output("mail", "relay_advice"))
	}
	r.requireEmptyRerun(t)

	// Once the records are published, Mailgun verifies the domain.
	for _, rec := range records {
		name := strings.TrimSuffix(strings.TrimSuffix(rec.Name, cfg.Domain), ".")
		if name == "" {
			name = "@"
		}
		value := rec.Values[0]
		if rec.Type == "TXT" {
			value = gandi.QuoteTXT(value)
		} else {
			value += "."
		}
		if err := r.Providers.Gandi.PutRRSet(ctx, cfg.Domain, gandi.RRSet{Name: name, Type: rec.Type, TTL: 300, Values: []string{value}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	store, state := openState(t, r.sandboxRun)
	env := r.Runner.env(state, Mail{}, func() error { return store.Save(state) })
	if err := verifyRelayDomain(ctx, env); err != nil {
		t.Fatalf("verifyRelayDomain: %v", err)
	}
	r.Sandbox.World.Read(func(d *world.Data) { dom = *d.Mailgun.Domain(cfg.Domain) })
	if dom.State != "active" {
		t.Errorf("Mailgun domain state %q after verify", dom.State)
	}
}

// A run killed after Mailgun made the domain and the login, and after
// Cloudron made a mailbox, is finished by the rerun without duplicates.
func TestMailRerunAfterKillMakesNoDuplicates(t *testing.T) {
	cfg, r := relayRun(t)
	withMailgunKey(r)
	ctx := context.Background()
	r.applyEarlier(t)
	all := r.Steps
	r.Steps = all[:len(all)-1]
	if err := r.Apply(ctx); err != nil { // platform-setup only
		t.Fatal(err)
	}
	r.Steps = all
	client := r.dashboard(r.Secrets[secrets.CloudronToken])
	if err := client.EnableMail(ctx, cfg.Domain); err != nil {
		t.Fatal(err)
	}
	owner, err := client.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.AddMailbox(ctx, cfg.Domain, "info", owner.ID); err != nil {
		t.Fatal(err)
	}
	api := r.Providers.Mailgun.API("us")
	if _, err := api.CreateDomain(ctx, cfg.Domain); err != nil {
		t.Fatal(err)
	}
	if err := api.SetCredential(ctx, cfg.Domain, "cloudron@"+cfg.Domain, "a-password-now-lost"); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	m := r.mail(cfg.Domain)
	if len(m.Mailboxes) != 2 || m.Relay.Provider != "mailgun-smtp" {
		t.Errorf("mailboxes %d, relay %q", len(m.Mailboxes), m.Relay.Provider)
	}
	var domains, logins int
	r.Sandbox.World.Read(func(d *world.Data) {
		domains = len(d.Mailgun.Domains)
		logins = len(d.Mailgun.Domain(cfg.Domain).Credentials)
	})
	if domains != 1 || logins != 2 { // postmaster and cloudron
		t.Errorf("%d Mailgun domains, %d logins", domains, logins)
	}
	r.requireEmptyRerun(t)
}

func TestMailRelayWithoutAccessIsAnInputError(t *testing.T) {
	_, r := relayRun(t)
	err := r.Apply(context.Background())
	var input *InputError
	if !errors.As(err, &input) || input.Field != "MAILGUN_API_KEY" || !strings.Contains(err.Error(), "MAILGUN_SMTP_LOGIN") {
		t.Fatalf("Apply = %v, want an input error naming MAILGUN_API_KEY", err)
	}
}
