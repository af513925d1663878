// Package gandi is chapterctl's adapter for Gandi LiveDNS v5: it checks that
// the token can manage the chapter's domain, reads and backs up the zone, and
// writes one record set at a time, safely.
//
// Why not libdns/gandi alone (shared/reference/gandi-livedns.md §2): its
// SetRecords appends instead of replacing, its TXT quoting is inconsistent,
// it loses HTTP statuses and never retries. So writes here are
// read-modify-write: re-read the rrset, refuse to write if it changed since
// the plan (ErrChanged), replace it whole with one PUT, read it back. Only a
// brand-new rrset holding one non-TXT value goes through libdns/gandi's
// AppendRecords, the one case where its behaviour is exactly that PUT.
//
// Reaching the network: the adapter's own requests go through an
// *http.Client on netx.Transport(dialer, roots). libdns/gandi cannot be given
// a client: it hard-codes https://api.gandi.net and sends everything with
// http.DefaultClient, that is http.DefaultTransport. The adapter does not
// touch that global; in sandbox mode the command sets http.DefaultTransport
// once at start-up to the sandbox's transport, and this package's tests do
// the same. Because libdns/gandi loses statuses, a failed libdns/gandi write
// is never trusted or retried as such: the adapter reads the rrset back with
// its own client (which sees every status) and finishes the job with its own
// PUT if needed.
package gandi

import (
	"crypto/x509"
	"log/slog"
	"net/http"
	"time"

	libgandi "github.com/libdns/gandi"

	"github.com/chapterctl/chapterctl/internal/netx"
)

// apiBase is LiveDNS's root. It is the real host in both modes: in the
// sandbox the dialer routes api.gandi.net to the simulator, as it must for
// libdns/gandi, which hard-codes it.
const apiBase = "https://api.gandi.net/v5/livedns"

// TTL bounds and default of LiveDNS, in seconds (reference §1.4).
const (
	MinTTL     = 300
	MaxTTL     = 2592000 // 30 days
	DefaultTTL = 10800   // what Gandi stores when no TTL is given
)

// TokenHelp is what to do about a token Gandi refuses.
const TokenHelp = "check GANDI_BEARER_TOKEN (a personal access token with 'Manage domain name technical configurations')"

// RRSet is one record set in Gandi's own shape. Name is relative to the zone
// ("@" is the apex); Values are in Gandi's stored form: TXT values quoted
// (`"v=spf1 -all"`, a long one as several strings `"…" "…"`, see QuoteTXT),
// host names absolute with their trailing dot. An RRSet with no Values
// stands for "no such record set".
type RRSet struct {
	Name   string   `json:"rrset_name"`
	Type   string   `json:"rrset_type"`
	TTL    int      `json:"rrset_ttl"`
	Values []string `json:"rrset_values"`
}

// Domain is what LiveDNS says of a domain of the account.
type Domain struct {
	FQDN        string
	Nameservers []string
	// UsesLiveDNS is true when every name server is a LiveDNS one
	// (ns-….gandi.net): only then do the zone's records reach the world.
	UsesLiveDNS bool
}

// Client talks to Gandi LiveDNS with one personal access token.
// It is safe for concurrent use.
type Client struct {
	token     string
	http      *http.Client
	transport *http.Transport
	libdns    *libgandi.Provider
	retry     retryPolicy
	// Log, when set, gets a debug line per retried request (method, path,
	// status; never the token).
	Log *slog.Logger
}

// New returns a client that reaches Gandi through dialer, trusting roots
// (nil: the system's roots). Nothing is sent until a method is called.
func New(token string, dialer netx.Dialer, roots *x509.CertPool) *Client {
	tr := netx.Transport(dialer, roots)
	return &Client{
		token:     token,
		http:      &http.Client{Transport: tr},
		transport: tr,
		libdns:    &libgandi.Provider{BearerToken: token},
		retry:     defaultRetry,
	}
}

// CloseIdleConnections closes the connections kept for later requests.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// requestTimeout bounds one HTTP attempt; the caller's context bounds them all.
const requestTimeout = 30 * time.Second
