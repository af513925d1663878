package steps

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// With only an SMTP login the organizer made at Mailgun, the relay is set
// with it and the records to add by hand are recorded.
func TestMailRelayWithTheOrganizersSMTPLogin(t *testing.T) {
	cfg, r := relayRun(t)
	ctx := context.Background()
	withMailgunKey(r)
	api := r.Providers.Mailgun.API("us")
	if _, err := api.CreateDomain(ctx, cfg.Domain); err != nil {
		t.Fatal(err)
	}
	if err := api.SetCredential(ctx, cfg.Domain, "relay@"+cfg.Domain, "organizers-own-pass"); err != nil {
		t.Fatal(err)
	}
	r.Providers.Mailgun = &MailgunAccess{SMTPLogin: "relay@" + cfg.Domain, SMTPPassword: "organizers-own-pass"}
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	relay := r.mail(cfg.Domain).Relay
	if relay.Provider != "mailgun-smtp" || relay.Username != "relay@"+cfg.Domain || relay.Port != 587 {
		t.Errorf("relay %+v", relay)
	}
	st := loadState(t, r.Dir)
	if st.Output("mail", "relay") != "mailgun-smtp" || !strings.Contains(st.Output("mail", "relay_manual"), "never its MX") ||
		st.Output("mail", "relay_records") != "" {
		t.Errorf("relay %q, manual %q, records %q", st.Output("mail", "relay"), st.Output("mail", "relay_manual"), st.Output("mail", "relay_records"))
	}
	// A later run without the SMTP password keeps the relay Cloudron has.
	r.Providers.Mailgun = nil
	r.requireEmptyRerun(t)
}

// A wrong SMTP password: Cloudron's login test refuses it, and the error
// says so without the password.
func TestMailRelayWrongPasswordIsRefused(t *testing.T) {
	cfg, r := relayRun(t)
	r.Providers.Mailgun = &MailgunAccess{SMTPLogin: "nobody@" + cfg.Domain, SMTPPassword: "wrong-password-123"}
	err := r.Apply(context.Background())
	if err == nil || !strings.Contains(err.Error(), "535") || strings.Contains(err.Error(), "wrong-password-123") {
		t.Fatalf("Apply = %v, want Mailgun's 535 without the password", err)
	}
}

// A listed IP, port 25 open: the advice names the blocklist.
func TestMailBlocklistedIPGetsAdvice(t *testing.T) {
	cfg := mailChapter()
	cfg.Webmail = chapter.WebmailNone
	r := mailRun(t, cfg)
	err := r.Sandbox.World.Update(context.Background(), "", func(d *world.Data) error {
		d.DigitalOcean.SMTPBlocked = false
		d.DNSBL.Listed = []string{r.ip}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := loadState(t, r.Dir)
	if st.Output("mail", "port25") != "open" || st.Output("mail", "blocklisted") == "" ||
		!strings.Contains(st.Output("mail", "relay_advice"), "blocklists") {
		t.Errorf("port25 %q, listed %q, advice %q", st.Output("mail", "port25"), st.Output("mail", "blocklisted"), st.Output("mail", "relay_advice"))
	}
}

// Mailgun that never verifies: verifyRelayDomain gives up when its time
// is over, naming the records Mailgun found wrong.
func TestVerifyRelayDomainGivesUpNamingTheRecords(t *testing.T) {
	_, r := relayRun(t)
	withMailgunKey(r)
	if err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.breakFault(t, "mailgun-verify-fails", "")
	store, state := openState(t, r.sandboxRun)
	env := r.Runner.env(state, Mail{}, func() error { return store.Save(state) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := verifyRelayDomain(ctx, env)
	if err == nil || !strings.Contains(err.Error(), "has not verified redrockdsa.org") || !strings.Contains(err.Error(), "TXT") {
		t.Fatalf("verifyRelayDomain = %v", err)
	}
	if r.Progress.waits["Mailgun verifying redrockdsa.org"] == 0 {
		t.Error("no progress while waiting for Mailgun")
	}
}

// Killed right after Cloudron took the relay, before the step recorded
// how it was set up: the rerun records it (verify depends on it) and
// sends nothing that changes the world.
func TestMailRecordsTheRelayAfterAKillWithoutTouchingTheWorld(t *testing.T) {
	_, r := relayRun(t)
	withMailgunKey(r)
	if err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	store, st := openState(t, r.sandboxRun)
	st.Step("mail").SetOutput("relay", "")
	if err := store.Save(st); err != nil {
		t.Fatal(err)
	}
	before := len(r.mutations(t))
	if err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := loadState(t, r.Dir).Output("mail", "relay"); got != "mailgun-api" {
		t.Errorf("relay output %q after the rerun", got)
	}
	if after := r.mutations(t); len(after) != before {
		t.Errorf("the rerun sent %d mutating requests: %+v", len(after)-before, after[before:])
	}
}

// Before Cloudron exists, a relay with no Mailgun access already stops the
// plan: init must not make a droplet it cannot finish.
func TestMailPlanWithoutMailgunAccessStopsEarly(t *testing.T) {
	cfg := mailChapter()
	cfg.Mail.Relay = chapter.RelayMailgun
	r := newSandboxRun(t, cfg, NewMail())
	_, err := r.Plan(context.Background())
	var input *InputError
	if !errors.As(err, &input) || input.Field != "MAILGUN_API_KEY" {
		t.Fatalf("Plan = %v, want the input error naming MAILGUN_API_KEY", err)
	}
	if len(r.mutations(t)) != 0 {
		t.Error("the plan changed the world")
	}
}
