package dnssim

import (
	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// providerZone serves the SPF records of the providers a chapter's SPF
// record may include, so that counting its lookups (RFC 7208 §4.6.4)
// follows them as a receiver would. Mailgun's are modelled on what it
// publishes (unverified: the address ranges are illustrative and Mailgun
// changes them; only the shape, an include of _spf.mailgun.org, matters
// to the count).
func providerZone(d *world.Data, name string) (*zone, zoneState) {
	const origin = "mailgun.org."
	if !dns.IsSubDomain(origin, name) {
		return nil, outside
	}
	for _, dom := range d.Gandi.Domains {
		if dns.IsSubDomain(dns.Fqdn(dom.FQDN), name) {
			return nil, outside // the world's own copy wins
		}
	}
	records := []world.RRSet{
		{Name: "@", Type: "TXT", TTL: 3600, Values: []string{`"v=spf1 include:_spf.mailgun.org ~all"`}},
		{Name: "_spf", Type: "TXT", TTL: 3600, Values: []string{`"v=spf1 ip4:209.61.151.0/24 ip4:166.78.68.0/22 ip4:198.61.254.0/21 ip4:69.72.32.0/20 ~all"`}},
	}
	soa := &dns.SOA{Hdr: header(origin, dns.TypeSOA, 300), Ns: "ns1.mailgun.org.", Mbox: "hostmaster.mailgun.org.",
		Serial: 1, Refresh: 3600, Retry: 600, Expire: 604800, Minttl: 300}
	return newZone(origin, records, soa), served
}
