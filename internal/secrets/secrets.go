// Package secrets keeps .chapterctl/secrets.json: a flat JSON object of the
// chapter's tokens and passwords, mode 0600, never mixed into the state file.
package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/chapterctl/chapterctl/internal/atomicfile"
)

// The keys of secrets.json (DESIGN.md, "The chapter folder").
const (
	DigitalOceanToken     = "digitalocean_token"
	GandiToken            = "gandi_token"
	CloudronAdminPassword = "cloudron_admin_password"
	CloudronToken         = "cloudron_token"
	// CloudronAdminTOTPSecret is the organizer's two-factor secret, kept
	// so chapterctl can log in again when the API token is lost; it is no
	// more exposure than the password and token next to it
	// (docs/decisions.md).
	CloudronAdminTOTPSecret = "cloudron_admin_totp_secret"
	MailgunAPIKey           = "mailgun_api_key"
	MailgunSMTPLogin        = "mailgun_smtp_login"
	MailgunSMTPPassword     = "mailgun_smtp_password"
)

var known = []string{DigitalOceanToken, GandiToken, CloudronAdminPassword, CloudronToken,
	CloudronAdminTOTPSecret, MailgunAPIKey, MailgunSMTPLogin, MailgunSMTPPassword}

// Secrets maps a key above to its value; an unknown value is absent, not "".
type Secrets map[string]string

// Load reads the file at path; a missing file is an empty set.
func Load(path string) (Secrets, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Secrets{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read secrets: %w", err)
	}
	var s Secrets
	// The values are never quoted back: a JSON error could echo a token.
	if json.Unmarshal(data, &s) != nil {
		return nil, fmt.Errorf("the secrets file %s is not a JSON object of strings; fix or remove it", path)
	}
	for key := range s {
		if !slices.Contains(known, key) {
			return nil, fmt.Errorf("the secrets file %s has an unknown key %q; remove it", path, key)
		}
	}
	return s, nil
}

// Save writes the set atomically with mode 0600.
func Save(path string, s Secrets) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode secrets: %w", err)
	}
	if err := atomicfile.Write(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("save secrets: %w", err)
	}
	return nil
}

// Values lists every non-empty value, for the log redactor.
func (s Secrets) Values() []string {
	var values []string
	for _, v := range s {
		if v != "" {
			values = append(values, v)
		}
	}
	return values
}
