// Package chapter reads and writes chapter.yaml, the chapter's desired setup: the
// wizard's answers, editable by hand, and never a secret. A rerun of init or upgrade
// converges on it, so every problem in it is refused up front with the field's name and
// line rather than discovered halfway through a run.
package chapter

import (
	"fmt"
	"strings"
)

// FileName is the name of the setup file in a chapter folder.
const FileName = "chapter.yaml"

// Values of Config.Chat.
const (
	ChatMatrix     = "matrix"
	ChatRocketChat = "rocketchat"
	ChatMattermost = "mattermost"
)

// Values of Config.Federation; they only mean something for Matrix.
const (
	FederationOpen      = "open"
	FederationAllowlist = "allowlist"
	FederationClosed    = "closed"
)

// Values of Config.MatrixServerName. Empty means the organizer has not chosen yet, which
// matters because the choice cannot be changed once users exist.
const (
	MatrixServerNameUnset     = ""
	MatrixServerNameDomain    = "domain"
	MatrixServerNameSubdomain = "subdomain"
)

// Values of Mail.Relay.
const (
	RelayNone    = "none"
	RelayMailgun = "mailgun"
)

// Values of Mail.RelayRegion (Mailgun's API region).
const (
	RelayRegionUS = "us"
	RelayRegionEU = "eu"
)

// Values of Config.Webmail.
const (
	WebmailNone      = "none"
	WebmailRoundcube = "roundcube"
	WebmailSOGo      = "sogo"
)

// Config is the content of chapter.yaml. The field order is the order Marshal writes.
type Config struct {
	Domain           string    `yaml:"domain"`
	Organizer        Organizer `yaml:"organizer"`
	Region           string    `yaml:"region"`
	Size             string    `yaml:"size"`
	Chat             string    `yaml:"chat"`
	Federation       string    `yaml:"federation"`
	FederationAllow  []string  `yaml:"federation_allow"`
	MatrixServerName string    `yaml:"matrix_server_name"`
	Mail             Mail      `yaml:"mail"`
	Webmail          string    `yaml:"webmail"`
}

// Organizer is the chapter's first Cloudron admin and mailbox owner.
type Organizer struct {
	Username    string `yaml:"username"`
	Email       string `yaml:"email"` // outside the domain: the recovery address
	DisplayName string `yaml:"display_name"`
}

// Mail is the chapter's email on its own domain.
type Mail struct {
	Enabled     bool                `yaml:"enabled"`
	Mailboxes   []string            `yaml:"mailboxes"`
	Lists       map[string][]string `yaml:"lists"` // list name → member mailboxes
	CatchAll    []string            `yaml:"catch_all"`
	Relay       string              `yaml:"relay"`
	RelayRegion string              `yaml:"relay_region"`
}

// Default returns the setup a chapter gets for every key it leaves out. The fields only
// the organizer can answer (domain, organizer, region, size) are left empty.
func Default() Config {
	return Config{
		Chat:       ChatMatrix,
		Federation: FederationOpen,
		Mail: Mail{
			Enabled:     true,
			Relay:       RelayNone,
			RelayRegion: RelayRegionUS,
		},
		Webmail: WebmailRoundcube,
	}
}

// Hostname is the server's name: Cloudron's dashboard lives at my.<domain>.
func (c *Config) Hostname() string {
	return "my." + c.Domain
}

// FieldError is one problem in chapter.yaml. Problem is a complete phrase that names the
// field and says how to fix it; File and Line are empty for a Config built in code.
type FieldError struct {
	File    string
	Line    int
	Field   string // dotted path such as "organizer.username"; empty for a syntax error
	Problem string
}

func (e *FieldError) Error() string {
	var where []string
	if e.File != "" {
		where = append(where, e.File)
	}
	if e.Line > 0 {
		where = append(where, fmt.Sprintf("line %d", e.Line))
	}
	if len(where) == 0 {
		return e.Problem
	}
	return strings.Join(where, " ") + ": " + e.Problem
}
