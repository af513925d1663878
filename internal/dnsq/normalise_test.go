package dnsq

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestNormalise(t *testing.T) {
	t.Parallel()
	tests := []struct {
		qtype uint16
		in    string
		want  string
	}{
		{dns.TypeA, " 203.0.113.10 ", "203.0.113.10"},
		{dns.TypeA, "::ffff:203.0.113.10", "203.0.113.10"},
		{dns.TypeAAAA, "2001:DB8:0:0::10", "2001:db8::10"},
		{dns.TypeMX, "10 MY.example.org", "10 my.example.org."},
		{dns.TypeMX, "10 my.example.org.", "10 my.example.org."},
		{dns.TypeCNAME, "My.Example.org", "my.example.org."},
		{dns.TypeNS, "ns-1.gandi.net.", "ns-1.gandi.net."},
		{dns.TypeSRV, "10 5 443 Matrix.example.org", "10 5 443 matrix.example.org."},
		{dns.TypeCAA, `0 issue "letsencrypt.org"`, `0 issue "letsencrypt.org"`},
		{dns.TypeCAA, `0 ISSUE letsencrypt.org`, `0 issue "letsencrypt.org"`},
		// Unquoted TXT is the text itself, spaces and all, as Gandi takes it.
		{dns.TypeTXT, "v=spf1 a:my.example.org ~all", "v=spf1 a:my.example.org ~all"},
		// Quoted TXT is zone-file strings, joined.
		{dns.TypeTXT, `"v=spf1 a:my.example.org ~all"`, "v=spf1 a:my.example.org ~all"},
		{dns.TypeTXT, `"v=DKIM1; k=rsa; " "p=MIIB"`, "v=DKIM1; k=rsa; p=MIIB"},
		{dns.TypeTXT, `"say \"hi\""`, `say "hi"`},
		// What does not parse stays as given, and then matches nothing.
		{dns.TypeA, "not-an-address", "not-an-address"},
		{dns.TypeMX, "ten mail.example.org", "ten mail.example.org"},
	}
	for _, tt := range tests {
		if got := Normalise(tt.qtype, tt.in); got != tt.want {
			t.Errorf("Normalise(%s, %q) = %q, want %q", dns.TypeToString[tt.qtype], tt.in, got, tt.want)
		}
	}
}

func TestValueOfUndoesTXTEscapes(t *testing.T) {
	t.Parallel()
	// What miekg/dns unpacks from the wire: presentation escapes.
	rr := &dns.TXT{Txt: []string{`caf\195\169 `, `\"quoted\" back\\slash`}}
	if got, want := valueOf(rr), "café \"quoted\" back\\slash"; got != want {
		t.Errorf("valueOf = %q, want %q", got, want)
	}
}

func TestReverseName(t *testing.T) {
	t.Parallel()
	tests := []struct{ ip, want string }{
		{"203.0.113.10", "10.113.0.203"},
		{"::ffff:203.0.113.10", "10.113.0.203"},
		{"2001:db8::10", "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"},
	}
	for _, tt := range tests {
		if got := reverseName(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("reverseName(%s) = %s, want %s", tt.ip, got, tt.want)
		}
	}
}

func TestInterpretBlocklistCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		what       string
		codes      []string
		zone       string
		domainList bool
		listed     bool
		unknown    bool
		reason     string
	}{
		{"SBL and XBL at once", []string{"127.0.0.2", "127.0.0.4"}, "zen.spamhaus.org.", false, true, false, "SBL"},
		{"an undocumented ZEN code", []string{"127.0.0.8"}, "zen.spamhaus.org.", false, false, true, "not one of its documented codes"},
		{"a wrong zone name", []string{"127.255.255.252"}, "zen.spamhaus.org.", false, false, true, "name is wrong"},
		{"too many queries", []string{"127.255.255.255"}, "zen.spamhaus.org.", false, false, true, "too many queries"},
		{"a listing next to a refusal", []string{"127.0.0.2", "127.255.255.254"}, "zen.spamhaus.org.", false, false, true, "refused"},
		{"an IP asked of the DBL", []string{"127.0.1.255"}, "dbl.spamhaus.org.", true, false, true, "asked about an IP address"},
		{"a ZEN code from the DBL", []string{"127.0.0.2"}, "dbl.spamhaus.org.", true, false, true, "not one of its documented codes"},
		{"an abused legitimate domain", []string{"127.0.1.104"}, "dbl.spamhaus.org.", true, true, false, "phishing"},
		{"a resolver rewriting NXDOMAIN", []string{"198.51.100.7"}, "bl.spamcop.net.", false, false, true, "rewrites answers"},
		{"127.0.0.1 is no listing", []string{"127.0.0.1"}, "psbl.surriel.com.", false, false, true, "no blocklist uses"},
		{"a DQS zone", []string{"127.0.0.3"}, "key.zen.dq.spamhaus.net.", false, true, false, "CSS"},
	}
	for _, tt := range tests {
		got := interpret(tt.codes, tt.zone, tt.domainList)
		if got.Listed != tt.listed || got.Unknown != tt.unknown || !strings.Contains(got.Reason, tt.reason) || got.Code != strings.Join(tt.codes, ",") {
			t.Errorf("%s: %+v, want listed %v unknown %v reason with %q", tt.what, got, tt.listed, tt.unknown, tt.reason)
		}
	}
}

func TestListNameHidesTheDQSKey(t *testing.T) {
	t.Parallel()
	for zone, want := range map[string]string{
		"abc123.zen.dq.spamhaus.net.": "zen.dq.spamhaus.net",
		"zen.dq.spamhaus.net.":        "zen.dq.spamhaus.net",
		"zen.spamhaus.org.":           "zen.spamhaus.org",
	} {
		if got := listName(zone); got != want {
			t.Errorf("listName(%s) = %s, want %s", zone, got, want)
		}
	}
}
