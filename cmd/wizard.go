package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/chapter"
)

// catalogue is what the wizard looks up live: it offers only what the
// provider has, and checks the domain before going on.
type catalogue interface {
	// CheckDomain says in one sentence what is wrong with using domain
	// (not in the Gandi account, not on LiveDNS), or nil.
	CheckDomain(ctx context.Context, domain string) error
	Regions(ctx context.Context) ([]ui.Choice, error)
	// Sizes lists the plans of region with at least minMemoryMiB, cheapest
	// first.
	Sizes(ctx context.Context, region string, minMemoryMiB int) ([]sizeOption, error)
}

type sizeOption struct {
	Slug         string
	MemoryMiB    int
	VCPUs        int
	DiskGB       int
	PriceMonthly float64
}

// Memory the chat choices need with Cloudron, mail and webmail beside them
// (reference/cloudron-operations.md §5, timings.md §6): Matrix fits in 2 GB
// without large federated rooms; 4 GB is the comfortable size for all three.
const (
	minMemoryMiB         = 2048
	comfortableMemoryMiB = 4096
)

var chatChoices = []ui.Choice{
	{Label: "Matrix (Synapse + Element): end-to-end encrypted, federates with other chapters", Value: chapter.ChatMatrix},
	{Label: "Rocket.Chat: the most Slack-like", Value: chapter.ChatRocketChat},
	{Label: "Mattermost: simple team chat, no end-to-end encryption", Value: chapter.ChatMattermost},
}

// relayChoices say why the relay matters: DigitalOcean blocks outgoing
// port 25 on new accounts (reference/digitalocean.md), and its API does
// not tell, so the wizard cannot know before the droplet tries.
var relayChoices = []ui.Choice{
	{Label: "From the server itself: works once DigitalOcean unblocks port 25 (new accounts are blocked; support unblocks on request)", Value: chapter.RelayNone},
	{Label: "Through Mailgun: works at once; needs a Mailgun account and its API key", Value: chapter.RelayMailgun},
}

var relayRegionChoices = []ui.Choice{
	{Label: "US", Value: chapter.RelayRegionUS},
	{Label: "EU", Value: chapter.RelayRegionEU},
}

var federationChoices = []ui.Choice{
	{Label: "Open: talk with any Matrix server", Value: chapter.FederationOpen},
	{Label: "Allow-list: only the chapters you name", Value: chapter.FederationAllowlist},
	{Label: "Closed: members of this server only", Value: chapter.FederationClosed},
}

// wizard asks for what cfg lacks, one question at a time, and returns the
// completed setup, validated: huh skips validators at the end of piped
// input, so the answers are checked again as a whole.
type wizard struct {
	p   ui.Prompter
	cat catalogue
	// onDomain runs once the domain is known (the sandbox makes its world
	// then, so the checks after it have something to ask).
	onDomain func(domain string) error
}

func (wz *wizard) run(ctx context.Context, cfg chapter.Config) (*chapter.Config, error) {
	steps := []func(context.Context, *chapter.Config) error{
		wz.domain, wz.organizer, wz.region, wz.size, wz.chat, wz.mail,
	}
	for _, step := range steps {
		if err := step(ctx, &cfg); err != nil {
			return nil, err
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, &inputError{msg: "the answers are not complete: " + strings.ReplaceAll(err.Error(), "\n", "; ")}
	}
	return &cfg, nil
}

func required(what string) func(string) error {
	return func(v string) error {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("%s is required", what)
		}
		return nil
	}
}

func (wz *wizard) domain(ctx context.Context, cfg *chapter.Config) error {
	if cfg.Domain == "" {
		v, err := wz.p.Input(ui.Question{Title: "The chapter's domain at Gandi",
			Help: "e.g. redrockdsa.org; the server will be my.<domain>", Validate: required("the domain")})
		if err != nil {
			return err
		}
		cfg.Domain = strings.ToLower(strings.TrimSpace(v))
	}
	if cfg.Domain == "" {
		return inputErrorf("no domain given: answer the question, or set domain in the file given with --config")
	}
	if wz.onDomain != nil {
		if err := wz.onDomain(cfg.Domain); err != nil {
			return err
		}
	}
	if err := wz.cat.CheckDomain(ctx, cfg.Domain); err != nil {
		return &inputError{msg: err.Error()}
	}
	return nil
}

func (wz *wizard) organizer(_ context.Context, cfg *chapter.Config) error {
	o := &cfg.Organizer
	questions := []struct {
		field *string
		q     ui.Question
	}{
		{&o.DisplayName, ui.Question{Title: "Organizer's name", Help: "shown to members, e.g. Maria Lopez"}},
		{&o.Username, ui.Question{Title: "Organizer's username", Help: "the first admin and mailbox owner; letters, digits, . and -", Validate: required("the username")}},
		{&o.Email, ui.Question{Title: "Organizer's email outside the domain", Help: "for account recovery, e.g. maria@example.net", Validate: required("the email")}},
	}
	for _, item := range questions {
		if *item.field != "" {
			continue
		}
		v, err := wz.p.Input(item.q)
		if err != nil {
			return err
		}
		*item.field = strings.TrimSpace(v)
	}
	return nil
}

