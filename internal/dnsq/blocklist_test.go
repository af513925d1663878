package dnsq_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/dnssim"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestBlocklisted(t *testing.T) {
	t.Parallel()
	listed := func(d *world.Data) {
		d.DNSBL.Listed = []string{"203.0.113.10", "203.0.113.12=127.0.0.11", "2001:db8::10", "example.org=127.0.1.4"}
	}
	type want struct {
		listed, unknown bool
		code            string
		reason          string // part of Reason
	}
	tests := []struct {
		what    string
		fault   string
		domain  bool
		subject string
		zone    string
		want    want
	}{
		{"an SBL listing", "", false, "203.0.113.10", "zen.spamhaus.org", want{true, false, "127.0.0.2", "Spamhaus SBL"}},
		{"a PBL listing", "", false, "203.0.113.12", "zen.spamhaus.org.", want{true, false, "127.0.0.11", "Spamhaus PBL"}},
		{"an IPv6 listing, asked by nibbles", "", false, "2001:db8::10", "zen.spamhaus.org", want{true, false, "127.0.0.2", "SBL"}},
		{"an address nobody lists", "", false, "203.0.113.11", "zen.spamhaus.org", want{}},
		{"another list's listing", "", false, "203.0.113.10", "bl.spamcop.net", want{true, false, "127.0.0.2", "listed on bl.spamcop.net"}},
		{"a listed domain", "", true, "example.org", "dbl.spamhaus.org", want{true, false, "127.0.1.4", "phishing"}},
		{"a domain nobody lists", "", true, "example.net", "dbl.spamhaus.org", want{}},
		{"Spamhaus refusing a public resolver", dnssim.FaultDNSBLRefuses, false, "203.0.113.11", "zen.spamhaus.org",
			want{false, true, "127.255.255.254", "refused to answer this resolver"}},
		{"Spamhaus refusing, even for a listed address", dnssim.FaultDNSBLRefuses, false, "203.0.113.10", "zen.spamhaus.org",
			want{false, true, "127.255.255.254", "refused to answer this resolver"}},
		{"Spamhaus' domain list refusing", dnssim.FaultDNSBLRefuses, true, "example.net", "dbl.spamhaus.org",
			want{false, true, "127.255.255.254", "refused to answer this resolver"}},
		{"other lists answer public resolvers", dnssim.FaultDNSBLRefuses, false, "203.0.113.10", "bl.spamcop.net",
			want{true, false, "127.0.0.2", "bl.spamcop.net"}},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			t.Parallel()
			s := newSim(t, 0.001, listed)
			if tt.fault != "" {
				s.fault(t, tt.fault, "")
			}
			q := s.querier(time.Second)
			check := q.Blocklisted
			if tt.domain {
				check = q.DomainBlocklisted
			}
			got, err := check(testContext(t), resolver1, tt.subject, tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			if got.Listed != tt.want.listed || got.Unknown != tt.want.unknown || got.Code != tt.want.code || !strings.Contains(got.Reason, tt.want.reason) {
				t.Fatalf("got %+v, want listed %v unknown %v code %q reason with %q", got, tt.want.listed, tt.want.unknown, tt.want.code, tt.want.reason)
			}
			if got.Listed && (!strings.Contains(got.Detail, "http") || got.TTL != time.Minute) {
				t.Errorf("detail %q TTL %v, want the list's TXT with its lookup URL and the 60 s TTL", got.Detail, got.TTL)
			}
		})
	}
}

func TestBlocklistedWithoutAnswerIsUnknown(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	q := s.querier(time.Second)
	ctx := testContext(t)
	// A Spamhaus DQS zone begins with the account's key: a secret.
	got, err := q.Blocklisted(ctx, "192.0.2.99:53", "203.0.113.10", "s3cr3tkey.zen.dq.spamhaus.net")
	if err == nil || !got.Unknown || got.Listed {
		t.Fatalf("got %+v error %v, want unknown and an error", got, err)
	}
	if strings.Contains(err.Error(), "s3cr3tkey") || strings.Contains(got.Reason, "s3cr3tkey") {
		t.Errorf("error %q reason %q: the DQS key must not appear", err, got.Reason)
	}
	if !strings.Contains(err.Error(), "zen.dq.spamhaus.net") {
		t.Errorf("error %q, want it to name the list", err)
	}

	if _, err := q.Blocklisted(ctx, resolver1, "my.example.org", "zen.spamhaus.org"); err == nil {
		t.Error("a host name asked of an IP list: want an error")
	}
	if _, err := q.DomainBlocklisted(ctx, resolver1, "203.0.113.10", "dbl.spamhaus.org"); err == nil {
		t.Error("an address asked of a domain list: want an error")
	}
}

func TestBlocklistedOverSlowResolverIsUnknown(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	s.fault(t, dnssim.FaultDNSSlow, "2s")
	got, err := s.querier(20*time.Millisecond).Blocklisted(testContext(t), resolver1, "203.0.113.10", "zen.spamhaus.org")
	if err == nil || !got.Unknown || !strings.Contains(got.Reason, "did not answer in time") {
		t.Fatalf("got %+v error %v, want unknown: a silent resolver never means not listed", got, err)
	}
}
