package gandi

import (
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxTXTString is the longest character-string a TXT record can hold.
const maxTXTString = 255

// QuoteTXT turns text into one TXT value in Gandi's stored form: quoted
// strings of at most 255 bytes each, separated by a space, with quotes and
// backslashes escaped: `"a" "b"`. The strings of one value are one record,
// joined again by every reader (a 2048-bit DKIM key, RFC 6376 §3.6.2.2;
// SPF, RFC 7208 §3.3); two rrset values would be two records.
func QuoteTXT(text string) string {
	var chunks []string
	for rest := text; rest != "" || len(chunks) == 0; {
		n := min(len(rest), maxTXTString)
		// Never split a UTF-8 character: Gandi's JSON could not carry half of one.
		for cut := n; cut < len(rest) && cut > 0; cut-- {
			if utf8.RuneStart(rest[cut]) {
				n = cut
				break
			}
		}
		chunks = append(chunks, quote(rest[:n]))
		rest = rest[n:]
	}
	return strings.Join(chunks, " ")
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// TXTText is the text a TXT value carries once its strings are joined, as a
// DNS client reads it: `"v=spf1 " "-all"` is "v=spf1 -all". A value that is
// not made of quoted strings is returned as it is.
func TXTText(value string) string {
	if chunks, ok := txtStrings(value); ok {
		return strings.Join(chunks, "")
	}
	return value
}

// txtStrings splits a value made only of quoted strings separated by blanks
// into the strings' contents, escapes resolved. ok is false for anything
// else: an unquoted value, a stray or unterminated quote. The simulator
// has its own copy on purpose: were they shared, a parsing bug would agree
// with itself and every test would pass.
func txtStrings(v string) (chunks []string, ok bool) {
	i := 0
	for {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		if i == len(v) {
			return chunks, len(chunks) > 0
		}
		if v[i] != '"' {
			return nil, false
		}
		var b strings.Builder
		for i++; i < len(v) && v[i] != '"'; i++ {
			if v[i] == '\\' && i+1 < len(v) {
				i++
			}
			b.WriteByte(v[i])
		}
		if i == len(v) {
			return nil, false
		}
		i++ // the closing quote
		if i < len(v) && v[i] != ' ' && v[i] != '\t' {
			return nil, false
		}
		chunks = append(chunks, b.String())
	}
}

// Normalize puts rr in the form two equivalent rrsets share, so that a rerun
// finds nothing to change: names and host names lowercased ("" is "@"), the
// type uppercased, TXT strings joined and re-split the one way QuoteTXT
// splits them, addresses in canonical form, values sorted. A TTL of 0 is
// Gandi's default (10800); an rrset with no values has no TTL.
//
// A host name keeps its final dot or its lack of one: Gandi stores a target
// without the dot as relative to the zone (reference §1.4), so "mail.example.net"
// and "mail.example.net." are different records and must not compare equal.
func Normalize(rr RRSet) RRSet {
	out := RRSet{Name: strings.ToLower(strings.TrimSpace(rr.Name)), Type: strings.ToUpper(strings.TrimSpace(rr.Type)), TTL: rr.TTL}
	if out.Name == "" {
		out.Name = "@"
	}
	for _, v := range rr.Values {
		out.Values = append(out.Values, normalValue(out.Type, v))
	}
	slices.Sort(out.Values)
	switch {
	case len(out.Values) == 0:
		out.TTL, out.Values = 0, nil
	case out.TTL == 0:
		out.TTL = DefaultTTL
	}
	return out
}

// Equal tells whether a and b are the same rrset once normalised: same
// name, type, TTL and values, in any order.
func Equal(a, b RRSet) bool {
	na, nb := Normalize(a), Normalize(b)
	return na.Name == nb.Name && na.Type == nb.Type && na.TTL == nb.TTL && slices.Equal(na.Values, nb.Values)
}

func normalValue(typ, v string) string {
	v = strings.TrimSpace(v)
	switch typ {
	case "TXT", "SPF":
		return QuoteTXT(TXTText(v))
	case "A", "AAAA":
		if ip, err := netip.ParseAddr(v); err == nil {
			return ip.String()
		}
		return v
	}
	fields := strings.Fields(v)
	if i := TargetField(typ); i >= 0 && i < len(fields) {
		fields[i] = strings.ToLower(fields[i])
	}
	return strings.Join(fields, " ")
}

// TargetField is the index of the host name in a value of typ (MX
// "10 mail.example.org.", SRV "0 1 993 mail.example.org."), or -1.
func TargetField(typ string) int {
	switch typ {
	case "CNAME", "ALIAS", "DNAME", "NS", "PTR":
		return 0
	case "MX":
		return 1
	case "SRV":
		return 3
	}
	return -1
}
