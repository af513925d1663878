package cmd

import (
	"context"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/mailgun"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/steps"
)

// mailgunAccess is the Mailgun access the mail step gets: the account key
// (MAILGUN_API_KEY, else secrets.json: the sandbox's, or one the organizer
// agreed to keep), or only an SMTP login. Nil when there is neither.
func mailgunAccess(f *Factory, stored secrets.Secrets, conn *worldConn) *steps.MailgunAccess {
	key := f.tokens[secrets.MailgunAPIKey]
	if key == "" {
		key = knownToken(f, stored, "MAILGUN_API_KEY", secrets.MailgunAPIKey)
	}
	access := &steps.MailgunAccess{
		SMTPLogin:    knownToken(f, stored, "MAILGUN_SMTP_LOGIN", secrets.MailgunSMTPLogin),
		SMTPPassword: knownToken(f, stored, "MAILGUN_SMTP_PASSWORD", secrets.MailgunSMTPPassword),
	}
	if key != "" {
		access.API = func(region string) *mailgun.Client { return mailgun.New(key, region, conn.Dialer, conn.Roots) }
	}
	if access.API == nil && (access.SMTPLogin == "" || access.SMTPPassword == "") {
		return nil
	}
	return access
}

// mailgunToken is the Mailgun key as a provider token: from the
// environment or a hidden prompt, checked at once, kept only on a yes.
func mailgunToken(conn *worldConn, region string) providerToken {
	return providerToken{Name: "Mailgun API key", Env: "MAILGUN_API_KEY", Secret: secrets.MailgunAPIKey,
		Help: mailgun.KeyHelp,
		Check: func(ctx context.Context, key string) error {
			return mailgun.New(key, region, conn.Dialer, conn.Roots).CheckKey(ctx)
		}}
}

// mailgunKey asks for the Mailgun key when the relay needs one and none is
// known: on a terminal, hidden, checked at once, kept only on a yes.
// Without a terminal the mail step names the variables to set.
func mailgunKey(ctx context.Context, f *Factory, cfg *chapter.Config, conn *worldConn) error {
	if cfg.Mail.Relay != chapter.RelayMailgun || !cfg.Mail.Enabled || !f.IO.CanPrompt() {
		return nil
	}
	if f.Getenv("MAILGUN_SMTP_LOGIN") != "" && f.Getenv("MAILGUN_SMTP_PASSWORD") != "" {
		return nil
	}
	tokens, err := collectTokens(ctx, f, []providerToken{mailgunToken(conn, cfg.Mail.RelayRegion)})
	if err != nil {
		return err
	}
	// f.tokens, once set, is where every provider token is read from.
	do, gandiToken, err := providerTokens(f)
	if err != nil {
		return err
	}
	f.tokens = map[string]string{secrets.DigitalOceanToken: do, secrets.GandiToken: gandiToken}
	for k, v := range tokens {
		f.tokens[k] = v
	}
	return nil
}
