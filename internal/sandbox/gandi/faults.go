package gandi

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Reliability faults: how Gandi and the proxy in front of it fail. Each
// takes a count ("gandi-5xx=3": the next three requests), one by default.
const (
	FaultRateLimit       = "gandi-rate-limit"
	FaultRateLimitHTML   = "gandi-rate-limit-html"
	Fault5xx             = "gandi-5xx"
	Fault502HTML         = "gandi-502-html"
	FaultConnectionReset = "gandi-connection-reset"
)

// Faults lists the Gandi simulator's faults: the reliability ones above
// and the doctor faults, which are states of the zones.
func Faults() []world.FaultSpec {
	return append([]world.FaultSpec{
		{Name: FaultRateLimit, Kind: world.KindReliability,
			Description: "the next N Gandi requests get 429 with a JSON body (code 429) and Retry-After (gandi-rate-limit=N)"},
		{Name: FaultRateLimitHTML, Kind: world.KindReliability,
			Description: "the next N Gandi requests get the proxy's 429 as an HTML page, without Retry-After"},
		{Name: Fault5xx, Kind: world.KindReliability,
			Description: "the next N Gandi requests get 500 with Gandi's JSON error body"},
		{Name: Fault502HTML, Kind: world.KindReliability,
			Description: "the next N Gandi requests get 502 Bad Gateway as an HTML page"},
		{Name: FaultConnectionReset, Kind: world.KindReliability,
			Description: "the next N Gandi requests have their connection reset before any answer"},
	}, doctorFaults()...)
}

// injectFault answers the request as the active fault says, if one is.
func (s *server) injectFault(rw http.ResponseWriter, r *http.Request) bool {
	switch {
	case s.w.TakeFault(FaultConnectionReset):
		world.ResetConnection(rw, r)
	case s.w.TakeFault(Fault502HTML):
		writeProxyPage(rw, http.StatusBadGateway)
	case s.w.TakeFault(FaultRateLimitHTML):
		writeProxyPage(rw, http.StatusTooManyRequests)
	case s.w.TakeFault(FaultRateLimit):
		writeTooManyRequests(rw, time.Second)
	case s.w.TakeFault(Fault5xx):
		writeError(rw, errServer())
	default:
		return false
	}
	return true
}

// writeProxyPage is the HTML page of the proxy in front of the API: not
// JSON, so libdns/gandi loses the status ("invalid character '<'…").
func writeProxyPage(rw http.ResponseWriter, status int) {
	title := strconv.Itoa(status) + " " + http.StatusText(status)
	rw.Header().Set("Content-Type", "text/html")
	rw.WriteHeader(status)
	rw.Write([]byte("<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" +
		title + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"))
}

// writeTooManyRequests is Gandi's 429. Its body and Retry-After are
// unverified. Retry-After is in real seconds, at least 1: the product
// waits on the wall clock whatever the world's time scale.
func writeTooManyRequests(rw http.ResponseWriter, retryAfter time.Duration) {
	rw.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(retryAfter.Seconds())))))
	writeError(rw, coded(http.StatusTooManyRequests, "HTTPTooManyRequests", "Too Many Requests"))
}

// rateLimited enforces Gandi's documented limit, 1000 requests a minute per
// source IP, in simulated minutes.
func (s *server) rateLimited(rw http.ResponseWriter, r *http.Request) bool {
	if s.opts.RateLimit < 0 {
		return false
	}
	minute := s.w.Scaled(time.Minute)
	if minute <= 0 {
		return false // at time scale 0 every minute is over at once
	}
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	wait, limited := s.limiter.take(ip, time.Now(), minute, s.opts.RateLimit)
	if limited {
		writeTooManyRequests(rw, wait)
	}
	return limited
}

// rateLimiter counts requests per source IP in fixed windows. It lives in
// memory only: a new process starts with fresh windows, as the minute
// would most likely be over anyway.
type rateLimiter struct {
	mu      sync.Mutex
	windows map[string]*rateWindow
}

type rateWindow struct {
	start time.Time
	count int
}

func newRateLimiter() *rateLimiter { return &rateLimiter{windows: map[string]*rateWindow{}} }

// take counts one request from ip; when over limit it reports how long
// until the window ends.
func (l *rateLimiter) take(ip string, now time.Time, length time.Duration, limit int) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	win := l.windows[ip]
	if win == nil || !now.Before(win.start.Add(length)) {
		win = &rateWindow{start: now}
		l.windows[ip] = win
	}
	win.count++
	if win.count > limit {
		return win.start.Add(length).Sub(now), true
	}
	return 0, false
}
