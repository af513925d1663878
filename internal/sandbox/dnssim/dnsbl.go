package dnssim

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// listKind is what a blocklist lists.
type listKind int

const (
	ipv4Only   listKind = iota // IPv4 addresses, asked as d.c.b.a.<zone>
	ipv4And6                   // IPv4 and IPv6 (32 reversed nibbles)
	domainList                 // domains, asked as <domain>.<zone>
)

// blocklist is one DNSBL zone the product (doctor-checks.md §3) or
// Cloudron's mail status (cloudron.md §9) asks.
type blocklist struct {
	zone     string // absolute
	kind     listKind
	code     string // the answer for a listed entry
	spamhaus bool   // honours a listing's own code, and the refusal fault
	// retired lists answer NXDOMAIN for everything, their test entries
	// included (unverified: what a shut-down list's servers answer is not
	// known; "lists nobody" is the harmless reading, and the RFC 5782
	// sanity probe then tells a careful client the list is dead).
	retired bool
	lookup  string // where a listed sender reads why; %s is the IP or domain
}

// blocklists: Spamhaus' codes are those of its zones table; the other
// lists' listing codes are their documented usual answer (unverified).
var blocklists = []blocklist{
	{zone: "zen.spamhaus.org.", kind: ipv4And6, code: "127.0.0.2", spamhaus: true, lookup: "https://check.spamhaus.org/results/?query=%s"},
	{zone: "dbl.spamhaus.org.", kind: domainList, code: "127.0.1.2", spamhaus: true, lookup: "https://check.spamhaus.org/results/?query=%s"},
	{zone: "b.barracudacentral.org.", kind: ipv4Only, code: "127.0.0.2", lookup: "https://www.barracudacentral.org/lookups/lookup-reputation?ip=%s"},
	{zone: "bl.spamcop.net.", kind: ipv4Only, code: "127.0.0.2", lookup: "https://www.spamcop.net/w3m?action=checkblock&ip=%s"},
	{zone: "dnsbl-1.uceprotect.net.", kind: ipv4Only, code: "127.0.0.2", lookup: "https://www.uceprotect.net/en/rblcheck.php?ipr=%s"},
	{zone: "psbl.surriel.com.", kind: ipv4Only, code: "127.0.0.2", lookup: "https://psbl.org/listing?ip=%s"},
	{zone: "bl.mailspike.net.", kind: ipv4Only, code: "127.0.0.2", lookup: "https://mailspike.io/ip_verify?ip=%s"},
	{zone: "ix.dnsbl.manitu.net.", kind: ipv4Only, code: "127.0.0.2", lookup: "https://www.dnsbl.manitu.net/lookup.php?value=%s"},
	{zone: "all.spamrats.com.", kind: ipv4Only, code: "127.0.0.38", lookup: "https://www.spamrats.com/lookup.php?ip=%s"},
	{zone: "cbl.abuseat.org.", kind: ipv4Only, code: "127.0.0.2", lookup: "https://check.spamhaus.org/results/?query=%s"},
	{zone: "ubl.unsubscore.com.", kind: ipv4Only, code: "127.0.0.2", lookup: "https://blacklist.lashback.com/?ip=%s"},
	{zone: "multi.surbl.org.", kind: domainList, code: "127.0.0.64", lookup: "https://www.surbl.org/surbl-analysis?d=%s"},
	{zone: "spam.abuse.ch.", kind: ipv4Only, retired: true},
	{zone: "dnsbl.sorbs.net.", kind: ipv4Only, retired: true},
	{zone: "spam.dnsbl.sorbs.net.", kind: ipv4Only, retired: true},
}

// The blocklists' TTLs and SOA (unverified; modelled on Spamhaus' public
// mirrors): a listing is cached a minute, an absence ten seconds, so a
// delisting shows within the minute.
const (
	dnsblTTL     = 60
	dnsblSOATTL  = 150
	dnsblMinimum = 10
)

// Spamhaus' codes that are not listings (doctor-checks.md §3).
const (
	spamhausRefused    = "127.255.255.254" // the query came through a public resolver
	spamhausIPToDomain = "127.0.1.255"     // an IP was asked of the domain list
)

// blocklistZone serves the blocklist holding name, from the world's
// DNSBL.Listed at the moment of the query.
func blocklistZone(d *world.Data, name string) (*zone, zoneState) {
	for _, bl := range blocklists {
		if dns.IsSubDomain(bl.zone, name) {
			return newZone(bl.zone, bl.entry(d, name), bl.soa()), served
		}
	}
	return nil, outside
}

func (bl blocklist) soa() *dns.SOA {
	mname, mbox := "ns1."+bl.zone, "hostmaster."+bl.zone
	if bl.spamhaus {
		mname, mbox = "need.to.know.only.", "hostmaster.spamhaus.org."
	}
	return &dns.SOA{Hdr: header(bl.zone, dns.TypeSOA, dnsblSOATTL), Ns: mname, Mbox: mbox,
		Serial: 1, Refresh: 3600, Retry: 600, Expire: 432000, Minttl: dnsblMinimum}
}

