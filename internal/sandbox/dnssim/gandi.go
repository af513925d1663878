package dnssim

import (
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Gandi's SOA, as its LiveDNS servers serve it (reference/timings.md §4:
// `ns1.gandi.net. hostmaster.gandi.net. <serial> 10800 3600 604800 10800`):
// a name asked before it exists stays absent at resolvers for up to 3 h.
const (
	gandiSOATTL  = 10800
	gandiRefresh = 10800
	gandiRetry   = 3600
	gandiExpire  = 604800
	gandiMinimum = 10800
	gandiNSTTL   = 10800
)

// gandiDefaultNameservers are a LiveDNS domain's nameservers when the
// world does not name them (DESIGN.md's default).
var gandiDefaultNameservers = []string{"ns-203.gandi.net.", "ns-51.gandi.net.", "ns-1.gandi.net."}

// gandiZone finds the Gandi domain holding name (the deepest, should one
// domain sit inside another) and the zone its servers serve at now. Before
// the domain's first publication the servers refuse it: it is not
// delegated to them yet.
func gandiZone(now time.Time) finder {
	return func(d *world.Data, name string) (*zone, zoneState) {
		var dom *world.Domain
		origin := ""
		for _, candidate := range d.Gandi.Domains {
			o := dns.CanonicalName(candidate.FQDN)
			if dns.IsSubDomain(o, name) && len(o) > len(origin) {
				dom, origin = candidate, o
			}
		}
		if dom == nil {
			return nil, outside
		}
		records, ok := dom.ServedAt(now)
		if !ok {
			return nil, unserved
		}
		z := newZone(origin, cloneRRSets(records), gandiSOA(origin, publishedAt(dom, now)))
		z.nameservers, z.nsTTL = gandiNameservers(dom), gandiNSTTL
		return z, served
	}
}

// publishedAt is when the version ServedAt(now) answers from was
// published: its SOA serial.
func publishedAt(dom *world.Domain, now time.Time) time.Time {
	for i := len(dom.Published) - 1; i >= 0; i-- {
		if !dom.Published[i].At.After(now) {
			return dom.Published[i].At
		}
	}
	return time.Time{}
}

// gandiSOA synthesises the zone's SOA: LiveDNS lists no SOA among the
// records, yet its servers serve one. The serial is the publication time in
// milliseconds (modulo 2^32), not Gandi's seconds: at a small time scale a
// zone is republished several times a second, and the serial must change
// with each version. Serial arithmetic (RFC 1982) still orders versions
// less than 24 days apart.
func gandiSOA(origin string, published time.Time) *dns.SOA {
	return &dns.SOA{
		Hdr:    header(origin, dns.TypeSOA, gandiSOATTL),
		Ns:     "ns1.gandi.net.",
		Mbox:   "hostmaster.gandi.net.",
		Serial: uint32(published.UnixMilli()),
		// The timers are Gandi's.
		Refresh: gandiRefresh, Retry: gandiRetry, Expire: gandiExpire, Minttl: gandiMinimum,
	}
}

func gandiNameservers(dom *world.Domain) []string {
	if len(dom.Nameservers) == 0 {
		return gandiDefaultNameservers
	}
	out := make([]string, len(dom.Nameservers))
	for i, ns := range dom.Nameservers {
		out[i] = dns.CanonicalName(ns)
	}
	return out
}

// cloneRRSets copies records out of the world, values and all.
func cloneRRSets(records []world.RRSet) []world.RRSet {
	out := make([]world.RRSet, len(records))
	for i, r := range records {
		r.Values = append([]string(nil), r.Values...)
		out[i] = r
	}
	return out
}

// gandiDomains lists the world's LiveDNS domains, absolute and lowercase.
func gandiDomains(d *world.Data) []string {
	out := make([]string, 0, len(d.Gandi.Domains))
	for _, dom := range d.Gandi.Domains {
		out = append(out, dns.CanonicalName(strings.TrimSpace(dom.FQDN)))
	}
	return out
}

// NameserverIPv4 and NameserverIPv6 are the addresses every LiveDNS
// nameserver host (ns1.gandi.net, ns-203.gandi.net, …) has in the sandbox:
// documentation addresses, so the product can resolve a zone's NS names
// and query each server, once the sandbox routes port 53 of these
// addresses to the Authoritative listener.
const (
	NameserverIPv4 = "192.0.2.53"
	NameserverIPv6 = "2001:db8::53"
)

// nameserverTTL is the TTL of the nameserver hosts' addresses (unverified).
const nameserverTTL = 86400

// gandiNameserverZone serves gandi.net as far as the sandbox needs it: the
// addresses of the nameserver hosts the world's domains name. Every other
// gandi.net name (webredir.vip.gandi.net, the Gandi Mail hosts) does not
// exist here.
func gandiNameserverZone(d *world.Data, name string) (*zone, zoneState) {
	const origin = "gandi.net."
	if !dns.IsSubDomain(origin, name) {
		return nil, outside
	}
	hosts := append([]string{"ns1.gandi.net."}, gandiDefaultNameservers...)
	for _, dom := range d.Gandi.Domains {
		hosts = append(hosts, gandiNameservers(dom)...)
	}
	var records []world.RRSet
	seen := map[string]bool{}
	for _, host := range hosts {
		if seen[host] || !dns.IsSubDomain(origin, host) {
			continue
		}
		seen[host] = true
		records = append(records,
			world.RRSet{Name: host, Type: "A", TTL: nameserverTTL, Values: []string{NameserverIPv4}},
			world.RRSet{Name: host, Type: "AAAA", TTL: nameserverTTL, Values: []string{NameserverIPv6}})
	}
	z := newZone(origin, records, gandiSOA(origin, time.Time{}))
	z.nameservers, z.nsTTL = []string{"ns1.gandi.net."}, gandiNSTTL
	return z, served
}
