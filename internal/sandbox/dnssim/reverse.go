package dnssim

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// DigitalOcean's reverse zones. It makes a droplet's PTR from the droplet's
// name when that name is a fully qualified domain name, and serves nothing
// for it otherwise. The TTLs and SOA timers are unverified: 1800 s is a
// common choice of providers, short enough that a renamed droplet shows its
// new PTR within the half hour.
const (
	ptrTTL           = 1800
	reverseSOATTL    = 1800
	reverseMinimum   = 1800
	reverseV4Labels  = 3  // a /24 per zone: c.b.a.in-addr.arpa.
	reverseV6Nibbles = 16 // a /64 per zone
)

// documentation are the address ranges the world's droplets live in
// (RFC 5737, RFC 3849), as in simnet: their reverse zones are the world's
// even where no droplet has an address yet.
var documentation = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// reverseZone serves in-addr.arpa and ip6.arpa names of the world's
// addresses: PTR records for droplets named with an FQDN.
func reverseZone(d *world.Data, name string) (*zone, zoneState) {
	prefix, ok := reversePrefix(name)
	if !ok || !worldPrefix(d, prefix) {
		return nil, outside
	}
	origin := reverseOrigin(prefix)
	var records []world.RRSet
	for _, dr := range d.DigitalOcean.Droplets {
		ptr, ok := ptrTarget(dr.Name)
		if !ok {
			continue
		}
		for _, ip := range []string{dr.PublicIPv4, dr.PublicIPv6} {
			addr, err := netip.ParseAddr(ip)
			if err != nil || !prefix.Contains(addr) {
				continue
			}
			arpa, err := dns.ReverseAddr(addr.String())
			if err != nil {
				continue
			}
			records = append(records, world.RRSet{Name: arpa, Type: "PTR", TTL: ptrTTL, Values: []string{ptr}})
		}
	}
	soa := &dns.SOA{
		Hdr: header(origin, dns.TypeSOA, reverseSOATTL),
		Ns:  "ns1.digitalocean.com.", Mbox: "hostmaster.digitalocean.com.",
		Serial: 1, Refresh: 10800, Retry: 3600, Expire: 604800, Minttl: reverseMinimum,
	}
	z := newZone(origin, records, soa)
	z.nameservers = []string{"ns1.digitalocean.com.", "ns2.digitalocean.com.", "ns3.digitalocean.com."}
	z.nsTTL = reverseSOATTL
	return z, served
}

// ptrTarget is the PTR a droplet's name gives: the name itself when it is
// an FQDN ("my.example.org"), none for a bare host name ("chapter-1").
func ptrTarget(dropletName string) (string, bool) {
	name := strings.TrimSuffix(strings.TrimSpace(dropletName), ".")
	if !strings.Contains(name, ".") {
		return "", false
	}
	if _, ok := dns.IsDomainName(name); !ok {
		return "", false
	}
	return dns.Fqdn(name), true
}

// worldPrefix tells whether a reverse zone belongs to the world: it is in a
// documentation range or holds a droplet's address.
func worldPrefix(d *world.Data, prefix netip.Prefix) bool {
	for _, doc := range documentation {
		if doc.Overlaps(prefix) {
			return true
		}
	}
	for _, dr := range d.DigitalOcean.Droplets {
		for _, ip := range []string{dr.PublicIPv4, dr.PublicIPv6} {
			if addr, err := netip.ParseAddr(ip); err == nil && prefix.Contains(addr) {
				return true
			}
		}
	}
	return false
}

// reversePrefix is the reverse zone's network a reverse name falls in: its
// /24 or /64. Names above that zone are not served.
func reversePrefix(name string) (netip.Prefix, bool) {
	name = dns.CanonicalName(name)
	switch {
	case dns.IsSubDomain("in-addr.arpa.", name):
		labels := dns.SplitDomainName(strings.TrimSuffix(name, "in-addr.arpa."))
		if len(labels) < reverseV4Labels {
			return netip.Prefix{}, false
		}
		var octets [4]byte
		for i := range reverseV4Labels {
			n, err := strconv.ParseUint(labels[len(labels)-1-i], 10, 8)
			if err != nil {
				return netip.Prefix{}, false
			}
			octets[i] = byte(n)
		}
		return netip.PrefixFrom(netip.AddrFrom4(octets), 8*reverseV4Labels), true
	case dns.IsSubDomain("ip6.arpa.", name):
		labels := dns.SplitDomainName(strings.TrimSuffix(name, "ip6.arpa."))
		if len(labels) < reverseV6Nibbles {
			return netip.Prefix{}, false
		}
		var bytes [16]byte
		for i := range reverseV6Nibbles {
			n, err := strconv.ParseUint(labels[len(labels)-1-i], 16, 4)
			if err != nil || len(labels[len(labels)-1-i]) != 1 {
				return netip.Prefix{}, false
			}
			bytes[i/2] |= byte(n) << (4 * (1 - i%2))
		}
		return netip.PrefixFrom(netip.AddrFrom16(bytes), 4*reverseV6Nibbles), true
	}
	return netip.Prefix{}, false
}

// reverseOrigin is the reverse zone's apex for a /24 or /64.
func reverseOrigin(prefix netip.Prefix) string {
	full, _ := dns.ReverseAddr(prefix.Addr().String())
	labels := dns.SplitDomainName(full)
	keep := reverseV4Labels + 2 // the octets, in-addr, arpa
	if prefix.Addr().Is6() {
		keep = reverseV6Nibbles + 2
	}
	return dns.Fqdn(strings.Join(labels[len(labels)-keep:], "."))
}
