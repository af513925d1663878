package mailgun

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// defaultRequestsPerMinute is the Domains API limit Mailgun documents: 300
// requests per minute per account.
const defaultRequestsPerMinute = 300

// rateWindow counts the account's recent requests over a sliding window.
// It lives in memory, not in world.json: counting in the world would make
// every read a write, and a chapterctl process rarely lives for a whole
// window anyway. Both regions count against one account (unverified).
type rateWindow struct {
	mu   sync.Mutex
	hits []time.Time
}

// take counts a request at now and tells whether it is within limit per
// window; if not, when the oldest counted request leaves the window.
func (rw *rateWindow) take(now time.Time, window time.Duration, limit int) (ok bool, reset time.Time) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	kept := rw.hits[:0]
	for _, t := range rw.hits {
		if now.Sub(t) < window {
			kept = append(kept, t)
		}
	}
	rw.hits = kept
	if len(rw.hits) >= limit {
		return false, rw.hits[0].Add(window)
	}
	rw.hits = append(rw.hits, now)
	return true, time.Time{}
}

// rateLimited answers 429 when the mailgun-rate-limit fault has a burst
// left or the account went over its limit, and tells whether it did.
func (s *server) rateLimited(rw http.ResponseWriter) bool {
	now := s.w.Now()
	if s.w.TakeFault(FaultRateLimit) {
		// As if the burst of requests that hit the limit had just started.
		tooManyRequests(rw, now, s.w.After(time.Minute))
		return true
	}
	window := s.w.Scaled(time.Minute)
	if window <= 0 {
		return false // time_scale 0: every minute is over at once
	}
	limit := defaultRequestsPerMinute
	s.w.Read(func(d *world.Data) {
		if d.Mailgun.RequestsPerMinute > 0 {
			limit = d.Mailgun.RequestsPerMinute
		}
	})
	ok, reset := s.rate.take(now, window, limit)
	if !ok {
		tooManyRequests(rw, now, reset)
	}
	return !ok
}

// tooManyRequests writes Mailgun's 429. X-RateLimit-Reset is in whole epoch
// seconds, rounded up so that a client waiting until then is never early
// (mailgun-go reads it as epoch seconds). The body carries both the
// current spec's "message" and the older docs' "retry-seconds"
// (unverified: neither is confirmed for today's API).
func tooManyRequests(rw http.ResponseWriter, now, reset time.Time) {
	resetUnix := int64(math.Ceil(float64(reset.UnixNano()) / float64(time.Second)))
	retry := max(resetUnix-now.Unix(), 1)
	rw.Header().Set("X-RateLimit-Reset", strconv.FormatInt(resetUnix, 10))
	writeJSON(rw, http.StatusTooManyRequests, map[string]any{
		"message":       "Too many requests",
		"retry-seconds": retry,
	})
}
