package dnssim

import (
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestBlocklistsAnswerFromTheWorld(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0.001, func(d *world.Data) {
		d.DNSBL.Listed = []string{"203.0.113.10", "203.0.113.20=127.0.0.11", "2001:db8::66", "spam.example"}
	})
	resolver := serve(t, NewResolver(w, ResolverOptions{}))
	tests := []struct {
		name string
		want string // the A answer; "" for NXDOMAIN
	}{
		{"10.113.0.203.zen.spamhaus.org", "127.0.0.2"},
		{"10.113.0.203.bl.spamcop.net", "127.0.0.2"},
		{"10.113.0.203.b.barracudacentral.org", "127.0.0.2"},
		{"10.113.0.203.all.spamrats.com", "127.0.0.38"},
		{"11.113.0.203.zen.spamhaus.org", ""},           // not listed
		{"20.113.0.203.zen.spamhaus.org", "127.0.0.11"}, // listed with its own code: PBL
		{"20.113.0.203.bl.spamcop.net", "127.0.0.2"},    // other lists keep theirs
		{"2.0.0.127.zen.spamhaus.org", "127.0.0.2"},     // RFC 5782 test entry
		{"1.0.0.127.zen.spamhaus.org", ""},              // never listed
		{"2.0.0.127.psbl.surriel.com", "127.0.0.2"},     // every live list has it
		{"10.113.0.203.dnsbl.sorbs.net", ""},            // retired: lists nobody
		{"2.0.0.127.spam.abuse.ch", ""},                 // not even its test entry
		{reversedV6("2001:db8::66") + ".zen.spamhaus.org", "127.0.0.2"},
		{reversedV6("2001:db8::66") + ".bl.spamcop.net", ""}, // an IPv4-only list
		{"spam.example.dbl.spamhaus.org", "127.0.1.2"},
		{"example.org.dbl.spamhaus.org", ""},
		{"dbltest.com.dbl.spamhaus.org", "127.0.1.2"},
		{"10.113.0.203.dbl.spamhaus.org", "127.0.1.255"}, // an IP asked of the domain list
	}
	for _, tt := range tests {
		r := ask(t, resolver, tt.name, dns.TypeA, true)
		if tt.want == "" {
			if r.Rcode != dns.RcodeNameError || soaIn(r.Ns) == nil {
				t.Errorf("%s: %s %v, want NXDOMAIN with the list's SOA", tt.name, dns.RcodeToString[r.Rcode], r.Answer)
			}
			continue
		}
		if got := firstA(r); r.Rcode != dns.RcodeSuccess || got != tt.want {
			t.Errorf("%s: %s %s, want %s", tt.name, dns.RcodeToString[r.Rcode], got, tt.want)
		}
	}
}

func TestBlocklistListingCarriesAReason(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0.001, func(d *world.Data) { d.DNSBL.Listed = []string{"203.0.113.10"} })
	addr := serve(t, NewBlocklists(w))
	r := ask(t, addr, "10.113.0.203.zen.spamhaus.org", dns.TypeTXT, false)
	if len(r.Answer) != 1 || !r.Authoritative {
		t.Fatalf("answer %v aa=%v, want one TXT from the list's own server", r.Answer, r.Authoritative)
	}
	reason := strings.Join(r.Answer[0].(*dns.TXT).Txt, "")
	if !strings.Contains(reason, "SBL") || !strings.Contains(reason, "203.0.113.10") {
		t.Fatalf("reason %q, want the list and the address", reason)
	}
}

func reversedV6(ip string) string {
	arpa, _ := dns.ReverseAddr(ip)
	return strings.TrimSuffix(arpa, ".ip6.arpa.")
}
