package steps

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

const mailStepID = "mail"

// Outputs of the mail step. relay_records is a contract with dns-records
// (DESIGN.md issue 6): the record sets Mailgun wants, as JSON.
const (
	mailPort25       = "port25"       // open | blocked (the droplet's connection test)
	mailBlocklisted  = "blocklisted"  // the blocklist zones listing the server's IP, comma-separated
	mailRelayAdvice  = "relay_advice" // one sentence for the organizer, or ""
	mailRelay        = "relay"        // none | mailgun-api | mailgun-smtp
	mailRelayDomain  = "relay_domain" // Mailgun's sending domain
	mailSMTPLogin    = "smtp_login"   // the Mailgun SMTP login chapterctl made
	mailRelayRecords = "relay_records"
	mailRelayManual  = "relay_manual" // what the organizer must add at Mailgun's side by hand
)

// Webmail apps (sandbox catalogue and the App Store ids).
var (
	roundcubeApp = cloudronApp{"webmail", "Roundcube", "net.roundcube.cloudronapp", "webmail"}
	sogoApp      = cloudronApp{"webmail", "SOGo", "nu.sogo.cloudronapp", "webmail"}
)

// Mail turns Cloudron's email on for the domain: mailboxes, lists, the
// catch-all, the webmail app; it tests whether the server may send
// directly (port 25, blocklists) and sets the Mailgun relay up when
// chapter.yaml asks for it.
type Mail struct{}

// NewMail returns the mail step.
func NewMail() Step { return Mail{} }

func (Mail) ID() string    { return mailStepID }
func (Mail) Title() string { return "Email for the domain" }

// mailboxes are the mailboxes the chapter has: the organizer's (list
// members and the catch-all may name it) and mail.mailboxes, in order.
func mailboxes(cfg *chapter.Config) []string {
	names := []string{strings.ToLower(cfg.Organizer.Username)}
	for _, b := range cfg.Mail.Mailboxes {
		if !slices.Contains(names, b) {
			names = append(names, b)
		}
	}
	return names
}

// address makes a full address of a mailbox name; an external address
// (a list member outside the domain) stays as it is.
func address(cfg *chapter.Config, name string) string {
	if strings.Contains(name, "@") {
		return strings.ToLower(name)
	}
	return name + "@" + cfg.Domain
}

func addresses(cfg *chapter.Config, names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, address(cfg, n))
	}
	return out
}

func webmailApp(cfg *chapter.Config) (cloudronApp, bool) {
	switch cfg.Webmail {
	case chapter.WebmailRoundcube:
		return roundcubeApp, true
	case chapter.WebmailSOGo:
		return sogoApp, true
	}
	return cloudronApp{}, false
}

func (s Mail) Plan(ctx context.Context, env *Env) (Change, error) {
	cfg := env.Config
	if !cfg.Mail.Enabled {
		// Turning mail off is the organizer's to do in the dashboard:
		// chapterctl never deletes mailboxes.
		return Change{}, nil
	}
	token := env.Secret(secrets.CloudronToken)
	if token == "" || env.Output(platformSetupStep, "api_token") == "" {
		// A relay that cannot be set up stops the run now, before the
		// droplet is made, not at the end.
		if _, err := s.relaySetup(env, cloudron.Relay{}); err != nil {
			return Change{}, err
		}
		return Change{Items: []Item{{Action: Create, Resource: "email for " + cfg.Domain, Detail: "once Cloudron is set up"}}}, nil
	}
	client := dashboardCloudron(env, token)
	conf, err := client.MailConfig(ctx, cfg.Domain)
	if err != nil {
		return Change{}, err
	}
	var items []Item
	if !conf.Enabled {
		items = append(items, Item{Action: Create, Resource: "incoming email for " + cfg.Domain})
	}
	boxItems, err := s.planBoxes(ctx, env, client)
	if err != nil {
		return Change{}, err
	}
	items = append(items, boxItems...)
	if want := addresses(cfg, cfg.Mail.CatchAll); !sameSet(conf.CatchAll, want) {
		items = append(items, Item{Action: Update, Resource: "catch-all of " + cfg.Domain, Detail: orNone(strings.Join(want, ", "))})
	}
	if app, ok := webmailApp(cfg); ok {
		found, exists, err := client.AppBySubdomain(ctx, app.subdomain, cfg.Domain)
		if err != nil {
			return Change{}, err
		}
		if item, todo, err := planApp(env, s.ID(), app, found, exists); err != nil || todo {
			if err != nil {
				return Change{}, err
			}
			items = append(items, item)
		}
	}
	if env.Output(s.ID(), mailPort25) == "" {
		items = append(items, Item{Action: Update, Resource: "outbound mail test (port 25, blocklists)"})
	}
	relayItems, err := s.planRelay(ctx, env, conf.Relay)
	if err != nil {
		return Change{}, err
	}
	return Change{Items: append(items, relayItems...)}, nil
}

