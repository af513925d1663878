package steps

import (
	"crypto/x509"
	"time"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/gandi"
	"github.com/chapterctl/chapterctl/internal/mailgun"
	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// Providers are the adapters the steps reach the world through. They are
// the same in both modes: in the sandbox only their dialer and roots differ
// (cmd builds them), so a step never knows which world it is in.
type Providers struct {
	DigitalOcean *digitalocean.Client
	Gandi        *gandi.Client
	DNS          *dnsq.Querier
	// Dialer reaches the droplet (SSH) and Cloudron (HTTPS).
	Dialer netx.Dialer
	// Roots verifies certificates issued by a public CA (Cloudron's
	// dashboard after setup); nil means the system's roots.
	Roots *x509.CertPool
	// Cloudron builds a box API client for baseURL with opts; steps add the
	// pin or the token they hold.
	Cloudron func(baseURL string, opts cloudron.Options) *cloudron.Client
	// Mailgun is the organizer's Mailgun access for the outbound relay;
	// nil when none was given. Its secrets stay here, never in the state.
	Mailgun *MailgunAccess
}

// MailgunAccess is how the mail step may reach Mailgun: an account API
// key (API non-nil), or only an SMTP login the organizer made themselves.
type MailgunAccess struct {
	// API returns a client of region's API with the organizer's key; nil
	// when no key was given.
	API                     func(region string) *mailgun.Client
	SMTPLogin, SMTPPassword string
}

// Progress shows what a step is doing. Every wait over a second reports
// what it waits for and how long it has waited; long remote work streams
// its own lines.
type Progress interface {
	Waiting(what string, waited time.Duration)
	Line(text string)
}

// Options are the run's choices that are not in chapter.yaml.
type Options struct {
	// Yes accepts changes to registrar-default DNS records without asking;
	// it never allows changing anyone else's records.
	Yes bool
	// Replace names conflicting record sets ("NAME/TYPE") the organizer
	// agreed to replace.
	Replace []string
	// Interactive: a person can be asked (in the wizard) about conflicts.
	Interactive bool
}

// Dir is the chapter folder (keys, known_hosts, backups live there).
func (e *Env) Folder() workdir.Dir { return e.dir }

// Secret returns a stored secret, or "".
func (e *Env) Secret(key string) string { return e.secrets[key] }

// SetSecret stores a secret in secrets.json (0600) at once: a password
// generated for an account must survive a kill right after the account is
// made. Secrets never go into the state file or the log.
func (e *Env) SetSecret(key, value string) error {
	if e.secrets == nil {
		e.secrets = secrets.Secrets{}
	}
	if e.secrets[key] == value {
		return nil
	}
	e.secrets[key] = value
	if e.redact != nil {
		e.redact(value)
	}
	return secrets.Save(e.dir.SecretsFile(), e.secrets)
}
