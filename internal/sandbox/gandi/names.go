package gandi

import (
	"fmt"
	"strings"
)

// TTL bounds and default of LiveDNS, in seconds.
const (
	minTTL     = 300
	maxTTL     = 2592000 // 30 days
	defaultTTL = 10800   // 3 hours
)

// knownTypes are the record types LiveDNS accepts (reference §1.4, plus CDS
// seen in a real zone). Others are refused; whether Gandi takes more (SVCB,
// HTTPS, NAPTR…) is unverified and chapterctl writes none of them.
var knownTypes = map[string]bool{
	"A": true, "AAAA": true, "ALIAS": true, "CAA": true, "CDS": true, "CNAME": true, "DNAME": true,
	"DS": true, "MX": true, "NS": true, "PTR": true, "SPF": true, "SRV": true, "SSHFP": true,
	"TLSA": true, "TXT": true,
}

// relativeName turns a record name as a client sent it into the zone's
// relative form. "@" is the apex; a name ending in "." is absolute and must
// lie in the zone (LiveDNS refuses it otherwise, maddy#619). Names are
// compared lowercased, as DNS compares them; storing them lowercased is a
// choice (unverified).
func relativeName(raw, fqdn string) (string, error) {
	name := strings.ToLower(raw)
	if abs, ok := strings.CutSuffix(name, "."); ok {
		switch {
		case abs == fqdn:
			name = "@"
		case strings.HasSuffix(abs, "."+fqdn):
			name = strings.TrimSuffix(abs, "."+fqdn)
		default:
			return "", errBadRequest(fmt.Sprintf("Absolute rrset_name must end with %s.", fqdn))
		}
	}
	if name != "@" && !validHostname(name) {
		return "", errValidation("rrset_name", fmt.Sprintf("'%s': invalid hostname (param: rrset_name)", raw))
	}
	return name, nil
}

// validHostname accepts relative names made of letters, digits, hyphens
// and underscores ("_dmarc", "sel._domainkey", "_25._tcp.mx1"), with a
// leading "*" label for wildcards.
func validHostname(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for i, label := range strings.Split(name, ".") {
		if label == "*" && i == 0 {
			continue
		}
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// recordType uppercases and checks a record type.
func recordType(raw string) (string, error) {
	typ := strings.ToUpper(raw)
	if !knownTypes[typ] {
		return "", errValidation("rrset_type", fmt.Sprintf("'%s': unsupported record type (param: rrset_type)", raw))
	}
	return typ, nil
}

// recordTTL applies LiveDNS's default and bounds. An omitted TTL (which is
// what libdns/gandi sends for a zero TTL) is 10800; an explicit one out of
// bounds is a validation error, or clamped when the option says so.
func (s *server) recordTTL(ttl *int) (int, error) {
	switch {
	case ttl == nil:
		return defaultTTL, nil
	case *ttl < minTTL && s.opts.ClampTTL:
		return minTTL, nil
	case *ttl > maxTTL && s.opts.ClampTTL:
		return maxTTL, nil
	case *ttl < minTTL:
		return 0, errValidation("rrset_ttl", fmt.Sprintf("%d is less than the minimum of %d (param: rrset_ttl)", *ttl, minTTL))
	case *ttl > maxTTL:
		return 0, errValidation("rrset_ttl", fmt.Sprintf("%d is greater than the maximum of %d (param: rrset_ttl)", *ttl, maxTTL))
	}
	return *ttl, nil
}
