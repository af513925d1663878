package steps

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/dnsq"
)

// Only a record Cloudron sees as something no longer served is worth
// waiting for: its cache will catch up; a record it sees as served is
// wrong in the zone, and the PTR is not the zone's at all.
func TestStaleMailRecords(t *testing.T) {
	served := []dnsq.Expectation{
		{Name: "redrockdsa.org", Type: dns.TypeMX, Values: []string{"10 my.redrockdsa.org."}},
		{Name: "redrockdsa.org", Type: dns.TypeTXT, Values: []string{"v=spf1 a:my.redrockdsa.org ~all", "google-site-verification=abc"}},
	}
	oldMX := cloudron.MailCheck{Name: "mx", FQDN: "redrockdsa.org", Type: "MX", Value: "10 spool.mail.gandi.net. 50 fb.mail.gandi.net."}
	servedSPF := cloudron.MailCheck{Name: "spf", FQDN: "redrockdsa.org", Type: "TXT", Value: "v=spf1  ~all a:my.redrockdsa.org"}
	ptr := cloudron.MailCheck{Name: "ptr", FQDN: "10.113.0.203.in-addr.arpa", Type: "PTR", Value: "droplet-1"}
	failedLookup := cloudron.MailCheck{Name: "dmarc", FQDN: "_dmarc.redrockdsa.org", Type: "TXT", ErrorMessage: "timeout"}
	okMX := oldMX
	okMX.OK = true
	for _, tc := range []struct {
		name   string
		checks []cloudron.MailCheck
		want   string
	}{
		{"an old MX in the cache", []cloudron.MailCheck{oldMX}, "redrockdsa.org MX"},
		{"the served SPF, in another order", []cloudron.MailCheck{servedSPF}, ""},
		{"the reverse name", []cloudron.MailCheck{ptr}, ""},
		{"a failed lookup", []cloudron.MailCheck{failedLookup}, ""},
		{"already right", []cloudron.MailCheck{okMX}, ""},
	} {
		if got := staleMailRecords(cloudron.MailStatus{Checks: tc.checks}, served); got != tc.want {
			t.Errorf("%s: stale = %q, want %q", tc.name, got, tc.want)
		}
	}
}
