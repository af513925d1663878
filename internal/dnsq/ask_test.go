package dnsq_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/sandbox/dnssim"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestAskAuthoritativeNormalisesEachType(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	q := s.querier(time.Second)
	tests := []struct {
		name    string
		qtype   uint16
		want    []string
		aliases []string
		ttl     time.Duration
	}{
		{"example.org", dns.TypeA, []string{"203.0.113.10"}, nil, 300 * time.Second},
		{"MY.example.org", dns.TypeAAAA, []string{"2001:db8::10"}, nil, 300 * time.Second},
		{"example.org", dns.TypeMX, []string{"10 my.example.org."}, nil, 10800 * time.Second},
		{"example.org", dns.TypeTXT, []string{"google-site-verification=abc", "v=spf1 a:my.example.org ~all"}, nil, 10800 * time.Second},
		{"example.org", dns.TypeCAA, []string{`0 issue "letsencrypt.org"`}, nil, 10800 * time.Second},
		{"example.org", dns.TypeNS, []string{"ns-1.gandi.net.", "ns-203.gandi.net.", "ns-51.gandi.net."}, nil, 10800 * time.Second},
		{"chat.example.org", dns.TypeCNAME, []string{"my.example.org."}, nil, 10800 * time.Second},
		{"_matrix-fed._tcp.example.org", dns.TypeSRV, []string{"10 5 443 matrix.example.org."}, nil, 10800 * time.Second},
		{"_dmarc.example.org", dns.TypeTXT, []string{"v=DMARC1; p=quarantine"}, nil, 10800 * time.Second},
		{"10.113.0.203.in-addr.arpa", dns.TypePTR, []string{"my.example.org."}, nil, 1800 * time.Second},
		// A split DKIM key is one record: its strings join into one value.
		{"split._domainkey.example.org", dns.TypeTXT, []string{dkimKey("")}, nil, 10800 * time.Second},
		// The CNAME chain is followed inside the answer; the smallest TTL counts.
		{"chat.example.org", dns.TypeA, []string{"203.0.113.10"}, []string{"my.example.org."}, 300 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+dns.TypeToString[tt.qtype], func(t *testing.T) {
			ans, err := q.AskAuthoritative(testContext(t), authServer, tt.name, tt.qtype)
			if err != nil {
				t.Fatal(err)
			}
			if ans.Kind != dnsq.Found || ans.Rcode != dns.RcodeSuccess || ans.Server != authServer {
				t.Fatalf("kind %s rcode %d server %s, want found, NOERROR, %s", ans.Kind, ans.Rcode, ans.Server, authServer)
			}
			if !slices.Equal(ans.Values, tt.want) || !slices.Equal(ans.Aliases, tt.aliases) {
				t.Errorf("values %q aliases %q, want %q and %q", ans.Values, ans.Aliases, tt.want, tt.aliases)
			}
			if ans.TTL != tt.ttl || ans.NegativeTTL != 0 {
				t.Errorf("TTL %v negative %v, want %v and 0", ans.TTL, ans.NegativeTTL, tt.ttl)
			}
		})
	}
}

func TestAskAuthoritativeAsksAgainOverTCPWhenTruncated(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	q := s.querier(time.Second)
	const name = "big._domainkey.example.org"
	ans, err := q.AskAuthoritative(testContext(t), authServer, name, dns.TypeTXT)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{dkimKey("A"), dkimKey("B"), dkimKey("C")}
	if ans.Kind != dnsq.Found || !slices.Equal(ans.Values, want) {
		t.Fatalf("kind %s, %d values, want all three %d-byte keys", ans.Kind, len(ans.Values), len(want[0]))
	}
	// One truncated UDP answer, then the whole answer over TCP.
	if got := s.queriesFor(t, name); len(got) != 2 {
		t.Errorf("%d queries for %s, want 2 (UDP, then TCP)", len(got), name)
	}

	// An answer that fits is asked once.
	if _, err := q.AskAuthoritative(testContext(t), authServer, "split._domainkey.example.org", dns.TypeTXT); err != nil {
		t.Fatal(err)
	}
	if got := s.queriesFor(t, "split._domainkey.example.org"); len(got) != 1 {
		t.Errorf("%d queries for a 760-byte answer, want 1", len(got))
	}
}

