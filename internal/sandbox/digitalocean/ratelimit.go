package digitalocean

import (
	"math"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// DigitalOcean's limits per token (reference §2): 5,000 requests in any
// hour and 250 in any minute, each request counting for a sliding window
// after it is made; GET /v2/account/keys alone is held to 10 a minute.
const (
	hourlyLimit   = 5000
	minuteLimit   = 250
	keysListLimit = 10
)

// rateLimits are the limits a limiter enforces: DigitalOcean's, or wider
// ones for a benchmark of the simulator's own cost.
type rateLimits struct{ hour, minute, keysList int }

var realLimits = rateLimits{hour: hourlyLimit, minute: minuteLimit, keysList: keysListLimit}

// rateLimiter counts requests per token in memory: the windows are an
// hour long at most, far shorter than a world's life, and a new process
// starting with a fresh count is what a client could never notice.
//
// The windows run on real time, not the world's scaled clock: they limit
// how fast a client sends, and a client's pace is real whatever the scale.
type rateLimiter struct {
	limits  rateLimits
	mu      sync.Mutex
	byToken map[string]*tokenWindow
}

type tokenWindow struct {
	hour     []time.Time // requests admitted in the last hour, oldest first
	keysList []time.Time // GET /v2/account/keys admitted in the last minute
}

// rateDecision is what the limiter says about one request.
type rateDecision struct {
	remaining int
	reset     time.Time     // when the oldest counted request stops counting
	refused   bool          // answer 429
	retry     time.Duration // Retry-After for a per-minute refusal, 0 for none
}

func newRateLimiter(limits rateLimits) *rateLimiter {
	return &rateLimiter{limits: limits, byToken: map[string]*tokenWindow{}}
}

// admit counts a request of token at now, unless a limit refuses it: a
// refused request is not counted (unverified; counting refusals would lock
// out for good a client that keeps retrying, which DigitalOcean does not).
func (l *rateLimiter) admit(token string, now time.Time, isKeysList bool) rateDecision {
	l.mu.Lock()
	defer l.mu.Unlock()
	win := l.byToken[token]
	if win == nil {
		win = &tokenWindow{}
		l.byToken[token] = win
	}
	win.hour = since(win.hour, now.Add(-time.Hour))
	win.keysList = since(win.keysList, now.Add(-time.Minute))
	lastMinute := since(win.hour, now.Add(-time.Minute))

	switch {
	case len(win.hour) >= l.limits.hour:
		return rateDecision{remaining: 0, reset: win.hour[0].Add(time.Hour), refused: true}
	case len(lastMinute) >= l.limits.minute:
		return l.refuseForAMinute(win, lastMinute[0], now)
	case isKeysList && len(win.keysList) >= l.limits.keysList:
		return l.refuseForAMinute(win, win.keysList[0], now)
	}
	win.hour = append(win.hour, now)
	if isKeysList {
		win.keysList = append(win.keysList, now)
	}
	return rateDecision{remaining: l.limits.hour - len(win.hour), reset: win.hour[0].Add(time.Hour)}
}

func (l *rateLimiter) refuseForAMinute(win *tokenWindow, oldest, now time.Time) rateDecision {
	d := rateDecision{remaining: l.limits.hour - len(win.hour), refused: true, retry: oldest.Add(time.Minute).Sub(now)}
	if len(win.hour) > 0 {
		d.reset = win.hour[0].Add(time.Hour)
	}
	return d
}

// since returns the tail of the sorted times that are after cutoff.
func since(times []time.Time, cutoff time.Time) []time.Time {
	i := sort.Search(len(times), func(i int) bool { return times[i].After(cutoff) })
	return times[i:]
}

// setRateHeaders writes the headers every answer carries, errors too.
func (l *rateLimiter) setHeaders(h http.Header, d rateDecision) {
	h.Set("RateLimit-Limit", strconv.Itoa(l.limits.hour))
	h.Set("RateLimit-Remaining", strconv.Itoa(d.remaining))
	h.Set("RateLimit-Reset", strconv.FormatInt(d.reset.Unix(), 10))
}

// retryAfterSeconds is a Retry-After value: whole seconds, rounded up so a
// client that honours it is never early.
func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}
