package dnssim

import (
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// maxChain is how many CNAMEs an answer follows before it stops (a loop in
// the data, or a chain no real server would chase further).
const maxChain = 8

// zone is one zone as its authoritative servers hold it at one moment: a
// Gandi domain's published records, or records the simulator makes up for
// the query (a droplet's reverse name, a blocklist entry). It is built
// inside a world Read from copies, and answered from outside it.
type zone struct {
	origin  string        // absolute, lowercase: "example.org."
	records []world.RRSet // Gandi's shape, names relative to origin
	owners  []string      // the absolute owner name of each rrset
	soa     *dns.SOA
	// nameservers are the apex NS, unless the records hold an apex NS set.
	nameservers []string
	nsTTL       uint32
}

// zoneState says whether a source of zones holds a name.
type zoneState int

const (
	outside  zoneState = iota // no zone of this source holds the name
	unserved                  // a zone holds it but is not served yet
	served
)

// finder looks for the zone holding name in one source of zones (Gandi,
// reverse names, blocklists). It runs inside a world Read.
type finder func(d *world.Data, name string) (*zone, zoneState)

func newZone(origin string, records []world.RRSet, soa *dns.SOA) *zone {
	z := &zone{origin: origin, records: records, soa: soa}
	z.owners = make([]string, len(records))
	for i, r := range records {
		z.owners[i] = ownerName(origin, r.Name)
	}
	return z
}

func (z *zone) contains(name string) bool { return dns.IsSubDomain(z.origin, name) }

// exists tells whether name is in the zone's tree: it owns records, or it
// is an empty non-terminal (`_domainkey` above `cloudron._domainkey`),
// which answers NODATA, never NXDOMAIN.
func (z *zone) exists(name string) bool {
	if name == z.origin {
		return true
	}
	for _, owner := range z.owners {
		if owner == name || strings.HasSuffix(owner, "."+name) {
			return true
		}
	}
	return false
}

// rrsAt parses the records owned by name, the apex SOA and NS included.
func (z *zone) rrsAt(name string) []dns.RR {
	var rrs []dns.RR
	apexNS := false
	for i, owner := range z.owners {
		if owner != name {
			continue
		}
		if name == z.origin && strings.EqualFold(z.records[i].Type, "NS") {
			apexNS = true
		}
		rrs = append(rrs, parseRRSet(z.origin, owner, z.records[i])...)
	}
	if name != z.origin {
		return rrs
	}
	rrs = append(rrs, dns.Copy(z.soa))
	if !apexNS {
		for _, ns := range z.nameservers {
			rrs = append(rrs, &dns.NS{Hdr: header(z.origin, dns.TypeNS, z.nsTTL), Ns: ns})
		}
	}
	return rrs
}

// find returns the records at name, synthesised from a wildcard when the
// name does not exist but `*.<closest encloser>` does (RFC 4592), and
// whether the name exists at all.
func (z *zone) find(name string) ([]dns.RR, bool) {
	if z.exists(name) {
		return z.rrsAt(name), true
	}
	encloser := name
	for encloser != z.origin && encloser != "." {
		encloser = parentName(encloser)
		if z.exists(encloser) {
			break
		}
	}
	wildcard := "*." + encloser
	var rrs []dns.RR
	for i, owner := range z.owners {
		if owner == wildcard {
			rrs = append(rrs, parseRRSet(z.origin, owner, z.records[i])...)
		}
	}
	for _, rr := range rrs {
		rr.Header().Name = name
	}
	return rrs, len(rrs) > 0
}

// answer is the authoritative answer to (qname, qtype): the records, with
// the CNAME chain inside the zone; NXDOMAIN or NODATA with the SOA in the
// authority section. A chain leaving the zone ends at the CNAME: finding
// the rest is the resolver's work.
func (z *zone) answer(qname string, qtype uint16) *dns.Msg {
	m := &dns.Msg{}
	m.Authoritative = true
	name := dns.CanonicalName(qname)
	for range maxChain {
		rrs, ok := z.find(name)
		if !ok {
			// After a CNAME the code is the last name's (RFC 6604).
			return z.negative(m, dns.RcodeNameError)
		}
		if cname := cnameIn(rrs); cname != nil && qtype != dns.TypeCNAME && qtype != dns.TypeANY {
			m.Answer = append(m.Answer, cname)
			name = dns.CanonicalName(cname.Target)
			if !z.contains(name) {
				return m
			}
			continue
		}
		match := ofType(rrs, qtype)
		if len(match) == 0 {
			return z.negative(m, dns.RcodeSuccess)
		}
		m.Answer = append(m.Answer, match...)
		return m
	}
	return m
}

// negative completes a NXDOMAIN or NODATA answer: the SOA goes in the
// authority section with the TTL a resolver may cache the absence for,
// min(SOA TTL, SOA MINIMUM) (RFC 2308 §3).
func (z *zone) negative(m *dns.Msg, rcode int) *dns.Msg {
	m.Rcode = rcode
	soa := dns.Copy(z.soa).(*dns.SOA)
	soa.Hdr.Ttl = min(soa.Hdr.Ttl, soa.Minttl)
	m.Ns = []dns.RR{soa}
	return m
}

func cnameIn(rrs []dns.RR) *dns.CNAME {
	for _, rr := range rrs {
		if c, ok := rr.(*dns.CNAME); ok {
			return c
		}
	}
	return nil
}

func ofType(rrs []dns.RR, qtype uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range rrs {
		if qtype == dns.TypeANY || rr.Header().Rrtype == qtype {
			out = append(out, rr)
		}
	}
	return out
}

// parentName is name without its first label ("." stays ".").
func parentName(name string) string {
	if i, end := dns.NextLabel(name, 0); !end {
		return name[i:]
	}
	return "."
}

func header(name string, rrtype uint16, ttl uint32) dns.RR_Header {
	return dns.RR_Header{Name: name, Rrtype: rrtype, Class: dns.ClassINET, Ttl: ttl}
}
