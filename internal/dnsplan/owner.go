package dnsplan

import (
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/gandi"
)

// Owner says whose a record set in the zone is, which decides who may
// change it (DESIGN.md, "Who writes the DNS").
type Owner string

const (
	// OwnerChapterctl: absent, written by chapterctl before (the state
	// says so), or already what chapterctl wants.
	OwnerChapterctl Owner = "chapterctl"
	// OwnerGandiDefault: a record Gandi put in the new zone itself; --yes
	// may replace it.
	OwnerGandiDefault Owner = "gandi-default"
	// OwnerForeign: someone's own record; chapterctl may add to it where
	// nothing of theirs is lost (an SPF merge, a verification TXT kept) but
	// changes or removes their values only with --replace NAME/TYPE.
	OwnerForeign Owner = "foreign"
)

// gandiDefaults are the record sets Gandi puts in a new zone (reference
// gandi-livedns.md §1.4), in stored form: the registrar's, not the
// organizer's.
var gandiDefaults = []gandi.RRSet{
	{Name: "@", Type: "A", Values: []string{"217.70.184.38"}},
	{Name: "@", Type: "MX", Values: []string{"10 spool.mail.gandi.net.", "50 fb.mail.gandi.net."}},
	{Name: "@", Type: "TXT", Values: []string{`"v=spf1 include:_mailcust.gandi.net ?all"`}},
	{Name: "www", Type: "CNAME", Values: []string{"webredir.vip.gandi.net."}},
	{Name: "webmail", Type: "CNAME", Values: []string{"webmail.gandi.net."}},
	{Name: "_imap._tcp", Type: "SRV", Values: []string{"0 0 0 ."}},
	{Name: "_imaps._tcp", Type: "SRV", Values: []string{"0 1 993 mail.gandi.net."}},
	{Name: "_pop3._tcp", Type: "SRV", Values: []string{"0 0 0 ."}},
	{Name: "_pop3s._tcp", Type: "SRV", Values: []string{"10 1 995 mail.gandi.net."}},
	{Name: "_submission._tcp", Type: "SRV", Values: []string{"0 1 465 mail.gandi.net."}},
}

// IsGandiDefault tells whether rr is one of Gandi's own record sets, whole,
// whatever its TTL and the order of its values.
func IsGandiDefault(rr gandi.RRSet) bool {
	for _, def := range gandiDefaults {
		def.TTL = rr.TTL
		if gandi.Equal(def, rr) {
			return true
		}
	}
	return false
}

// isGandiDefaultValue tells whether the plain value v at key is one of the
// values Gandi's default record set there holds: a Gandi SPF next to
// someone's verification TXT is still Gandi's.
func isGandiDefaultValue(key Key, v string) bool {
	for _, def := range gandiDefaults {
		if def.Name != key.Name || def.Type != key.Type {
			continue
		}
		// The defaults' host names are absolute, so any domain reads them alike.
		if slices.Contains(plainValues("", def), v) {
			return true
		}
	}
	return false
}

// ReplaceAllowed tells whether the organizer named name/typ (relative to
// domain) with --replace, as "chat/CNAME" or with the full name.
func ReplaceAllowed(replace []string, domain, name, typ string) bool {
	for _, r := range replace {
		n, t, ok := strings.Cut(r, "/")
		if !ok || !strings.EqualFold(t, typ) {
			continue
		}
		n = strings.TrimSuffix(strings.ToLower(n), ".")
		if n == name || n == FQDN(domain, name) {
			return true
		}
	}
	return false
}
