// Package dnsplan decides what the chapter's zone must hold and how the
// zone as it is differs from it, record set by record set: which sets are
// created, updated, kept, and which belong to someone else and may change
// only with the organizer's consent. It is pure: it reads no zone and
// writes nothing; steps/dns_records.go feeds it the zone and Cloudron's
// answers and writes what it decides.
package dnsplan

import (
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/gandi"
)

// RecordSet is a whole record set in the plain form the steps exchange
// through the state (the `expected` and `relay_records` outputs): Name is
// a fully qualified name without the final dot, Values are plain text
// (TXT unquoted and its strings joined, host names without the final dot).
type RecordSet struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

// Key names a record set relative to the zone, as Gandi and --replace do:
// "@/MX", "cloudron._domainkey/TXT".
type Key struct{ Name, Type string }

func (k Key) String() string { return k.Name + "/" + k.Type }

// KeyOf is rr's key, normalised as gandi.Normalize does ("" is "@").
func KeyOf(rr gandi.RRSet) Key {
	name := strings.ToLower(strings.TrimSpace(rr.Name))
	if name == "" {
		name = "@"
	}
	return Key{name, strings.ToUpper(strings.TrimSpace(rr.Type))}
}

// FQDN is name (relative, "@" for the apex) inside domain.
func FQDN(domain, name string) string {
	if name == "@" || name == "" {
		return domain
	}
	return name + "." + domain
}

// Relative is fqdn relative to domain ("@" for the apex); ok is false for
// a name outside it.
func Relative(domain, fqdn string) (string, bool) {
	fqdn = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(fqdn)), ".")
	domain = strings.ToLower(domain)
	switch {
	case fqdn == domain:
		return "@", true
	case strings.HasSuffix(fqdn, "."+domain):
		return strings.TrimSuffix(fqdn, "."+domain), true
	}
	return "", false
}

// Plain turns a value in Gandi's stored form into plain text: TXT strings
// joined, a host name lowercased and absolute without its final dot (a
// relative target, which Gandi keeps as given, is read inside domain).
func Plain(domain, typ, value string) string {
	typ = strings.ToUpper(typ)
	if typ == "TXT" || typ == "SPF" {
		return gandi.TXTText(strings.TrimSpace(value))
	}
	v := gandi.Normalize(gandi.RRSet{Type: typ, Values: []string{value}}).Values[0]
	i := gandi.TargetField(typ)
	fields := strings.Fields(v)
	if i < 0 || i >= len(fields) {
		return v
	}
	host := fields[i]
	switch {
	case host == ".":
	case strings.HasSuffix(host, "."):
		fields[i] = strings.TrimSuffix(host, ".")
	default:
		fields[i] = FQDN(domain, host)
	}
	return strings.Join(fields, " ")
}

// Stored turns a plain value into Gandi's stored form: TXT quoted and split
// into 255-byte strings, host names absolute with their final dot.
func Stored(typ, value string) string {
	typ = strings.ToUpper(typ)
	if typ == "TXT" || typ == "SPF" {
		return gandi.QuoteTXT(value)
	}
	fields := strings.Fields(value)
	if i := gandi.TargetField(typ); i >= 0 && i < len(fields) && fields[i] != "." && !strings.HasSuffix(fields[i], ".") {
		fields[i] += "."
	}
	return strings.Join(fields, " ")
}

// plainValues is rr's values in plain form, sorted and without repeats.
func plainValues(domain string, rr gandi.RRSet) []string {
	out := make([]string, 0, len(rr.Values))
	for _, v := range rr.Values {
		out = append(out, Plain(domain, rr.Type, v))
	}
	return sortedSet(out)
}

func sortedSet(values []string) []string {
	out := slices.Clone(values)
	slices.Sort(out)
	return slices.Compact(out)
}

// Abbrev shows values on one line, each cut to max bytes: a DKIM key in a
// plan is recognised by its start (the JSON plan has it whole).
func Abbrev(values []string, max int) string {
	out := make([]string, len(values))
	for i, v := range values {
		if len(v) > max {
			v = strings.ToValidUTF8(v[:max], "") + "…"
		}
		out[i] = v
	}
	return strings.Join(out, ", ")
}
