package dnssim

import (
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Resolver caps, in simulated time: Unbound's cache-max-ttl default (one
// day) and BIND's max-ncache-ttl default (3 h, reference/timings.md §4).
const (
	defaultMaxTTL         = 24 * time.Hour
	defaultMaxNegativeTTL = 3 * time.Hour
)

// ResolverOptions configure a public-resolver stand-in.
type ResolverOptions struct {
	// Index is which public resolver this one plays, from 0 (the sandbox
	// plays 1.1.1.1, 8.8.8.8 and 9.9.9.9 in that order). The
	// resolvers-disagree fault makes the one with Index 1 stale.
	Index int
	// MaxTTL and MaxNegativeTTL cap how long answers and absences stay
	// cached, in simulated time; zero means one day and three hours.
	// (Cloudron's own unbound caps them at 300 s and 30 s.)
	MaxTTL, MaxNegativeTTL time.Duration
}

// Resolver is a stand-in for a public recursive resolver: it answers from
// its own cache, or asks the simulated authoritative servers (in-process)
// and caches what they say for its TTL, absences for min(SOA TTL, SOA
// MINIMUM) (RFC 2308), counted in simulated seconds. So a resolver asked
// before a record existed keeps answering NXDOMAIN until its negative entry
// expires, as public resolvers do. Each Resolver has its own cache.
type Resolver struct {
	w     *world.World
	opts  ResolverOptions
	cache *cache
}

// NewResolver returns a resolver stand-in with an empty cache.
func NewResolver(w *world.World, opts ResolverOptions) *Resolver {
	if opts.MaxTTL <= 0 {
		opts.MaxTTL = defaultMaxTTL
	}
	if opts.MaxNegativeTTL <= 0 {
		opts.MaxNegativeTTL = defaultMaxNegativeTTL
	}
	return &Resolver{w: w, opts: opts, cache: newCache()}
}

// ServeDNS answers a query as a public resolver: recursion available, not
// authoritative.
func (r *Resolver) ServeDNS(rw dns.ResponseWriter, req *dns.Msg) {
	recursion := req.RecursionDesired
	respond(r.w, rw, req, func(q dns.Question) *dns.Msg { return r.resolve(q, recursion) })
}

// Lookup resolves (name, qtype) in-process, as a recursive query would,
// through the same cache.
func (r *Resolver) Lookup(name string, qtype uint16) *dns.Msg {
	m := lookupMsg(name, qtype, func(q dns.Question) *dns.Msg { return r.resolve(q, true) })
	m.RecursionDesired = true
	return m
}

// resolve answers q from the cache or by asking the zones. A query without
// RD is answered from the cache only, and refused otherwise (unverified:
// public resolvers differ; refusing makes a client that forgot RD fail
// loudly rather than get a stale answer).
func (r *Resolver) resolve(q dns.Question, recursion bool) *dns.Msg {
	name := dns.CanonicalName(q.Name)
	now := r.w.Now()
	key := cacheKey{name: name, qtype: q.Qtype}
	stale, bypassCache := r.override(name, q.Qtype)
	var m *dns.Msg
	switch {
	case stale != nil:
		m = stale
	case bypassCache:
		m = r.recurse(name, q.Qtype)
	default:
		cached, ok := r.cache.get(key, now, r.w.Unscaled)
		switch {
		case ok:
			m = cached
		case !recursion:
			m = &dns.Msg{MsgHdr: dns.MsgHdr{Rcode: dns.RcodeRefused}}
		default:
			m = r.recurse(name, q.Qtype)
			if ttl, ok := r.lifetime(m, q.Qtype); ok {
				capTTLs(m, uint32(ttl/time.Second))
				r.cache.put(key, m, now, now.Add(r.w.Scaled(ttl)))
			}
		}
	}
	m.Authoritative, m.RecursionAvailable = false, true
	return m
}

// recurse asks the zone holding name, then follows a CNAME chain that
// leaves that zone into the zones its targets are in.
func (r *Resolver) recurse(name string, qtype uint16) *dns.Msg {
	m, state := r.ask(name, qtype)
	for range maxChain {
		if state != served || m.Rcode != dns.RcodeSuccess {
			break
		}
		target, ok := danglingCNAME(m, qtype)
		if !ok {
			break
		}
		next, nextState := r.ask(target, qtype)
		m.Answer = append(m.Answer, next.Answer...)
		m.Rcode, m.Ns, state = next.Rcode, next.Ns, nextState
	}
	if state != served {
		// Every server of the zone refuses it (not delegated to them yet):
		// a lame delegation, which resolvers report as SERVFAIL.
		return &dns.Msg{MsgHdr: dns.MsgHdr{Rcode: dns.RcodeServerFailure}}
	}
	return m
}

func (r *Resolver) ask(name string, qtype uint16) (*dns.Msg, zoneState) {
	return askZones(r.w, name, qtype, blocklistZone, gandiZone(r.w.Now()), reverseZone, gandiNameserverZone, providerZone, tldZone)
}

// danglingCNAME is the target of a chain that ends in a CNAME.
func danglingCNAME(m *dns.Msg, qtype uint16) (string, bool) {
	if qtype == dns.TypeCNAME || qtype == dns.TypeANY || len(m.Answer) == 0 {
		return "", false
	}
	if cname, ok := m.Answer[len(m.Answer)-1].(*dns.CNAME); ok {
		return dns.CanonicalName(cname.Target), true
	}
	return "", false
}

// lifetime is how long an answer may be cached: its smallest TTL, or for
// NXDOMAIN and NODATA min(SOA TTL, SOA MINIMUM), each capped by the
// resolver. Failures and absences without a SOA are not cached.
func (r *Resolver) lifetime(m *dns.Msg, qtype uint16) (time.Duration, bool) {
	negative := m.Rcode == dns.RcodeNameError || !hasAnswer(m, qtype)
	if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
		return 0, false
	}
	ttl, limit := uint32(1<<31-1), r.opts.MaxTTL
	for _, rr := range m.Answer {
		ttl = min(ttl, rr.Header().Ttl)
	}
	if negative {
		soa := soaIn(m.Ns)
		if soa == nil {
			return 0, false
		}
		ttl, limit = min(ttl, soa.Hdr.Ttl, soa.Minttl), r.opts.MaxNegativeTTL
	}
	d := min(time.Duration(ttl)*time.Second, limit.Truncate(time.Second))
	return d, d > 0
}