// planBoxes lists the mailboxes and lists to create. A list that exists
// is left as it is: its members may have been changed in the dashboard.
func (Mail) planBoxes(ctx context.Context, env *Env, client *cloudron.Client) ([]Item, error) {
	cfg := env.Config
	haveBoxes, err := client.Mailboxes(ctx, cfg.Domain)
	if err != nil {
		return nil, err
	}
	haveLists, err := client.Lists(ctx, cfg.Domain)
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	for _, b := range haveBoxes {
		taken[strings.ToLower(b.Name)] = true
	}
	for _, l := range haveLists {
		taken[strings.ToLower(l.Name)] = true
	}
	var items []Item
	for _, box := range mailboxes(cfg) {
		if !taken[box] {
			items = append(items, Item{Action: Create, Resource: "mailbox " + address(cfg, box)})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Mail.Lists)) {
		if !taken[name] {
			items = append(items, Item{Action: Create, Resource: "mailing list " + address(cfg, name),
				Detail: strings.Join(addresses(cfg, cfg.Mail.Lists[name]), ", ")})
		}
	}
	return items, nil
}

func (s Mail) Apply(ctx context.Context, env *Env, _ Change) error {
	cfg := env.Config
	if !cfg.Mail.Enabled {
		return nil
	}
	token := env.Secret(secrets.CloudronToken)
	if token == "" {
		return errNoCloudronToken
	}
	client := dashboardCloudron(env, token)
	conf, err := client.MailConfig(ctx, cfg.Domain)
	if err != nil {
		return err
	}
	if !conf.Enabled {
		if err := client.EnableMail(ctx, cfg.Domain); err != nil {
			return err
		}
	}
	if err := s.ensureBoxes(ctx, env, client); err != nil {
		return err
	}
	if want := addresses(cfg, cfg.Mail.CatchAll); !sameSet(conf.CatchAll, want) {
		if err := client.SetCatchAll(ctx, cfg.Domain, want); err != nil {
			return err
		}
	}
	if app, ok := webmailApp(cfg); ok {
		if err := ensureApp(ctx, env, client, s.ID(), app); err != nil {
			return err
		}
	}
	if env.Output(s.ID(), mailPort25) == "" {
		if err := s.testOutbound(ctx, env, client, conf.Relay); err != nil {
			return err
		}
	}
	return s.applyRelay(ctx, env, client, conf.Relay)
}

func (s Mail) ensureBoxes(ctx context.Context, env *Env, client *cloudron.Client) error {
	cfg := env.Config
	items, err := s.planBoxes(ctx, env, client)
	if err != nil || len(items) == 0 {
		return err
	}
	owner, err := client.Profile(ctx)
	if err != nil {
		return err
	}
	// Every mailbox belongs to the organizer (the token's user): chapter.yaml
	// names no other owner; they can hand one over in the dashboard.
	for _, box := range mailboxes(cfg) {
		if err := client.AddMailbox(ctx, cfg.Domain, box, owner.ID); err != nil && !errors.Is(err, cloudron.ErrExists) {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Mail.Lists)) {
		err := client.AddList(ctx, cfg.Domain, name, addresses(cfg, cfg.Mail.Lists[name]))
		if err != nil && !errors.Is(err, cloudron.ErrExists) {
			return err
		}
	}
	return nil
}

// sameSet compares two address lists without order or case.
func sameSet(have, want []string) bool {
	norm := func(list []string) []string {
		out := make([]string, 0, len(list))
		for _, a := range list {
			out = append(out, strings.ToLower(a))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(have), norm(want))
}

// errMailStep wraps an error of the step's own making.
func errMailStep(format string, args ...any) error {
	return fmt.Errorf("mail: "+format, args...)
}
