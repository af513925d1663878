package dnsq

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// valueOf is a record's data in the form Answer.Values holds: the form a
// person writes it in, with names lowercase and absolute, so that values
// from any server, and values the caller expects, compare as text.
func valueOf(rr dns.RR) string {
	switch rr := rr.(type) {
	case *dns.A:
		addr, _ := netip.AddrFromSlice(rr.A)
		return addr.Unmap().String()
	case *dns.AAAA:
		addr, _ := netip.AddrFromSlice(rr.AAAA)
		return addr.String()
	case *dns.MX:
		return fmt.Sprintf("%d %s", rr.Preference, dns.CanonicalName(rr.Mx))
	case *dns.TXT:
		// One record's strings are one value (RFC 7208 §3.3, RFC 6376
		// §3.6.2.2): a DKIM key split in 255-byte strings is one key.
		return unescapeTXT(strings.Join(rr.Txt, ""))
	case *dns.SPF:
		return unescapeTXT(strings.Join(rr.Txt, ""))
	case *dns.CAA:
		return fmt.Sprintf("%d %s %s", rr.Flag, strings.ToLower(rr.Tag), quote(rr.Value))
	case *dns.CNAME:
		return dns.CanonicalName(rr.Target)
	case *dns.NS:
		return dns.CanonicalName(rr.Ns)
	case *dns.PTR:
		return dns.CanonicalName(rr.Ptr)
	case *dns.SRV:
		return fmt.Sprintf("%d %d %d %s", rr.Priority, rr.Weight, rr.Port, dns.CanonicalName(rr.Target))
	}
	return strings.TrimSpace(strings.TrimPrefix(rr.String(), rr.Header().String()))
}

// Normalise puts a value as a caller or Gandi writes it ("10 my.example.org",
// `"v=spf1 " "a ~all"`, "2001:DB8::10") in the form Answer.Values holds,
// so that expected and served values compare as text. A TXT value in
// quotes is read as zone-file strings and joined; an unquoted one is taken
// as the text itself, spaces included, as Gandi takes it. A value that does
// not parse is returned trimmed, and then matches nothing served.
func Normalise(qtype uint16, value string) string {
	value = strings.TrimSpace(value)
	switch qtype {
	case dns.TypeA:
		if addr, err := netip.ParseAddr(value); err == nil {
			return addr.Unmap().String()
		}
		return value
	case dns.TypeAAAA:
		if addr, err := netip.ParseAddr(value); err == nil {
			return addr.String()
		}
		return value
	case dns.TypeTXT, dns.TypeSPF:
		if !strings.HasPrefix(value, `"`) {
			return value
		}
	}
	typ, known := dns.TypeToString[qtype]
	if !known {
		return value
	}
	// The root as owner and origin: a name without a trailing dot is taken
	// as absolute, which is what a caller writing "my.example.org" means.
	rr, err := dns.NewRR(". 3600 IN " + typ + " " + value)
	if err != nil || rr == nil {
		return value
	}
	return valueOf(rr)
}

// normaliseAll is Normalise over values, as a sorted set.
func normaliseAll(qtype uint16, values []string) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		out = append(out, Normalise(qtype, v))
	}
	return sortedSet(out)
}

// unescapeTXT undoes miekg/dns's presentation escapes in a TXT string
// (`\"`, `\\`, `\DDD`), giving the bytes the record holds.
func unescapeTXT(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		if rest := s[i+1:]; len(rest) >= 3 && isDigit(rest[0]) && isDigit(rest[1]) && isDigit(rest[2]) {
			n := int(rest[0]-'0')*100 + int(rest[1]-'0')*10 + int(rest[2]-'0')
			if n <= 255 {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// quote writes a CAA value as its zone-file form does: in double quotes,
// with quotes and backslashes escaped.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
