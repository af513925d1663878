package dnssim

import (
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// PlainRRSet is a record set in the plain form the product's record list
// uses (the dns-records step's "expected" output): an FQDN owner without
// the trailing dot, TXT text unquoted and joined, host names absolute
// without the trailing dot.
type PlainRRSet struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

// PlainZone is the zone fqdn as the API holds it now, in plain form: what
// its authoritative servers serve once the last change is published. Tests
// use it to stand for a record list the zone is known to match; nil when
// the world has no such zone.
func PlainZone(d *world.Data, fqdn string) []PlainRRSet {
	dom := d.DomainByFQDN(fqdn)
	if dom == nil {
		return nil
	}
	origin := dns.Fqdn(strings.ToLower(dom.FQDN))
	var out []PlainRRSet
	for _, set := range dom.Records {
		owner := ownerName(origin, set.Name)
		rrs := parseRRSet(origin, owner, set)
		if len(rrs) == 0 {
			continue
		}
		plain := PlainRRSet{Name: strings.TrimSuffix(owner, "."), Type: strings.ToUpper(set.Type)}
		for _, rr := range rrs {
			plain.Values = append(plain.Values, plainValue(rr))
		}
		out = append(out, plain)
	}
	return out
}

// plainValue is rr's data as a zone file writes it, but for a TXT's
// strings joined and host names without their final dot.
func plainValue(rr dns.RR) string {
	if txt, ok := rr.(*dns.TXT); ok {
		return strings.Join(txt.Txt, "")
	}
	data := strings.TrimSpace(strings.TrimPrefix(rr.String(), rr.Header().String()))
	switch rr.(type) {
	case *dns.MX, *dns.CNAME, *dns.SRV, *dns.NS:
		// The target is the last field; the root (an SRV's "no service")
		// keeps its dot.
		if strings.HasSuffix(data, ".") && !strings.HasSuffix(data, " .") {
			data = strings.ToLower(strings.TrimSuffix(data, "."))
		}
	}
	return data
}
