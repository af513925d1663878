package gandi

import (
	"fmt"
	"net/netip"
	"strings"
)

// checkWant checks an rrset before it is written and returns it in the form
// it is sent in: relative lowercase name, uppercase type, explicit TTL.
// What it refuses would be refused by Gandi with a less helpful 400, or,
// worse, accepted and wrong (an unquoted long TXT, a relative MX target).
func checkWant(fqdn string, want RRSet) (RRSet, error) {
	name, typ, err := checkKey(fqdn, want.Name, want.Type)
	if err != nil {
		return RRSet{}, err
	}
	out := RRSet{Name: name, Type: typ, TTL: want.TTL, Values: make([]string, 0, len(want.Values))}
	label := rrsetLabel(fqdn, name, typ)
	if out.TTL == 0 {
		out.TTL = DefaultTTL
	}
	if out.TTL < MinTTL || out.TTL > MaxTTL {
		return RRSet{}, fmt.Errorf("gandi: %s: TTL %d is outside Gandi's %d…%d seconds", label, want.TTL, MinTTL, MaxTTL)
	}
	if len(want.Values) == 0 {
		return RRSet{}, fmt.Errorf("gandi: %s has no values: use DeleteRRSet to remove a record set", label)
	}
	for _, v := range want.Values {
		v = strings.TrimSpace(v)
		if err := checkValue(fqdn, typ, v); err != nil {
			return RRSet{}, fmt.Errorf("gandi: %s: %w", label, err)
		}
		out.Values = append(out.Values, v)
	}
	return out, nil
}

// checkKey returns an rrset's name relative to the zone ("@" for the apex;
// an absolute name in the zone is made relative) and its type uppercased.
func checkKey(fqdn, rawName, rawType string) (name, typ string, err error) {
	typ = strings.ToUpper(strings.TrimSpace(rawType))
	if typ == "" || strings.ContainsAny(typ, "/?#% ") {
		return "", "", fmt.Errorf("gandi: record type %q of %s is not a DNS type", rawType, fqdn)
	}
	name = strings.ToLower(strings.TrimSpace(rawName))
	if abs, ok := strings.CutSuffix(name, "."); ok {
		switch {
		case abs == fqdn:
			name = "@"
		case strings.HasSuffix(abs, "."+fqdn):
			name = strings.TrimSuffix(abs, "."+fqdn)
		default:
			return "", "", fmt.Errorf("gandi: record name %q is outside the zone %s", rawName, fqdn)
		}
	}
	switch {
	case name == "":
		name = "@"
	case name == fqdn || strings.HasSuffix(name, "."+fqdn):
		// Gandi would read it as relative: my.example.org.example.org.
		return "", "", fmt.Errorf("gandi: record name %q ends with the zone %s: give it relative (%q) or end it with a dot",
			rawName, fqdn, strings.TrimSuffix(strings.TrimSuffix(name, fqdn), "."))
	case name != "@" && strings.ContainsAny(name, "/?#%@ "):
		return "", "", fmt.Errorf("gandi: record name %q of %s is not a DNS name", rawName, fqdn)
	}
	return name, typ, nil
}

// checkValue checks the values whose mistakes Gandi would store silently.
func checkValue(fqdn, typ, v string) error {
	switch typ {
	case "TXT", "SPF":
		chunks, ok := txtStrings(v)
		if !ok {
			return fmt.Errorf("value %s is not in Gandi's quoted form: build it with QuoteTXT", short(v))
		}
		for _, c := range chunks {
			if len(c) > maxTXTString {
				return fmt.Errorf("value %s has a string over %d bytes: build it with QuoteTXT", short(v), maxTXTString)
			}
		}
	case "A", "AAAA":
		ip, err := netip.ParseAddr(v)
		if err != nil || ip.Is4() != (typ == "A") || ip.Zone() != "" {
			return fmt.Errorf("value %s is not an IPv%s address", short(v), map[bool]string{true: "4", false: "6"}[typ == "A"])
		}
	}
	fields := strings.Fields(v)
	if i := TargetField(typ); i >= 0 {
		if i >= len(fields) {
			return fmt.Errorf("value %s has no host name", short(v))
		}
		if !strings.HasSuffix(fields[i], ".") {
			return fmt.Errorf("host name %q in %s lacks its final dot, so Gandi would read it as %s.%s: end it with a dot",
				fields[i], short(v), fields[i], fqdn)
		}
	}
	return nil
}

func rrsetLabel(fqdn, name, typ string) string {
	return fmt.Sprintf("the record set %s/%s of %s", name, typ, fqdn)
}

func short(v string) string {
	if len(v) > 60 {
		v = v[:57] + "..."
	}
	return fmt.Sprintf("%q", v)
}
