package dnsplan

import (
	"fmt"
	"slices"
	"strings"
)

// TTLs of record sets chapterctl creates. Host records are short: a
// rebuilt droplet moves them, and Cloudron's manual DNS mode waits for
// them (dns-host writes the same, so the two steps never undo each other).
// Mail records change rarely; an hour lets a fix spread the same day.
const (
	HostTTL = 300
	MailTTL = 3600
)

// DefaultSPFAll ends an SPF record chapterctl starts when Cloudron's
// expected record only echoes an existing one: softfail, what Cloudron and
// Mailgun both publish on a domain with no SPF record. An existing
// record's own "all" always wins over it (MergeSPF).
const DefaultSPFAll = "~all"

// Mode says how a wanted record set combines with what the zone holds.
type Mode int

const (
	// Exact: the set must hold exactly Values (A, AAAA, MX, a DKIM key, a
	// CNAME).
	Exact Mode = iota
	// SPF: the name's TXT set must hold one SPF record that has Values'
	// mechanisms; every other TXT value there is kept.
	SPF
	// DMARC: the name's TXT set must hold one DMARC record with at least
	// the tags of Values[0]; every other TXT value there is kept.
	DMARC
)

// Want is one record set the chapter needs.
type Want struct {
	Name, Type string // Name relative to the zone ("@"), Type upper case
	Mode       Mode
	Values     []string // plain; for SPF, the mechanisms
	All        string   // SPF only: the "all" term when there was none
	TTL        int      // for a set chapterctl creates
	Why        string   // who asks for it, for the plan
}

func (w Want) key() Key { return Key{w.Name, w.Type} }

// MailRecord is one record Cloudron's mail status expects.
type MailRecord struct {
	Kind     string // mx, spf, dkim, dmarc
	Name     string // relative to the zone, as Cloudron reports it
	Type     string
	Expected string
	// Current is what Cloudron's resolver answered when it made Expected:
	// Cloudron's expected SPF is the current record with its own mechanism
	// added, so only what Expected has beyond Current is Cloudron's need.
	Current string
}

// Inputs are what the chapter's records are made from. None of their
// values is written here: they come from the droplet, from Cloudron's API
// and from the mail step's Mailgun records.
type Inputs struct {
	Domain     string
	IPv4, IPv6 string
	// Hosts are the names (relative, "@" for the apex) that point at the
	// droplet: the dashboard and every app.
	Hosts []string
	Mail  []MailRecord
	// Relay are the records Mailgun asks for (the mail step's
	// relay_records); an MX among them is never used.
	Relay []RecordSet
}

// Wants lists the record sets the inputs ask for, one per name and type.
func Wants(in Inputs) ([]Want, error) {
	var wants []Want
	add := func(w Want) {
		w.Name, w.Type = strings.ToLower(w.Name), strings.ToUpper(w.Type)
		for i := range wants {
			if wants[i].key() != w.key() {
				continue
			}
			// Two sources for one set: SPF mechanisms and values join.
			wants[i].Values = appendNew(wants[i].Values, w.Values...)
			if wants[i].All == "" {
				wants[i].All = w.All
			}
			return
		}
		wants = append(wants, w)
	}
	for _, host := range sortedSet(in.Hosts) {
		add(Want{Name: host, Type: "A", Values: []string{in.IPv4}, TTL: HostTTL, Why: "the droplet"})
		if in.IPv6 != "" {
			add(Want{Name: host, Type: "AAAA", Values: []string{in.IPv6}, TTL: HostTTL, Why: "the droplet"})
		}
	}
	for _, m := range in.Mail {
		name := m.Name
		if name == "" {
			name = "@"
		}
		w, err := mailWant(in.Domain, name, m.Type, m.Expected, "Cloudron's "+strings.ToUpper(m.Kind))
		if err != nil {
			return nil, err
		}
		if w.Mode == SPF && IsSPF(m.Current) {
			// Someone else's mechanisms and policy echoed back are not
			// Cloudron's needs.
			have, _ := spfNeeds(m.Current)
			w.All = DefaultSPFAll
			w.Values = slices.DeleteFunc(w.Values, func(v string) bool {
				return slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, v) })
			})
		}
		if m.Kind == "dmarc" {
			w.Mode = DMARC
		}
		add(w)
	}
	for _, rs := range in.Relay {
		if strings.EqualFold(rs.Type, "MX") {
			continue // Mailgun's MX would take the domain's mail away from Cloudron
		}
		name, ok := Relative(in.Domain, rs.Name)
		if !ok {
			return nil, fmt.Errorf("the Mailgun record %s is not in %s", rs.Name, in.Domain)
		}
		for _, v := range rs.Values {
			w, err := mailWant(in.Domain, name, rs.Type, v, "Mailgun's "+strings.ToUpper(rs.Type))
			if err != nil {
				return nil, err
			}
			add(w)
		}
	}
	return wants, nil
}

// mailWant is the want for one expected mail value.
func mailWant(domain, name, typ, value, why string) (Want, error) {
	typ = strings.ToUpper(typ)
	w := Want{Name: name, Type: typ, TTL: MailTTL, Why: why}
	if typ == "TXT" && IsSPF(value) {
		w.Mode = SPF
		w.Values, w.All = spfNeeds(value)
		return w, nil
	}
	if strings.TrimSpace(value) == "" {
		return Want{}, fmt.Errorf("%s asks for an empty %s record at %s", why, typ, FQDN(domain, name))
	}
	w.Values = []string{Plain(domain, typ, Stored(typ, value))}
	return w, nil
}

func appendNew(list []string, values ...string) []string {
	for _, v := range values {
		if !slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, v) }) {
			list = append(list, v)
		}
	}
	return list
}
