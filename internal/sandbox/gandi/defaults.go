package gandi

import (
	"slices"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// DefaultNameservers are the LiveDNS servers of a new registration.
var DefaultNameservers = []string{"ns-203.gandi.net", "ns-51.gandi.net", "ns-1.gandi.net"}

// DefaultZone is the zone Gandi creates for a new registration (octodns'
// "Default Gandi zone file", reference §1.4): parking at the apex, Gandi
// Mail's MX and SPF, the webmail and www CNAMEs and the mail SRV records.
// Its names are relative, so it is the same for every domain; fqdn is
// taken so callers need not know that.
func DefaultZone(fqdn string) []world.RRSet {
	rr := func(name, typ string, values ...string) world.RRSet {
		return world.RRSet{Name: name, Type: typ, TTL: defaultTTL, Values: values}
	}
	return []world.RRSet{
		rr("@", "A", "217.70.184.38"),
		rr("@", "MX", "10 spool.mail.gandi.net.", "50 fb.mail.gandi.net."),
		rr("@", "TXT", `"v=spf1 include:_mailcust.gandi.net ?all"`),
		rr("webmail", "CNAME", "webmail.gandi.net."),
		rr("www", "CNAME", "webredir.vip.gandi.net."),
		rr("_imap._tcp", "SRV", "0 0 0 ."),
		rr("_imaps._tcp", "SRV", "0 1 993 mail.gandi.net."),
		rr("_pop3._tcp", "SRV", "0 0 0 ."),
		rr("_pop3s._tcp", "SRV", "10 1 995 mail.gandi.net."),
		rr("_submission._tcp", "SRV", "0 1 465 mail.gandi.net."),
	}
}

// NewDomain is a domain as Gandi has it right after registration: the
// default zone, already served by the default name servers, automatic
// snapshots on, expiring a year from now.
func NewDomain(fqdn string, now time.Time) *world.Domain {
	fqdn = strings.TrimSuffix(strings.ToLower(fqdn), ".")
	dom := &world.Domain{
		FQDN:               fqdn,
		Nameservers:        slices.Clone(DefaultNameservers),
		Expires:            now.AddDate(1, 0, 0),
		AutomaticSnapshots: true,
		Records:            DefaultZone(fqdn),
	}
	dom.Publish(now)
	return dom
}

// IsRegistrarDefault tells whether rr is one of the record sets Gandi put
// in the zone itself, unchanged but for its TTL and the order of its
// values: a record chapterctl may replace with the user's plain consent.
// Any other value, added or missing, makes the rrset someone's own.
func IsRegistrarDefault(fqdn string, rr world.RRSet) bool {
	name, err := relativeName(rr.Name, strings.TrimSuffix(strings.ToLower(fqdn), "."))
	if err != nil {
		return false
	}
	for _, def := range DefaultZone(fqdn) {
		if def.Name == name && strings.EqualFold(def.Type, rr.Type) && sameValueSet(def.Values, rr.Values) {
			return true
		}
	}
	return false
}

// sameValueSet compares values as DNS does: order aside, TXT strings
// joined and unquoted, names case-insensitively.
func sameValueSet(a, b []string) bool {
	norm := func(values []string) []string {
		out := make([]string, len(values))
		for i, v := range values {
			out[i] = strings.ToLower(TXTText(strings.TrimSpace(v)))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(norm(a), norm(b))
}
