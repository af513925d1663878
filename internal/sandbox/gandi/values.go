package gandi

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// maxTXTString is the longest character-string a TXT record can carry.
const maxTXTString = 255

// recordValues checks and normalises an rrset's values as LiveDNS stores
// them. TXT (and SPF) values come back quoted whatever was sent.
func (s *server) recordValues(typ string, values []string) ([]string, error) {
	if len(values) == 0 {
		// Whether Gandi refuses an empty list or stores an empty rrset is
		// unverified; refusing keeps empty rrsets out of the zone.
		return nil, errValidation("rrset_values", "at least one value is required (param: rrset_values)")
	}
	out := make([]string, 0, len(values))
	for _, v := range values {
		norm, err := s.recordValue(typ, v)
		if err != nil {
			return nil, err
		}
		if s.opts.DedupeValues && slices.Contains(out, norm) {
			continue
		}
		out = append(out, norm)
	}
	if typ == "CNAME" && len(out) > 1 {
		return nil, errValidation("rrset_values", "a CNAME record set holds exactly one value (param: rrset_values)")
	}
	return out, nil
}

func (s *server) recordValue(typ, v string) (string, error) {
	invalid := func(what string) error {
		return errValidation("rrset_values", fmt.Sprintf("'%s': %s (param: rrset_values)", v, what))
	}
	if strings.TrimSpace(v) == "" {
		return "", invalid("empty value")
	}
	switch typ {
	case "TXT", "SPF":
		return s.quoteTXT(v, invalid)
	case "A":
		if ip, err := netip.ParseAddr(v); err != nil || !ip.Is4() {
			return "", invalid("invalid IPv4 address")
		}
	case "AAAA":
		if ip, err := netip.ParseAddr(v); err != nil || !ip.Is6() {
			return "", invalid("invalid IPv6 address")
		}
	case "MX":
		fields := strings.Fields(v)
		if len(fields) != 2 {
			return "", invalid("expected 'priority hostname'")
		}
		if _, err := strconv.ParseUint(fields[0], 10, 16); err != nil {
			return "", invalid("invalid priority")
		}
	}
	return v, nil
}

// quoteTXT stores a TXT value as LiveDNS does: a value already made of
// quoted strings ("a" or "a" "b") is kept as sent; anything else becomes
// one quoted string, spaces and all (octodns' "Bah bah black sheep").
func (s *server) quoteTXT(v string, invalid func(string) error) (string, error) {
	if chunks, ok := txtStrings(v); ok {
		for _, c := range chunks {
			if len(c) > maxTXTString {
				return "", invalid("a TXT string is longer than 255 bytes")
			}
		}
		return v, nil
	}
	if len(v) <= maxTXTString {
		return quote(v), nil
	}
	if !s.opts.SplitLongTXT {
		return "", invalid("a TXT value over 255 bytes must be sent as several quoted strings")
	}
	var parts []string
	for rest := v; rest != ""; {
		n := min(len(rest), maxTXTString)
		parts = append(parts, quote(rest[:n]))
		rest = rest[n:]
	}
	return strings.Join(parts, " "), nil
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// txtStrings splits a value made only of quoted strings separated by
// blanks into the strings' contents (escapes resolved). ok is false for
// anything else, such as an unquoted value or a stray quote.
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
		i++
		for i < len(v) && v[i] != '"' {
			if v[i] == '\\' && i+1 < len(v) {
				i++
			}
			b.WriteByte(v[i])
			i++
		}
		if i == len(v) {
			return nil, false // unterminated
		}
		i++ // closing quote
		if i < len(v) && v[i] != ' ' && v[i] != '\t' {
			return nil, false
		}
		chunks = append(chunks, b.String())
	}
}

// TXTText is the text a TXT value carries once its strings are joined, as
// a DNS client sees it (RFC 7208 §3.3, RFC 6376): `"v=spf1 " "-all"` is
// "v=spf1 -all". A value that is not quoted is returned as is.
func TXTText(value string) string {
	if chunks, ok := txtStrings(value); ok {
		return strings.Join(chunks, "")
	}
	return value
}
