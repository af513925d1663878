package dnssim

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// gandiDefaultTTL is what LiveDNS gives an rrset written without a TTL.
const gandiDefaultTTL = 10800

// ownerName turns an rrset_name into the absolute, lowercase owner name:
// "@" is the apex, a name ending in "." is already absolute, any other is
// relative to the zone.
func ownerName(origin, name string) string {
	switch {
	case name == "@" || name == "":
		return origin
	case strings.HasSuffix(name, "."):
		return strings.ToLower(name)
	}
	return strings.ToLower(name) + "." + origin
}

// parseRRSet turns one rrset, in Gandi's shape, into the records the
// servers answer with. A value that is not valid in a zone file is left
// out: LiveDNS may store it, but no DNS answer can carry it.
func parseRRSet(origin, owner string, set world.RRSet) []dns.RR {
	typ := strings.ToUpper(set.Type)
	ttl := set.TTL
	if ttl <= 0 {
		ttl = gandiDefaultTTL
	}
	rrs := make([]dns.RR, 0, len(set.Values))
	for _, value := range set.Values {
		if typ == "TXT" || typ == "SPF" {
			value = quotedTXT(value)
		}
		line := fmt.Sprintf("%s %d IN %s %s", owner, ttl, typ, value)
		// A zone parser, not dns.NewRR: relative targets ("target" in a
		// CNAME) are relative to the zone, as in the zone file Gandi keeps.
		zp := dns.NewZoneParser(strings.NewReader(line), origin, "")
		if rr, ok := zp.Next(); ok && zp.Err() == nil {
			rrs = append(rrs, rr)
		}
	}
	return rrs
}

// quotedTXT makes a TXT value the zone-file text miekg/dns parses into the
// record's strings. Gandi stores TXT values quoted: `"v=spf1 …"`, or
// several strings `"part1" "part2"` for a value over 255 bytes; the parser
// splits each string into those strings and any string longer than 255
// bytes into 255-byte chunks. A value stored unquoted (a seeded world may
// hold one) is one string, spaces and all, as LiveDNS returns it.
func quotedTXT(value string) string {
	value = strings.TrimSpace(value)
	if strings.HasPrefix(value, `"`) {
		return value
	}
	escaped := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(value)
	return `"` + escaped + `"`
}