// entry is the records at name: an A holding the list's code and a TXT
// saying why, or nothing (NXDOMAIN) when name lists nobody.
func (bl blocklist) entry(d *world.Data, name string) []world.RRSet {
	subject := strings.TrimSuffix(name, "."+bl.zone)
	if bl.retired || name == bl.zone {
		return nil
	}
	if _, refusing := d.Faults[FaultDNSBLRefuses]; refusing && bl.spamhaus {
		return listed(name, spamhausRefused, "Error: open resolver; https://www.spamhaus.org/returnc/pub/")
	}
	var code string
	var ok bool
	if bl.kind == domainList {
		code, ok = bl.domainCode(d, subject)
	} else {
		code, ok = bl.ipCode(d, subject)
	}
	if !ok {
		return nil
	}
	shown := subject
	if addr, isIP := reversedIP(subject, true); isIP {
		shown = addr.String()
	}
	return listed(name, code, bl.reason(code, shown))
}

func listed(name, code, reason string) []world.RRSet {
	return []world.RRSet{
		{Name: name, Type: "A", TTL: dnsblTTL, Values: []string{code}},
		{Name: name, Type: "TXT", TTL: dnsblTTL, Values: []string{quotedTXT(reason)}},
	}
}

// ipCode answers an IP list: the world's listings plus RFC 5782's test
// entries (127.0.0.2 and ::ffff:127.0.0.2 are listed, 127.0.0.1 never).
func (bl blocklist) ipCode(d *world.Data, subject string) (string, bool) {
	addr, ok := reversedIP(subject, bl.kind == ipv4And6)
	if !ok {
		return "", false
	}
	if addr.Unmap() == netip.AddrFrom4([4]byte{127, 0, 0, 2}) {
		return bl.code, true
	}
	for _, entry := range d.DNSBL.Listed {
		s, code := parseListing(entry)
		if listedAddr, err := netip.ParseAddr(s); err == nil && listedAddr == addr {
			return bl.codeFor(code), true
		}
	}
	return "", false
}

// domainCode answers a domain list: the world's listings plus the test
// entries (RFC 5782's "test", Spamhaus' dbltest.com). Spamhaus answers an
// IP asked of its domain list with an error code, not NXDOMAIN.
func (bl blocklist) domainCode(d *world.Data, subject string) (string, bool) {
	if _, isIP := reversedIP(subject, false); isIP && bl.spamhaus {
		return spamhausIPToDomain, true
	}
	if subject == "test" || (bl.spamhaus && subject == "dbltest.com") {
		return bl.code, true
	}
	for _, entry := range d.DNSBL.Listed {
		s, code := parseListing(entry)
		if strings.EqualFold(strings.TrimSuffix(s, "."), subject) {
			return bl.codeFor(code), true
		}
	}
	return "", false
}

// codeFor is the answer for a listing that may carry its own code: only
// Spamhaus' lists distinguish codes the product acts on (SBL vs PBL).
func (bl blocklist) codeFor(code string) string {
	if bl.spamhaus && code != "" {
		return code
	}
	return bl.code
}

// parseListing reads one DNSBL.Listed entry: an IP or a domain, optionally
// followed by "=CODE" to pick the Spamhaus return code of the listing
// ("203.0.113.10=127.0.0.11" is a PBL entry). A code that is not an IPv4
// address is ignored.
func parseListing(entry string) (subject, code string) {
	subject, code, _ = strings.Cut(strings.TrimSpace(entry), "=")
	if addr, err := netip.ParseAddr(code); err != nil || !addr.Is4() {
		code = ""
	}
	if addr, err := netip.ParseAddr(subject); err == nil {
		subject = addr.Unmap().String()
	}
	return subject, code
}

// reversedIP reads "10.113.0.203" as 203.0.113.10 and 32 reversed nibbles
// as an IPv6 address (RFC 5782 §2.1, §2.4).
func reversedIP(subject string, allow6 bool) (netip.Addr, bool) {
	labels := dns.SplitDomainName(subject)
	switch {
	case len(labels) == 4:
		var octets [4]byte
		for i, label := range labels {
			n, err := strconv.ParseUint(label, 10, 8)
			if err != nil {
				return netip.Addr{}, false
			}
			octets[3-i] = byte(n)
		}
		return netip.AddrFrom4(octets), true
	case len(labels) == 32 && allow6:
		var hex strings.Builder
		for i := 31; i >= 0; i-- {
			if len(labels[i]) != 1 {
				return netip.Addr{}, false
			}
			hex.WriteString(labels[i])
			if i%4 == 0 && i > 0 {
				hex.WriteByte(':')
			}
		}
		addr, err := netip.ParseAddr(hex.String())
		return addr.Unmap(), err == nil
	}
	return netip.Addr{}, false
}

// reason is the TXT a listing carries: which list and where to read why.
func (bl blocklist) reason(code, subject string) string {
	name := strings.TrimSuffix(bl.zone, ".")
	if bl.spamhaus {
		name = spamhausList(code)
	}
	return fmt.Sprintf("Listed by %s, see "+bl.lookup, name, subject)
}

// spamhausList names the Spamhaus list a code stands for.
func spamhausList(code string) string {
	last := code[strings.LastIndexByte(code, '.')+1:]
	switch {
	case strings.HasPrefix(code, "127.0.1."):
		return "DBL"
	case last == "2":
		return "SBL"
	case last == "3":
		return "CSS"
	case slices.Contains([]string{"4", "5", "6", "7"}, last):
		return "XBL"
	case last == "9":
		return "DROP"
	case last == "10" || last == "11":
		return "PBL"
	}
	return "Spamhaus"
}
