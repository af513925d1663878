package world

import (
	"strings"
	"time"
)

// Mailgun is the simulated Mailgun account. Owned by internal/sandbox/mailgun;
// the Cloudron simulator reads its credentials to test a relay login.
type Mailgun struct {
	Domains []*MailgunDomain `json:"domains"`
	// RequestsPerMinute is the Domains API rate limit of the account, per
	// simulated minute; 0 means Mailgun's documented 300.
	RequestsPerMinute int `json:"requests_per_minute,omitempty"`
}

// MailgunDomain is one sending domain. It lives in one region: the other
// region's API and SMTP host do not know it.
type MailgunDomain struct {
	Name   string `json:"name"`
	Region string `json:"region"` // us|eu
	State  string `json:"state"`  // unverified|active

	ID                         string    `json:"id"`
	CreatedAt                  time.Time `json:"created_at"`
	SpamAction                 string    `json:"spam_action"` // disabled|block|tag
	Wildcard                   bool      `json:"wildcard"`
	WebScheme                  string    `json:"web_scheme"` // http|https
	WebPrefix                  string    `json:"web_prefix"` // the tracking host's first label
	RequireTLS                 bool      `json:"require_tls"`
	SkipVerification           bool      `json:"skip_verification"`
	UseAutomaticSenderSecurity bool      `json:"use_automatic_sender_security"`
	EncryptIncomingMessage     bool      `json:"encrypt_incoming_message"`
	MessageTTL                 int       `json:"message_ttl"`

	// DKIM: the selector Mailgun chose (or was told), the key size, the
	// name the key is published under (the domain, its root, or
	// dkim_host_name) and the public key, base64 DER as in the record's p=.
	DKIMSelector  string `json:"dkim_selector"`
	DKIMKeySize   int    `json:"dkim_key_size"`
	DKIMHost      string `json:"dkim_host"`
	DKIMPublicKey string `json:"dkim_public_key"`

	Tracking    MailgunTracking      `json:"tracking"`
	Credentials []*MailgunCredential `json:"credentials"`

	// The records Mailgun asks for, with what the last verification found.
	SendingRecords   []MailgunRecord `json:"sending_records"`
	ReceivingRecords []MailgunRecord `json:"receiving_records"`
	VerifiedAt       time.Time       `json:"verified_at,omitzero"`
}

// MailgunTracking is the domain's tracking settings: "true", "false", or
// for click tracking also "htmlonly".
type MailgunTracking struct {
	Open        string `json:"open"`
	Click       string `json:"click"`
	Unsubscribe string `json:"unsubscribe"`
}

// MailgunCredential is an SMTP login of a domain. Passwords are kept in the
// clear: the simulated SMTP server and Cloudron's relay test compare them.
type MailgunCredential struct {
	Login     string    `json:"login"` // a full address on the domain, lower case
	Password  string    `json:"password"`
	System    bool      `json:"system"` // postmaster@<domain>, which cannot be deleted
	CreatedAt time.Time `json:"created_at"`
}

// MailgunRecord is a DNS record Mailgun asks for, in its API's shape, plus
// what it is for.
type MailgunRecord struct {
	Purpose    string   `json:"purpose"` // spf|dkim|tracking|mx
	RecordType string   `json:"record_type"`
	Name       string   `json:"name,omitempty"`
	Value      string   `json:"value"`
	Priority   string   `json:"priority,omitempty"`
	Valid      string   `json:"valid"` // unknown|valid|invalid
	Cached     []string `json:"cached"`
	IsActive   bool     `json:"is_active"`
}

// MailgunDomain finds a domain by name in any region.
func (m *Mailgun) Domain(name string) *MailgunDomain {
	for _, dom := range m.Domains {
		if strings.EqualFold(dom.Name, name) {
			return dom
		}
	}
	return nil
}

// Credential finds a login of the domain (case-insensitive).
func (dom *MailgunDomain) Credential(login string) *MailgunCredential {
	for _, c := range dom.Credentials {
		if strings.EqualFold(c.Login, login) {
			return c
		}
	}
	return nil
}
