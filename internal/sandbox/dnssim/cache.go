package dnssim

import (
	"sync"
	"time"

	"github.com/miekg/dns"
)

// maxCacheEntries bounds a resolver's cache; past it, expired entries go,
// and if that is not enough, everything (a resolver restarting).
const maxCacheEntries = 10000

type cacheKey struct {
	name  string
	qtype uint16
}

// cacheEntry is one cached answer. The times are real (the world's clock);
// the TTLs in msg are as they were when stored, in simulated seconds.
//
// The cache lives in memory, so it does not outlive the process: a new
// chapterctl command meets resolvers that remember nothing. Keeping it in
// world.Data would make negative caching span commands too.
type cacheEntry struct {
	msg      *dns.Msg
	storedAt time.Time
	expires  time.Time
}

type cache struct {
	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
}

func newCache() *cache { return &cache{entries: map[cacheKey]cacheEntry{}} }

// get returns a copy of the cached answer with its TTLs counted down by
// the simulated time since it was stored (unscaled turns real time into
// simulated time).
func (c *cache) get(key cacheKey, now time.Time, unscaled func(time.Duration) time.Duration) (*dns.Msg, bool) {
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok && !now.Before(e.expires) {
		delete(c.entries, key)
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	elapsed := uint32(unscaled(now.Sub(e.storedAt)) / time.Second)
	m := e.msg.Copy()
	for _, rr := range records(m) {
		h := rr.Header()
		h.Ttl -= min(elapsed, h.Ttl)
	}
	return m, true
}

// capTTLs lowers every TTL in m to at most ttl seconds: the answer as the
// resolver hands it out, from the first time on.
func capTTLs(m *dns.Msg, ttl uint32) {
	for _, rr := range records(m) {
		rr.Header().Ttl = min(rr.Header().Ttl, ttl)
	}
}

// records are the answer and authority records of m.
func records(m *dns.Msg) []dns.RR {
	return append(append([]dns.RR(nil), m.Answer...), m.Ns...)
}

// put caches a copy of m until expires.
func (c *cache) put(key cacheKey, m *dns.Msg, now, expires time.Time) {
	if !now.Before(expires) {
		return // at time scale 0 nothing stays cached
	}
	stored := m.Copy()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCacheEntries {
		c.sweep(now)
	}
	c.entries[key] = cacheEntry{msg: stored, storedAt: now, expires: expires}
}

// sweep drops expired entries, or all of them if none has expired.
func (c *cache) sweep(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	if len(c.entries) >= maxCacheEntries {
		clear(c.entries)
	}
}