func hasAnswer(m *dns.Msg, qtype uint16) bool { return len(ofType(m.Answer, qtype)) > 0 }

func soaIn(rrs []dns.RR) *dns.SOA {
	for _, rr := range rrs {
		if soa, ok := rr.(*dns.SOA); ok {
			return soa
		}
	}
	return nil
}

// staleTTL is the TTL of the stale answer of the resolvers-disagree fault.
const staleTTL = 300

// defaultStaleIP is the stale answer's address unless the fault names one:
// a documentation address no droplet has, as an old droplet's would be,
// so that connecting to it is refused.
const defaultStaleIP = "203.0.113.254"

// override applies the faults that are the resolver's own doing, ahead of
// its cache: the second resolver's stale `my.<domain>`, and Spamhaus
// refusing public resolvers (asked afresh each time, so that breaking and
// healing the fault show at once).
func (r *Resolver) override(name string, qtype uint16) (stale *dns.Msg, bypassCache bool) {
	r.w.Read(func(d *world.Data) {
		if param, on := d.Faults[FaultResolversDisagree]; on && r.opts.Index == 1 && qtype == dns.TypeA {
			for _, domain := range gandiDomains(d) {
				if name == "my."+domain {
					stale = staleAnswer(name, param)
				}
			}
		}
		if _, on := d.Faults[FaultDNSBLRefuses]; on {
			for _, bl := range blocklists {
				bypassCache = bypassCache || (bl.spamhaus && dns.IsSubDomain(bl.zone, name))
			}
		}
	})
	return stale, bypassCache
}

func staleAnswer(name, param string) *dns.Msg {
	ip := defaultStaleIP
	if addr, err := netip.ParseAddr(strings.TrimSpace(param)); err == nil && addr.Is4() {
		ip = addr.String()
	}
	m := &dns.Msg{}
	m.Answer = []dns.RR{&dns.A{Hdr: header(name, dns.TypeA, staleTTL), A: netip.MustParseAddr(ip).AsSlice()}}
	return m
}

// tldZone answers for a name no simulated zone holds: in the sandbox it
// does not exist, as its top-level domain's servers would say. The SOA
// timers are unverified (900 s is .com's negative TTL).
func tldZone(_ *world.Data, name string) (*zone, zoneState) {
	labels := dns.SplitDomainName(name)
	origin := "."
	if len(labels) > 0 {
		origin = labels[len(labels)-1] + "."
	}
	soa := &dns.SOA{Hdr: header(origin, dns.TypeSOA, 900), Ns: "a.nic." + origin, Mbox: "hostmaster.nic." + origin,
		Serial: 1, Refresh: 1800, Retry: 900, Expire: 604800, Minttl: 900}
	if origin == "." {
		soa.Ns, soa.Mbox = "a.root-servers.net.", "nstld.verisign-grs.com."
	}
	return newZone(origin, nil, soa), served
}
