package steps

import (
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/gandi"
)

// hostTTL is short on purpose: these names may move (a rebuilt droplet),
// and Cloudron's manual DNS mode waits for them during setup.
const hostTTL = 300

// hostNames are the names (relative to the zone, "@" for the apex) that
// point at the droplet: the dashboard and every app host chapter.yaml
// implies.
func hostNames(cfg *chapter.Config) []string {
	names := []string{"my"}
	switch cfg.Chat {
	case chapter.ChatMatrix:
		names = append(names, "matrix", "chat") // Synapse, Element
	case chapter.ChatRocketChat, chapter.ChatMattermost:
		names = append(names, "chat")
	}
	if cfg.Webmail == chapter.WebmailRoundcube || cfg.Webmail == chapter.WebmailSOGo {
		names = append(names, "webmail")
	}
	if cfg.Chat == chapter.ChatMatrix && cfg.MatrixServerName == chapter.MatrixServerNameDomain {
		// @user:<domain> ids: the bare domain serves .well-known/matrix.
		names = append(names, "@")
	}
	return names
}

// gandiDefaults are the record sets Gandi puts in a new zone that can sit
// on a name chapterctl points at the droplet (DESIGN "Who writes the DNS";
// reference/gandi-livedns.md §1.4). They are the registrar's, not the
// organizer's, so --yes may replace them; any other value is someone's own.
var gandiDefaults = []gandi.RRSet{
	{Name: "@", Type: "A", Values: []string{"217.70.184.38"}},
	{Name: "www", Type: "CNAME", Values: []string{"webredir.vip.gandi.net."}},
	{Name: "webmail", Type: "CNAME", Values: []string{"webmail.gandi.net."}},
}

// isGandiDefault tells whether rr is one of Gandi's own record sets,
// whatever its TTL.
func isGandiDefault(rr gandi.RRSet) bool {
	for _, def := range gandiDefaults {
		def.TTL = rr.TTL
		if gandi.Equal(def, rr) {
			return true
		}
	}
	return false
}

// sameValues tells whether two record sets hold the same values, TTL aside.
func sameValues(a, b gandi.RRSet) bool {
	a.TTL, b.TTL = 0, 0
	return gandi.Equal(a, b)
}

// replaceAllowed tells whether the organizer named name/typ with
// --replace (as "chat/CNAME", or with the full name).
func replaceAllowed(replace []string, domain, name, typ string) bool {
	for _, r := range replace {
		n, t, ok := strings.Cut(r, "/")
		if !ok || !strings.EqualFold(t, typ) {
			continue
		}
		n = strings.TrimSuffix(strings.ToLower(n), ".")
		if n == name || n == hostFQDN(domain, name) {
			return true
		}
	}
	return false
}

func hostFQDN(domain, name string) string {
	if name == "@" {
		return domain
	}
	return name + "." + domain
}

func rrKey(name, typ string) string { return name + "/" + typ }

// sortedNames returns names sorted and without repeats.
func sortedNames(names []string) []string {
	out := slices.Clone(names)
	slices.Sort(out)
	return slices.Compact(out)
}
