package cmd

import (
	"context"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

func TestMailEnableFlagsFillTheOptions(t *testing.T) {
	f := tokenFactory(t, nil)
	var got *MailEnableOptions
	c := NewCmdMailEnable(f, func(_ context.Context, o *MailEnableOptions) error { got = o; return nil })
	c.SetArgs([]string{"--mailbox", "info", "--mailbox", "press", "--list", "board=maria,info", "--catch-all", "maria", "--relay", "mailgun"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Mailboxes, ",") != "info,press" || got.Lists[0] != "board=maria,info" || got.CatchAll[0] != "maria" || got.Relay != "mailgun" {
		t.Errorf("options %+v", got)
	}
}

func TestParseMailFlagsRefusesMalformedOnes(t *testing.T) {
	tests := []struct {
		opts MailEnableOptions
		want string
	}{
		{MailEnableOptions{Lists: []string{"board"}}, `--list "board": write it as NAME=member,member`},
		{MailEnableOptions{Lists: []string{"=maria"}}, "NAME=member,member"},
		{MailEnableOptions{Lists: []string{"board="}}, "NAME=member,member"},
		{MailEnableOptions{Relay: "sendgrid"}, `--relay "sendgrid": the only relay is mailgun`},
	}
	for _, tt := range tests {
		_, err := parseMailFlags(&tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) || exitCode(err) != 2 {
			t.Errorf("%+v: %v, want an input error with %q", tt.opts, err, tt.want)
		}
	}
}

const editBase = `# chapterctl setup for this chapter
domain: redrockdsa.org # the chapter's domain
organizer:
  username: maria
  email: maria@example.net
  display_name: Maria Lopez
region: nyc3
size: s-2vcpu-4gb
matrix_server_name: domain
mail:
  enabled: false # mail off for now
  relay: none
webmail: none
`

func TestApplyMailEditKeepsCommentsAndAddsOnce(t *testing.T) {
	opts := &MailEnableOptions{Mailboxes: []string{"Info", "maria"}, Lists: []string{"board=maria,info", "board=t@example.net"},
		CatchAll: []string{"maria"}, Relay: "mailgun"}
	edit, err := parseMailFlags(opts)
	if err != nil {
		t.Fatal(err)
	}
	out, err := applyMailEdit([]byte(editBase), edit)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"# the chapter's domain", "# mail off for now", "enabled: true", "mailboxes: [info, maria]",
		"board: [maria, info, t@example.net]", "catch_all: [maria]", "relay: mailgun", "webmail: none"} {
		if !strings.Contains(text, want) {
			t.Errorf("edited chapter.yaml lacks %q:\n%s", want, text)
		}
	}
	cfg, err := chapter.Parse(chapter.FileName, out)
	if err != nil {
		t.Fatalf("the edited file does not load: %v\n%s", err, text)
	}
	if !cfg.Mail.Enabled || cfg.Mail.Relay != chapter.RelayMailgun || len(cfg.Mail.Lists["board"]) != 3 {
		t.Errorf("loaded %+v", cfg.Mail)
	}
	// The same flags again change nothing.
	again, err := applyMailEdit(out, edit)
	if err != nil || string(again) != text {
		t.Errorf("second edit changed the file:\n%s", again)
	}
}

func TestMailgunAccessPrefersTheKeyAndNeedsBothSMTPHalves(t *testing.T) {
	conn := &worldConn{}
	tests := []struct {
		name     string
		env      map[string]string
		stored   secrets.Secrets
		wantNil  bool
		wantAPI  bool
		wantUser string
	}{
		{"nothing", nil, secrets.Secrets{}, true, false, ""},
		{"key in the environment", map[string]string{"MAILGUN_API_KEY": "k"}, secrets.Secrets{}, false, true, ""},
		{"key in secrets.json", nil, secrets.Secrets{secrets.MailgunAPIKey: "k"}, false, true, ""},
		{"login without password", map[string]string{"MAILGUN_SMTP_LOGIN": "a@b.org"}, secrets.Secrets{}, true, false, ""},
		{"SMTP login", map[string]string{"MAILGUN_SMTP_LOGIN": "a@b.org", "MAILGUN_SMTP_PASSWORD": "p"}, secrets.Secrets{}, false, false, "a@b.org"},
	}
	for _, tt := range tests {
		got := mailgunAccess(tokenFactory(t, tt.env), tt.stored, conn)
		if (got == nil) != tt.wantNil || (got != nil && ((got.API != nil) != tt.wantAPI || (!tt.wantAPI && got.SMTPLogin != tt.wantUser))) {
			t.Errorf("%s: %+v", tt.name, got)
		}
	}
}
