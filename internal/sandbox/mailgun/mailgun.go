// Package mailgun simulates the parts of Mailgun chapterctl drives: the
// Domains API of both regions (sending domains, their DNS records and
// verification, SMTP credentials, tracking settings) and the SMTP relay's
// login, so that a Cloudron relay pointed at Mailgun can pass or fail its
// login test. Reference: /work/shared/reference/mailgun.md.
package mailgun

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// The API hosts. A domain lives in one region; the request's Host tells
// which region's API is asked (both names reach the same listener).
const (
	USHost = "api.mailgun.net"
	EUHost = "api.eu.mailgun.net"
)

// Regions, as world.MailgunDomain.Region holds them.
const (
	RegionUS = "us"
	RegionEU = "eu"
)

// Deps is what the simulator needs from the rest of the world: DNS, as
// Mailgun's resolvers see it, for verification. The sandbox answers from
// the simulated DNS (authoritative servers or the public-resolver stand-ins);
// tests use a fake. Names are fully qualified, without the final dot. The
// methods are called outside any world lock, so they may read the world.
type Deps interface {
	// LookupTXT returns the TXT records at name, each record's strings
	// joined (as net.Resolver.LookupTXT does); none and no error when the
	// name has none or does not exist.
	LookupTXT(ctx context.Context, name string) ([]string, error)
	// LookupCNAME returns the target of the CNAME at name, "" when there
	// is none.
	LookupCNAME(ctx context.Context, name string) (string, error)
	// LookupMX returns the MX records at name, none when there are none.
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
}

type server struct {
	w    *world.World
	dns  Deps
	rate rateWindow
}

// New returns the Mailgun API simulator for both regions' hosts. With nil
// deps no DNS answers, so verification leaves every record "unknown".
func New(w *world.World, deps Deps) http.Handler {
	s := &server{w: w, dns: deps}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v4/domains", s.listDomains)
	mux.HandleFunc("POST /v4/domains", s.createDomain)
	mux.HandleFunc("GET /v4/domains/{name}", s.getDomain)
	mux.HandleFunc("PUT /v4/domains/{name}/verify", s.verifyDomain)
	mux.HandleFunc("DELETE /v3/domains/{name}", s.deleteDomain)

	mux.HandleFunc("GET /v3/domains/{name}/credentials", s.listCredentials)
	mux.HandleFunc("POST /v3/domains/{name}/credentials", s.createCredentials)
	mux.HandleFunc("DELETE /v3/domains/{name}/credentials", s.deleteAllCredentials)
	mux.HandleFunc("PUT /v3/domains/{name}/credentials/{login}", s.updateCredential)
	mux.HandleFunc("DELETE /v3/domains/{name}/credentials/{login}", s.deleteCredential)

	mux.HandleFunc("GET /v3/domains/{name}/tracking", s.getTracking)
	mux.HandleFunc("PUT /v3/domains/{name}/tracking/{kind}", s.updateTracking)
	// Any other path gets the mux's plain-text 404: Mailgun's wrong paths
	// answer without a JSON body too (reference §2).
	return w.Journaled("mailgun", s.gate(mux))
}

// gate does what Mailgun's front does before any endpoint: latency, the
// account's key, and the rate limit.
func (s *server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		s.w.InjectLatency(r.Context())
		if !s.authorized(r) {
			writeMessage(rw, http.StatusUnauthorized, "Invalid private key")
			return
		}
		if s.rateLimited(rw) {
			return
		}
		next.ServeHTTP(rw, r)
	})
}

// authorized checks HTTP Basic auth: user "api", password the account's
// key. A wrong user is refused like a wrong key (unverified: Mailgun's text
// for it is not documented).
func (s *server) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok || user != "api" {
		return false
	}
	var key string
	s.w.Read(func(d *world.Data) { key = d.Tokens.Mailgun })
	return key != "" && subtle.ConstantTimeCompare([]byte(pass), []byte(key)) == 1
}

// regionOf tells which region's API a request asked; any name but the EU
// host (127.0.0.1:PORT from curl, say) is the US API.
func regionOf(r *http.Request) string {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if strings.EqualFold(strings.TrimSuffix(host, "."), EUHost) {
		return RegionEU
	}
	return RegionUS
}

// domainIn finds the named domain in region; a domain of the other region
// is not found, as the other region's API does not know it.
func domainIn(d *world.Data, region, name string) *world.MailgunDomain {
	dom := d.Mailgun.Domain(name)
	if dom == nil || dom.Region != region {
		return nil
	}
	return dom
}
