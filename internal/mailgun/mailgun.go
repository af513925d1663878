// Package mailgun is chapterctl's adapter for Mailgun's Domains API: the
// sending domain of the chapter's outbound relay, its SMTP credential, its
// tracking settings and its verification (reference/mailgun.md). It runs on
// chapterctl's own transport (netx), so the sandbox reaches its simulator
// through the same code. The API key is sent only as HTTP Basic auth
// ("api:KEY") and never appears in an error or a log line.
package mailgun

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/chapterctl/chapterctl/internal/netx"
)

// Regions (chapter.yaml mail.relay_region). A domain lives in one region;
// the other region's API does not know it.
const (
	RegionUS = "us"
	RegionEU = "eu"
)

// APIBase is the region's API root (reference §2).
func APIBase(region string) string {
	if region == RegionEU {
		return "https://api.eu.mailgun.net"
	}
	return "https://api.mailgun.net"
}

// SMTPHost is the region's SMTP relay; it must match the domain's region.
func SMTPHost(region string) string {
	if region == RegionEU {
		return "smtp.eu.mailgun.org"
	}
	return "smtp.mailgun.org"
}

// SMTPPort is the submission port Cloudron relays to: STARTTLS on 587
// (DigitalOcean blocks 25; Cloudron's relay config hard-codes STARTTLS, so
// not 465).
const SMTPPort = 587

// KeyHelp is where an organizer finds the key.
const KeyHelp = "an account API key (Mailgun dashboard → API Security), not a domain sending key"

// Client talks to one region of Mailgun's API with one account key. It is
// safe for concurrent use.
type Client struct {
	key       string
	base      string
	region    string
	http      *http.Client
	transport *http.Transport
	retry     retryPolicy
	// Log, when set, gets a debug line per retried request (method, path,
	// status; never the key).
	Log *slog.Logger
}

// New returns a client of region's API that reaches Mailgun through dialer,
// trusting roots (nil: the system's roots).
func New(key, region string, dialer netx.Dialer, roots *x509.CertPool) *Client {
	tr := netx.Transport(dialer, roots)
	return &Client{key: key, base: APIBase(region), region: region, http: &http.Client{Transport: tr},
		transport: tr, retry: defaultRetry}
}

// Region is the region this client asks.
func (c *Client) Region() string { return c.region }

// CloseIdleConnections closes the connections kept for later requests.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// requestTimeout bounds one HTTP attempt; the caller's context bounds them all.
const requestTimeout = 30 * time.Second

// APIError is an error answer of Mailgun: its status and the text of its
// {"message": …} body (or the raw body when it has none).
type APIError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *APIError) Error() string {
	what := fmt.Sprintf("%d %s (%s %s)", e.Status, e.Message, e.Method, e.Path)
	switch e.Status {
	case http.StatusUnauthorized:
		return "Mailgun refused the API key (" + what + "): check MAILGUN_API_KEY, " + KeyHelp
	case http.StatusForbidden:
		return "Mailgun does not allow this key to manage domains (" + what + "): use " + KeyHelp
	case http.StatusTooManyRequests:
		return "Mailgun's rate limit was reached (" + what + "): wait a minute and retry"
	}
	if e.Status >= 500 {
		return "Mailgun failed with an internal error (" + what + "): retry later"
	}
	return "Mailgun answered " + what
}

// statusOf is the API status behind err (0 if none).
func statusOf(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}
