package mailgun

import (
	"net/http"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// domainJSON is the domain object of the v4 API (the spec's
// client-golang-Domain; every field it requires is present).
type domainJSON struct {
	CreatedAt                  string `json:"created_at"`
	ID                         string `json:"id"`
	IsDisabled                 bool   `json:"is_disabled"`
	Name                       string `json:"name"`
	RequireTLS                 bool   `json:"require_tls"`
	SkipVerification           bool   `json:"skip_verification"`
	SMTPLogin                  string `json:"smtp_login"`
	SpamAction                 string `json:"spam_action"`
	State                      string `json:"state"`
	Type                       string `json:"type"`
	UseAutomaticSenderSecurity bool   `json:"use_automatic_sender_security"`
	WebPrefix                  string `json:"web_prefix"`
	WebScheme                  string `json:"web_scheme"`
	Wildcard                   bool   `json:"wildcard"`
	EncryptIncomingMessage     bool   `json:"encrypt_incoming_message"`
	MessageTTL                 int    `json:"message_ttl"`
}

// recordJSON is a DNS record as the API shows it (client-golang-Record).
type recordJSON struct {
	IsActive   bool     `json:"is_active"`
	Cached     []string `json:"cached"`
	Name       string   `json:"name,omitempty"`
	Priority   string   `json:"priority,omitempty"`
	RecordType string   `json:"record_type"`
	Valid      string   `json:"valid"`
	Value      string   `json:"value"`
}

// domainReply is GET /v4/domains/{name}; create and verify add a message.
type domainReply struct {
	Message             string       `json:"message,omitempty"`
	Domain              domainJSON   `json:"domain"`
	ReceivingDNSRecords []recordJSON `json:"receiving_dns_records"`
	SendingDNSRecords   []recordJSON `json:"sending_dns_records"`
}

// rfc1123GMT is how the domains API writes times: "Thu, 13 Oct 2011
// 18:02:00 GMT".
func rfc1123GMT(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// rfc2822Numeric is how the credentials API writes times: "Fri, 23 Jan
// 2026 10:16:00 +0000".
func rfc2822Numeric(t time.Time) string { return t.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700") }

func domainOf(dom *world.MailgunDomain) domainJSON {
	return domainJSON{
		CreatedAt: rfc1123GMT(dom.CreatedAt), ID: dom.ID, Name: dom.Name,
		RequireTLS: dom.RequireTLS, SkipVerification: dom.SkipVerification,
		SMTPLogin: "postmaster@" + dom.Name, SpamAction: dom.SpamAction, State: dom.State,
		Type: "custom", UseAutomaticSenderSecurity: dom.UseAutomaticSenderSecurity,
		WebPrefix: dom.WebPrefix, WebScheme: dom.WebScheme, Wildcard: dom.Wildcard,
		EncryptIncomingMessage: dom.EncryptIncomingMessage, MessageTTL: dom.MessageTTL,
	}
}

func recordsOf(records []world.MailgunRecord) []recordJSON {
	out := make([]recordJSON, 0, len(records))
	for _, r := range records {
		cached := r.Cached
		if cached == nil {
			cached = []string{}
		}
		out = append(out, recordJSON{IsActive: r.IsActive, Cached: cached, Name: r.Name, Priority: r.Priority,
			RecordType: r.RecordType, Valid: r.Valid, Value: r.Value})
	}
	return out
}

func replyOf(message string, dom *world.MailgunDomain) domainReply {
	return domainReply{Message: message, Domain: domainOf(dom),
		ReceivingDNSRecords: recordsOf(dom.ReceivingRecords), SendingDNSRecords: recordsOf(dom.SendingRecords)}
}
