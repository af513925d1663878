package cmd

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/chapter"
)

type fakeCatalogue struct{ domains map[string]bool }

func (f fakeCatalogue) CheckDomain(_ context.Context, domain string) error {
	if !f.domains[domain] {
		return errors.New(domain + " is not in this Gandi account: add it at Gandi, or check GANDI_BEARER_TOKEN")
	}
	return nil
}

func (fakeCatalogue) Regions(context.Context) ([]ui.Choice, error) {
	return []ui.Choice{{Label: "Amsterdam 3", Value: "ams3"}, {Label: "New York 3", Value: "nyc3"}}, nil
}

func (fakeCatalogue) Sizes(_ context.Context, _ string, min int) ([]sizeOption, error) {
	all := []sizeOption{
		{Slug: "s-1vcpu-2gb", MemoryMiB: 2048, VCPUs: 1, DiskGB: 50, PriceMonthly: 12},
		{Slug: "s-2vcpu-4gb", MemoryMiB: 4096, VCPUs: 2, DiskGB: 80, PriceMonthly: 24},
	}
	var out []sizeOption
	for _, s := range all {
		if s.MemoryMiB >= min {
			out = append(out, s)
		}
	}
	return out, nil
}

// accessibleWizard answers the wizard's questions from a pipe, one line
// each; seen records the domain handed to onDomain.
func accessibleWizard(answers string) (wz *wizard, seen *strings.Builder) {
	io, in, _, _ := ui.Test()
	io.Accessible = true
	in.WriteString(answers)
	seen = &strings.Builder{}
	return &wizard{p: io.Prompter(), cat: fakeCatalogue{domains: map[string]bool{"redrockdsa.org": true}},
		onDomain: func(d string) error { seen.WriteString(d); return nil }}, seen
}

func TestWizardAsksOnlyWhatIsMissing(t *testing.T) {
	// domain, name, username, email, region (2 = nyc3), size (default),
	// chat (default matrix), federation (3 = closed), mail (default yes).
	wz, seen := accessibleWizard("RedRockDSA.org\nMaria Lopez\nmaria\nmaria@example.net\n2\n\n\n3\n\n")
	cfg, err := wz.run(context.Background(), chapter.Default())
	if err != nil {
		t.Fatalf("wizard: %v", err)
	}
	want := chapter.Config{Domain: "redrockdsa.org", Region: "nyc3", Size: "s-2vcpu-4gb", Chat: "matrix", Federation: "closed",
		MatrixServerName: "domain"}
	if cfg.Domain != want.Domain || cfg.Region != want.Region || cfg.Size != want.Size || cfg.Chat != want.Chat ||
		cfg.Federation != want.Federation || cfg.MatrixServerName != want.MatrixServerName {
		t.Fatalf("config = %+v", cfg)
	}
	if cfg.Organizer.Username != "maria" || cfg.Organizer.Email != "maria@example.net" || !cfg.Mail.Enabled || cfg.Mail.Mailboxes[0] != "maria" {
		t.Fatalf("organizer/mail = %+v %+v", cfg.Organizer, cfg.Mail)
	}
	if seen.String() != "redrockdsa.org" {
		t.Errorf("onDomain saw %q", seen.String())
	}

	// With the organizer and placement given, only the rest is asked.
	given := chapter.Default()
	given.Domain, given.Region, given.Size = "redrockdsa.org", "ams3", "s-1vcpu-2gb"
	given.Organizer = chapter.Organizer{Username: "maria", Email: "maria@example.net"}
	wz, _ = accessibleWizard("Maria\n2\nn\n")
	cfg, err = wz.run(context.Background(), given)
	if err != nil || cfg.Chat != "rocketchat" || cfg.Mail.Enabled || cfg.Region != "ams3" {
		t.Fatalf("partial: %+v, %v", cfg, err)
	}
}

func TestWizardRefusesAnUnknownDomainInOneSentence(t *testing.T) {
	wz, _ := accessibleWizard("other.org\n")
	_, err := wz.run(context.Background(), chapter.Default())
	if err == nil || !strings.Contains(err.Error(), "other.org is not in this Gandi account") || exitCode(err) != exitInput {
		t.Fatalf("error = %v", err)
	}
}

func TestWizardValidatesAnswersAtTheEndOfInput(t *testing.T) {
	// The input ends after the domain: huh skips its validators at EOF, so
	// the wizard's own check must name what is missing.
	wz, _ := accessibleWizard("redrockdsa.org\n")
	_, err := wz.run(context.Background(), chapter.Default())
	if err == nil || !strings.Contains(err.Error(), "organizer.username") || exitCode(err) != exitInput {
		t.Fatalf("error = %v", err)
	}
}
