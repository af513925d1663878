package steps

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/dnsplan"
	"github.com/chapterctl/chapterctl/internal/mailgun"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// Relay modes (output "relay").
const (
	relayNone        = "none"
	relayMailgunAPI  = "mailgun-api"  // domain and login made through Mailgun's API
	relayMailgunSMTP = "mailgun-smtp" // the organizer's own SMTP login
)

// relayProvider is Cloudron's preset for Mailgun (cloudron.md §9).
const relayProvider = "mailgun-smtp"

// relayLogin is the SMTP login chapterctl makes on the sending domain:
// Cloudron's own, so the organizer's other logins are never touched.
func relayLogin(domain string) string { return "cloudron@" + domain }

// relayRecords are the sending records Mailgun asks for, never its MX:
// Cloudron receives the domain's mail.
func relayRecords(d mailgun.Domain) string {
	var out []dnsplan.RecordSet
	for _, r := range d.Sending {
		if r.Type != "TXT" && r.Type != "CNAME" {
			continue
		}
		name := r.Name
		if name == "" {
			name = d.Name
		}
		value := r.Value
		if r.Type == "CNAME" {
			value = strings.TrimSuffix(value, ".")
		}
		out = append(out, dnsplan.RecordSet{Name: name, Type: r.Type, Values: []string{value}})
	}
	raw, _ := json.Marshal(out)
	return string(raw)
}

// wantedRelay is the relay Cloudron should have, the password aside;
// ok is false when chapter.yaml asks for none (Cloudron's is then left as
// it is: the organizer may have set one in the dashboard).
func wantedRelay(cfg *chapter.Config, login string) (cloudron.Relay, bool) {
	if cfg.Mail.Relay != chapter.RelayMailgun {
		return cloudron.Relay{}, false
	}
	return cloudron.Relay{Provider: relayProvider, Host: mailgun.SMTPHost(cfg.Mail.RelayRegion), Port: mailgun.SMTPPort,
		Username: login}, true
}

func relayMatches(have, want cloudron.Relay) bool {
	return have.Provider == want.Provider && strings.EqualFold(have.Host, want.Host) && have.Port == want.Port &&
		strings.EqualFold(have.Username, want.Username)
}

// relayAPI is the Mailgun API client for the chapter's region, or nil.
func relayAPI(env *Env) *mailgun.Client {
	if m := env.Providers.Mailgun; m != nil && m.API != nil {
		return m.API(env.Config.Mail.RelayRegion)
	}
	return nil
}

// errNoMailgunAccess: the relay is asked for, but nothing to set it up with.
var errNoMailgunAccess = &InputError{Field: "MAILGUN_API_KEY", Msg: "mail.relay is mailgun, but no Mailgun access was given: set MAILGUN_API_KEY (" +
	mailgun.KeyHelp + "), or MAILGUN_SMTP_LOGIN and MAILGUN_SMTP_PASSWORD, then run the command again"}

// relaySetup is how the relay is to be set up in this run.
type relaySetup struct {
	mode     string          // relayNone, relayMailgunAPI or relayMailgunSMTP
	api      *mailgun.Client // nil: the sending domain cannot be checked this run
	want     cloudron.Relay  // the relay Cloudron should have (Password aside)
	password string          // the organizer's SMTP password, when given
}

// relaySetup decides from chapter.yaml, the Mailgun access given and what
// Cloudron relays with now. A relay made through the API earlier is kept
// as it is when this run has no key (it cannot be checked, and nothing
// needs doing).
func (s Mail) relaySetup(env *Env, have cloudron.Relay) (relaySetup, error) {
	cfg := env.Config
	if cfg.Mail.Relay != chapter.RelayMailgun {
		return relaySetup{mode: relayNone}, nil
	}
	if api := relayAPI(env); api != nil {
		want, _ := wantedRelay(cfg, relayLogin(cfg.Domain))
		return relaySetup{mode: relayMailgunAPI, api: api, want: want}, nil
	}
	if env.Output(s.ID(), mailRelay) == relayMailgunAPI {
		if want, _ := wantedRelay(cfg, env.Output(s.ID(), mailSMTPLogin)); relayMatches(have, want) {
			return relaySetup{mode: relayMailgunAPI, want: want}, nil
		}
	}
	if m := env.Providers.Mailgun; m != nil && m.SMTPLogin != "" && m.SMTPPassword != "" {
		want, _ := wantedRelay(cfg, m.SMTPLogin)
		return relaySetup{mode: relayMailgunSMTP, want: want, password: m.SMTPPassword}, nil
	}
	if have.Provider == relayProvider {
		if want, _ := wantedRelay(cfg, have.Username); relayMatches(have, want) {
			return relaySetup{mode: relayMailgunSMTP, want: want}, nil
		}
	}
	return relaySetup{}, errNoMailgunAccess
}