func (wz *wizard) region(ctx context.Context, cfg *chapter.Config) error {
	if cfg.Region != "" {
		return nil
	}
	regions, err := wz.cat.Regions(ctx)
	if err != nil {
		return err
	}
	cfg.Region, err = wz.p.Select("Region", "where the server runs; pick the one nearest the members", regions, "nyc3")
	return err
}

func (wz *wizard) size(ctx context.Context, cfg *chapter.Config) error {
	if cfg.Size != "" {
		return nil
	}
	sizes, err := wz.cat.Sizes(ctx, cfg.Region, minMemoryMiB)
	if err != nil {
		return err
	}
	if len(sizes) == 0 {
		return fmt.Errorf("DigitalOcean offers no plan with %d MB of memory in %s: choose another region", minMemoryMiB, cfg.Region)
	}
	var choices []ui.Choice
	def := sizes[0].Slug
	for _, s := range sizes {
		label := fmt.Sprintf("%s: %d GB memory, %d vCPU, %d GB disk, $%.0f/month", s.Slug, s.MemoryMiB/1024, s.VCPUs, s.DiskGB, s.PriceMonthly)
		switch {
		case s.MemoryMiB < comfortableMemoryMiB:
			label += " (tight: small chat only)"
		case def == sizes[0].Slug && sizes[0].MemoryMiB < comfortableMemoryMiB:
			def = s.Slug // the cheapest comfortable plan is the default
		}
		choices = append(choices, ui.Choice{Label: label, Value: s.Slug})
		if len(choices) == 5 {
			break
		}
	}
	cfg.Size, err = wz.p.Select("Server size", "the cheapest plans that fit Cloudron, the chat and email", choices, def)
	return err
}

func (wz *wizard) chat(_ context.Context, cfg *chapter.Config) error {
	var err error
	if cfg.Chat, err = wz.p.Select("Chat server", "", chatChoices, cfg.Chat); err != nil {
		return err
	}
	if cfg.Chat != chapter.ChatMatrix {
		cfg.Federation, cfg.FederationAllow, cfg.MatrixServerName = chapter.FederationOpen, nil, ""
		return nil
	}
	if cfg.Federation, err = wz.p.Select("Federation", "which other Matrix servers your members can talk with", federationChoices, cfg.Federation); err != nil {
		return err
	}
	if cfg.Federation == chapter.FederationAllowlist && len(cfg.FederationAllow) == 0 {
		v, err := wz.p.Input(ui.Question{Title: "Servers to allow", Help: "their domains, separated by spaces or commas, e.g. chicagodsa.org", Validate: required("at least one server")})
		if err != nil {
			return err
		}
		cfg.FederationAllow = strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	}
	if cfg.MatrixServerName == "" {
		// User ids read @name:<domain>. Whether the bare domain can serve
		// Matrix's well-known documents is checked by the chat step.
		cfg.MatrixServerName = chapter.MatrixServerNameDomain
	}
	return nil
}

func (wz *wizard) mail(_ context.Context, cfg *chapter.Config) error {
	enabled, err := wz.p.Confirm("Email on the domain?", "mailboxes like "+cfg.Organizer.Username+"@"+cfg.Domain+", with webmail", cfg.Mail.Enabled)
	if err != nil {
		return err
	}
	cfg.Mail.Enabled = enabled
	if !enabled {
		cfg.Mail.Mailboxes, cfg.Mail.Lists, cfg.Mail.CatchAll, cfg.Webmail = nil, nil, nil, chapter.WebmailNone
		return nil
	}
	if len(cfg.Mail.Mailboxes) == 0 && cfg.Organizer.Username != "" {
		cfg.Mail.Mailboxes = []string{strings.ToLower(cfg.Organizer.Username)}
	}
	if cfg.Mail.Relay, err = wz.p.Select("Outgoing mail", "how mail leaves the server; \"chapterctl mail enable --relay mailgun\" switches later", relayChoices, cfg.Mail.Relay); err != nil {
		return err
	}
	if cfg.Mail.Relay == chapter.RelayMailgun {
		cfg.Mail.RelayRegion, err = wz.p.Select("Mailgun region", "where the Mailgun account was opened", relayRegionChoices, cfg.Mail.RelayRegion)
	}
	return err
}

// errNoAnswers: no terminal, and nowhere to read the answers from.
var errNoAnswers = errors.New("no answers to work from and no terminal to ask on: pass --config FILE with the chapter's setup (fields as in chapter.yaml), or run in a terminal")
