package steps

import (
	"slices"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/dnsplan"
	"github.com/chapterctl/chapterctl/internal/gandi"
)

// hostTTL is short on purpose: these names may move (a rebuilt droplet),
// and Cloudron's manual DNS mode waits for them during setup.
const hostTTL = dnsplan.HostTTL

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

// sameValues tells whether two record sets hold the same values, TTL aside.
func sameValues(a, b gandi.RRSet) bool {
	a.TTL, b.TTL = 0, 0
	return gandi.Equal(a, b)
}

func hostFQDN(domain, name string) string { return dnsplan.FQDN(domain, name) }

func rrKey(name, typ string) string { return name + "/" + typ }

// sortedNames returns names sorted and without repeats.
func sortedNames(names []string) []string {
	out := slices.Clone(names)
	slices.Sort(out)
	return slices.Compact(out)
}