func (s Mail) planRelay(ctx context.Context, env *Env, have cloudron.Relay) ([]Item, error) {
	cfg := env.Config
	var items []Item
	if advice := currentAdvice(env); env.Output(s.ID(), mailRelayAdvice) != advice && env.Output(s.ID(), mailPort25) != "" {
		items = append(items, Item{Action: Update, Resource: "advice on outgoing mail", Detail: orNone(advice)})
	}
	setup, err := s.relaySetup(env, have)
	if err != nil {
		return nil, err
	}
	if env.Output(s.ID(), mailRelay) != setup.mode {
		items = append(items, Item{Action: Update, Resource: "outgoing mail relay", Detail: setup.mode})
	}
	if setup.mode == relayNone {
		return items, nil
	}
	relayItem := Item{Action: Update, Resource: "Cloudron's outgoing relay", Detail: setup.want.Host + ":587 as " + setup.want.Username}
	if setup.api == nil {
		if !relayMatches(have, setup.want) {
			items = append(items, relayItem)
		}
		return items, nil
	}
	api, login := setup.api, setup.want.Username
	d, found, err := api.Domain(ctx, cfg.Domain)
	if err != nil {
		return nil, err
	}
	if !found {
		return append(items,
			Item{Action: Create, Resource: "Mailgun sending domain " + cfg.Domain, Detail: "region " + cfg.Mail.RelayRegion},
			Item{Action: Create, Resource: "Mailgun SMTP login " + login}, relayItem), nil
	}
	tracking, err := api.Tracking(ctx, cfg.Domain)
	if err != nil {
		return nil, err
	}
	if mailgun.TrackingOn(tracking) {
		items = append(items, Item{Action: Update, Resource: "Mailgun tracking of " + cfg.Domain, Detail: "off: it would rewrite the chapter's mail"})
	}
	if ok, err := s.credentialKnown(ctx, env, api, login); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		items = append(items, Item{Action: Create, Resource: "Mailgun SMTP login " + login})
	}
	if env.Output(s.ID(), mailRelayRecords) != relayRecords(d) {
		items = append(items, Item{Action: Update, Resource: "Mailgun's records for the DNS step", Detail: "SPF include, DKIM, tracking CNAME"})
	}
	if !relayMatches(have, setup.want) {
		items = append(items, relayItem)
	}
	return items, nil
}

// credentialKnown: chapterctl made login, keeps its password, and Mailgun
// still has it.
func (s Mail) credentialKnown(ctx context.Context, env *Env, api *mailgun.Client, login string) (bool, error) {
	if env.Output(s.ID(), mailSMTPLogin) != login || env.Secret(secrets.MailgunSMTPLogin) != login ||
		env.Secret(secrets.MailgunSMTPPassword) == "" {
		return false, nil
	}
	logins, err := api.Credentials(ctx, env.Config.Domain)
	if err != nil {
		return false, err
	}
	for _, l := range logins {
		if strings.EqualFold(l, login) {
			return true, nil
		}
	}
	return false, nil
}

func (s Mail) applyRelay(ctx context.Context, env *Env, client *cloudron.Client, have cloudron.Relay) error {
	cfg := env.Config
	setup, err := s.relaySetup(env, have)
	if err != nil {
		return err
	}
	password := setup.password
	if setup.api != nil {
		if password, err = s.setUpSendingDomain(ctx, env, setup.api, setup.want.Username); err != nil {
			return err
		}
	}
	if setup.mode != relayNone && !relayMatches(have, setup.want) {
		if password == "" {
			return errNoMailgunAccess
		}
		want := setup.want
		want.Password = password
		// Mailgun lets an unverified domain's logins send (capped at 300 a
		// day until verified), so Cloudron's login test passes now, before
		// the DNS records are even written.
		if err := client.SetRelay(ctx, cfg.Domain, want); err != nil {
			return err
		}
	}
	manual := ""
	if setup.mode == relayMailgunSMTP {
		manual = smtpOnlyAction(cfg)
	}
	if err := env.Record(mailRelayManual, manual); err != nil {
		return err
	}
	if err := env.Record(mailRelay, setup.mode); err != nil {
		return err
	}
	return env.Record(mailRelayAdvice, currentAdvice(env))
}

// setUpSendingDomain makes the chapter's domain a Mailgun sending domain
// with chapterctl's SMTP login, records the DNS records it needs, and
// returns the login's password.
func (s Mail) setUpSendingDomain(ctx context.Context, env *Env, api *mailgun.Client, login string) (string, error) {
	domain := env.Config.Domain
	d, found, err := api.Domain(ctx, domain)
	if err != nil {
		return "", err
	}
	if !found {
		if d, err = api.CreateDomain(ctx, domain); err != nil {
			return "", err
		}
	}
	if err := env.Record(mailRelayDomain, domain); err != nil {
		return "", err
	}
	if err := api.DisableTracking(ctx, domain); err != nil {
		return "", err
	}
	known, err := s.credentialKnown(ctx, env, api, login)
	if err != nil {
		return "", err
	}
	if !known {
		// The password is kept before Mailgun hears of it: a kill between
		// the two leaves a password that a rerun sets again.
		if env.Secret(secrets.MailgunSMTPLogin) != login || env.Secret(secrets.MailgunSMTPPassword) == "" {
			if err := env.SetSecret(secrets.MailgunSMTPPassword, newRelayPassword()); err != nil {
				return "", err
			}
			if err := env.SetSecret(secrets.MailgunSMTPLogin, login); err != nil {
				return "", err
			}
		}
		if err := api.SetCredential(ctx, domain, login, env.Secret(secrets.MailgunSMTPPassword)); err != nil {
			return "", err
		}
		if err := env.Record(mailSMTPLogin, login); err != nil {
			return "", err
		}
	}
	if err := env.Record(mailRelayRecords, relayRecords(d)); err != nil {
		return "", err
	}
	return env.Secret(secrets.MailgunSMTPPassword), nil
}

// newRelayPassword is 26 random base32 characters (Mailgun takes 5–32).
func newRelayPassword() string { return rand.Text() }

// smtpOnlyAction is what the organizer must do at Mailgun when chapterctl
// has only an SMTP login: without the API it cannot read the records.
func smtpOnlyAction(cfg *chapter.Config) string {
	return fmt.Sprintf("in Mailgun's dashboard (Sending → Domains → %s → DNS records), add the SPF include \"include:mailgun.org\" to the domain's one SPF record "+
		"and the DKIM TXT record it shows, but never its MX records (Cloudron receives %s's mail); with MAILGUN_API_KEY set, "+
		"\"chapterctl mail enable\" does this for you", cfg.Domain, cfg.Domain)
}
