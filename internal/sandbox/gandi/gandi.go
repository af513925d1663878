// Package gandi simulates Gandi's LiveDNS v5 API (/v5/livedns/…) over the
// sandbox world: the domains of world.Data.Gandi, their record sets and
// snapshots. It answers as the real service does, quirks included, so that
// libdns/gandi and chapterctl's own requests meet the same status codes,
// bodies and TXT quoting they will meet at api.gandi.net
// (shared/reference/gandi-livedns.md).
//
// Every change to a zone is published to the authoritative DNS servers
// Propagation (simulated) later, through world.Domain.Publish.
package gandi

import (
	"net/http"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Propagation is how long a zone change takes to reach every authoritative
// server (timings.md §7, "Gandi API write → all authoritative NS answer").
const Propagation = 2 * time.Second

// apiBase is where every href points: the real host, because libdns/gandi
// builds its later URLs from domain_records_href, and the sandbox dialer
// routes api.gandi.net to this simulator.
const apiBase = "https://api.gandi.net/v5/livedns"

// Options switch the behaviours the reference marks as unverified. The zero
// value is the simulator's best guess at the real service.
type Options struct {
	// DedupeValues drops repeated values inside an rrset. Off by default:
	// LiveDNS stored duplicates verbatim in 2019 (acme.sh#2302), and
	// whether it still does is unverified; storing them keeps libdns/gandi's
	// TXT re-append defect visible.
	DedupeValues bool
	// AllowCNAMEConflicts accepts a CNAME beside other types, and at the
	// apex. Off by default: whether and how Gandi refuses these is
	// unverified, and RFC 1034 forbids them, so the sandbox refuses.
	AllowCNAMEConflicts bool
	// ClampTTL raises a TTL under 300 s to 300 instead of refusing it with
	// a validation 400 (which of the two Gandi does is unverified).
	ClampTTL bool
	// SplitLongTXT cuts an unquoted TXT value over 255 bytes into quoted
	// 255-byte strings instead of refusing it. Off by default: what Gandi
	// does is unverified, and refusing catches a client that forgot to
	// chunk a DKIM key, which could otherwise pass here and fail for real.
	SplitLongTXT bool
	// RateLimit is the requests allowed per source IP per simulated
	// minute; 0 means Gandi's documented 1000, negative means no limit.
	RateLimit int
}

// New serves the LiveDNS API over w with the default options.
func New(w *world.World) http.Handler { return NewWithOptions(w, Options{}) }

// NewWithOptions serves the LiveDNS API over w.
func NewWithOptions(w *world.World, opts Options) http.Handler {
	if opts.RateLimit == 0 {
		opts.RateLimit = 1000
	}
	s := &server{w: w, opts: opts, limiter: newRateLimiter()}
	return w.Journaled("gandi", s)
}

type server struct {
	w       *world.World
	opts    Options
	limiter *rateLimiter
}

// ServeHTTP runs a request through what stands before the API at Gandi (the
// proxy's faults and rate limit), then authentication, then the route.
func (s *server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	s.w.InjectLatency(r.Context())
	if s.injectFault(rw, r) || s.rateLimited(rw, r) {
		return
	}
	if err := s.authenticate(r); err != nil {
		writeError(rw, err)
		return
	}
	if err := checkContentType(r); err != nil {
		writeError(rw, err)
		return
	}
	s.route(rw, r)
}