func TestAnswersTellNXDomainFromNoData(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	q := s.querier(time.Second)
	gandiNegative := 10800 * time.Second // min(SOA TTL, SOA MINIMUM) of Gandi's SOA
	tests := []struct {
		name  string
		qtype uint16
		kind  dnsq.Kind
		rcode int
	}{
		{"nope.example.org", dns.TypeA, dnsq.NXDomain, dns.RcodeNameError},
		{"my.example.org", dns.TypeTXT, dnsq.NoData, dns.RcodeSuccess},
		{"_domainkey.example.org", dns.TypeTXT, dnsq.NoData, dns.RcodeSuccess}, // an empty non-terminal exists
		{"chat.example.org", dns.TypeTXT, dnsq.NoData, dns.RcodeSuccess},       // NODATA at the end of an alias
	}
	ask := map[string]func(ctx context.Context, server, name string, qtype uint16) (dnsq.Answer, error){
		authServer: q.AskAuthoritative, resolver1: q.AskResolver,
	}
	for _, tt := range tests {
		for server, askFn := range ask {
			t.Run(tt.name+"/"+dns.TypeToString[tt.qtype]+"@"+server, func(t *testing.T) {
				ans, err := askFn(testContext(t), server, tt.name, tt.qtype)
				if err != nil {
					t.Fatal(err)
				}
				if ans.Kind != tt.kind || ans.Rcode != tt.rcode || len(ans.Values) != 0 {
					t.Fatalf("kind %s rcode %d values %q, want %s, %d, none", ans.Kind, ans.Rcode, ans.Values, tt.kind, tt.rcode)
				}
				within(t, "NegativeTTL", ans.NegativeTTL, gandiNegative, time.Second)
			})
		}
	}
}

func TestAskClassifiesFailures(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, func(d *world.Data) {
		// Registered, but its zone not yet served anywhere: a lame delegation.
		d.Gandi.Domains = append(d.Gandi.Domains, &world.Domain{FQDN: "pending.example"})
	})
	q := s.querier(time.Second)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		what    string
		ctx     context.Context
		ask     func(ctx context.Context, server, name string, qtype uint16) (dnsq.Answer, error)
		server  string
		name    string
		kind    dnsq.Kind
		message string // part of the error's text; "" for no error
	}{
		{"a name outside every zone is refused", context.Background(), q.AskAuthoritative, authServer, "example.net", dnsq.Refused, ""},
		{"a name nobody serves does not exist", context.Background(), q.AskResolver, resolver1, "example.net", dnsq.NXDomain, ""},
		{"a lame delegation is SERVFAIL at a resolver", context.Background(), q.AskResolver, resolver1, "pending.example", dnsq.ServFail, ""},
		{"a lame delegation is REFUSED at the server", context.Background(), q.AskAuthoritative, authServer, "pending.example", dnsq.Refused, ""},
		{"nothing listens there", context.Background(), q.AskResolver, "192.0.2.99:53", "my.example.org", dnsq.Error, "could not ask the DNS server 192.0.2.99:53"},
		{"an address outside the world is never dialed", context.Background(), q.AskResolver, "198.18.0.1:53", "my.example.org", dnsq.Error, "not part of the simulated world"},
		{"not a name", context.Background(), q.AskResolver, resolver1, "bad..name", dnsq.Error, "not a domain name"},
		{"a cancelled run", cancelled, q.AskResolver, resolver1, "my.example.org", dnsq.Error, "cancelled"},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			ans, err := tt.ask(tt.ctx, tt.server, tt.name, dns.TypeA)
			if ans.Kind != tt.kind {
				t.Fatalf("kind %s (%v), want %s", ans.Kind, err, tt.kind)
			}
			if tt.message == "" {
				if err != nil || ans.Err != nil {
					t.Fatalf("error %v, want none: %s is an answer", err, tt.kind)
				}
				return
			}
			var qe *dnsq.QueryError
			if !errors.As(err, &qe) || qe.Kind != tt.kind || ans.Err != err {
				t.Fatalf("error %#v, want a *QueryError of kind %s, also in Answer.Err", err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q, want it to say %q", err, tt.message)
			}
		})
	}
}

