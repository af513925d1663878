package dnsplan

import (
	"strings"

	"github.com/chapterctl/chapterctl/internal/gandi"
)

// letsEncrypt is the issuer domain Let's Encrypt checks CAA for (RFC 8659;
// Cloudron's certificates come from it).
const letsEncrypt = "letsencrypt.org"

// caaAllowLetsEncrypt is the CAA value that lets Let's Encrypt issue.
const caaAllowLetsEncrypt = `0 issue "letsencrypt.org"`

// AllowsLetsEncrypt tells whether a CAA record set (plain values, e.g.
// `0 issue "digicert.com"`) lets Let's Encrypt issue certificates for a
// name. Only "issue" properties restrict it (iodef, issuewild do not); a
// set with none allows any CA, as no CAA at all does.
func AllowsLetsEncrypt(values []string) bool {
	restricted := false
	for _, v := range values {
		fields := strings.Fields(v)
		if len(fields) < 3 || !strings.EqualFold(fields[1], "issue") {
			continue
		}
		restricted = true
		issuer := strings.Trim(strings.Join(fields[2:], " "), `"`)
		issuer, _, _ = strings.Cut(issuer, ";")
		if strings.EqualFold(strings.TrimSpace(issuer), letsEncrypt) {
			return true
		}
	}
	return !restricted
}

// caaFor is the CAA record set that governs name (relative) in zone: its
// own, else the closest ancestor's, up to the apex (RFC 8659 §3).
func caaFor(zone map[Key][]string, name string) (Key, []string, bool) {
	for n := name; ; {
		k := Key{n, "CAA"}
		if values, ok := zone[k]; ok && len(values) > 0 {
			return k, values, true
		}
		if n == "@" {
			return Key{}, nil, false
		}
		if _, parent, ok := strings.Cut(n, "."); ok {
			n = parent
		} else {
			n = "@"
		}
	}
}

// CAAFixes are the CAA record sets of zone that forbid Let's Encrypt for
// one of hosts (relative names), each with letsencrypt.org added: the
// early DNS step settles them before Cloudron asks for its first
// certificate. Each is someone's security policy: a conflict to consent to.
func CAAFixes(domain string, zone []gandi.RRSet, hosts []string) []Change {
	var wants []Want
	for _, h := range hosts {
		wants = append(wants, Want{Name: h, Type: "A"})
	}
	return caaChanges(indexZone(domain, zone), wants, Policy{})
}