func TestSlowServerIsATimeout(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	s.fault(t, dnssim.FaultDNSSlow, "2s")
	q := s.querier(50 * time.Millisecond)
	start := time.Now()
	ans, err := q.AskAuthoritative(testContext(t), authServer, "my.example.org", dns.TypeA)
	elapsed := time.Since(start)
	if ans.Kind != dnsq.Timeout || ans.Rcode != -1 {
		t.Fatalf("kind %s rcode %d (%v), want a timeout without an answer", ans.Kind, ans.Rcode, err)
	}
	if err == nil || !strings.Contains(err.Error(), "did not answer my.example.org. A in time") {
		t.Errorf("error %v, want it to name the question and say it timed out", err)
	}
	// Two UDP tries of 50 ms each (a lost datagram is worth one more), not
	// the server's 2 s.
	if elapsed < 100*time.Millisecond || elapsed > time.Second {
		t.Errorf("took %v, want about 100ms", elapsed)
	}
}

func TestAskAuthoritativeRequiresAuthority(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	q := s.querier(time.Second)
	ctx := testContext(t)
	// A resolver answers a question without RD only from its cache.
	if _, err := q.AskResolver(ctx, resolver1, "my.example.org", dns.TypeA); err != nil {
		t.Fatal(err)
	}
	ans, err := q.AskAuthoritative(ctx, resolver1, "my.example.org", dns.TypeA)
	if ans.Kind != dnsq.Error || err == nil || !strings.Contains(err.Error(), "without authority") {
		t.Fatalf("kind %s error %v, want an error: a cached answer proves nothing about the zone", ans.Kind, err)
	}
}

func TestQuerierWithoutDialerRefusesToAsk(t *testing.T) {
	t.Parallel()
	ans, err := (&dnsq.Querier{}).AskResolver(context.Background(), resolver1, "example.org", dns.TypeA)
	if ans.Kind != dnsq.Error || err == nil || !strings.Contains(err.Error(), "without a network dialer") {
		t.Fatalf("kind %s error %v, want an error naming the missing dialer", ans.Kind, err)
	}
}

func TestAuthoritativeFindsTheZonesServers(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	q := s.querier(time.Second)
	ctx := testContext(t)

	servers, err := q.Authoritative(ctx, "example.org")
	if err != nil {
		t.Fatal(err)
	}
	// Three NS names, all Gandi's anycast address: asked once, over IPv4.
	if !slices.Equal(servers, []string{authServer}) {
		t.Errorf("servers %q, want [%s]", servers, authServer)
	}

	servers, err = q.NameserverAddresses(ctx, []string{"ns-1.gandi.net", "ns-gone.example.org", "2001:db8::53"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(servers, []string{authServer, "[2001:db8::53]:53"}) {
		t.Errorf("servers %q, want the resolvable name's and the literal address", servers)
	}

	if _, err := q.NameserverAddresses(ctx, []string{"ns-gone.example.org"}); err == nil || !strings.Contains(err.Error(), "ns-gone.example.org") {
		t.Errorf("error %v, want one naming the nameserver that does not resolve", err)
	}
	if _, err := q.Authoritative(ctx, "unregistered.example"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("error %v, want the domain said not to exist", err)
	}
}
