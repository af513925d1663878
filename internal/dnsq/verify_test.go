package dnsq_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/sandbox/dnssim"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestVerifyAsksResolversOnlyOnceTheAuthoritativeServersServe(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	q := s.querier(time.Second)
	ctx := testContext(t)
	const name = "fresh.example.org"
	// A Gandi write that reaches the servers a moment from now.
	s.publish(t, time.Now().Add(150*time.Millisecond), withRecord(world.RRSet{Name: "fresh", Type: "A", TTL: 300, Values: []string{"203.0.113.20"}}))
	exps := []dnsq.Expectation{{Name: name, Type: dns.TypeA, Values: []string{"203.0.113.20"}}}

	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	rounds := 0
	var res dnsq.Result
	for {
		res = q.Verify(ctx, []string{authServer}, nil, exps, time.Now())[0]
		if res.AuthoritativeOK {
			break
		}
		rounds++
		if !slices.Equal(res.WrongAt, []string{authServer}) || res.Authoritative[0].Kind != dnsq.NXDomain || res.Resolvers != nil {
			t.Fatalf("round %d: wrong at %q, authoritative %s, %d resolver answers; want the server wrong (NXDOMAIN) and no resolver asked",
				rounds, res.WrongAt, res.Authoritative[0].Kind, len(res.Resolvers))
		}
		// The journal does not say which server was asked; but each line
		// for the name is one query from this Querier, so one line per
		// round means only the authoritative server heard of the name.
		if got := s.queriesFor(t, name); len(got) != rounds {
			t.Fatalf("round %d: %d queries for %s, want %d (the authoritative server's alone)", rounds, len(got), name, rounds)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			t.Fatal("the published record never reached the authoritative server")
		}
	}
	if rounds == 0 {
		t.Fatal("the first round already found the record: the test did not see it propagate")
	}
	if !res.Propagated() || !slices.Equal(res.Agreeing, publicResolvers) || !res.RecheckAfter.IsZero() {
		t.Errorf("agreeing %q stale %q unanswered %q recheck %v, want every resolver agreeing at once (none had cached an absence)",
			res.Agreeing, res.Stale, res.Unanswered, res.RecheckAfter)
	}
	lines := s.queriesFor(t, name)
	if len(lines) != rounds+1+len(publicResolvers) {
		t.Fatalf("%d queries in all, want %d NXDOMAIN rounds, then 1 authoritative and %d resolver queries", len(lines), rounds, len(publicResolvers))
	}
	for i, e := range lines {
		if want := i >= rounds; (e.Status == dns.RcodeSuccess) != want {
			t.Errorf("query %d answered %s: a resolver asked before the authoritative server served the name?", i, dns.RcodeToString[e.Status])
		}
	}
}

func TestVerifyRechecksStaleResolversAfterTheirTTL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		what     string
		early    dnsq.Expectation // asked of the stale resolver before the change
		stale    string
		change   world.RRSet
		want     dnsq.Expectation
		staleAns dnsq.Kind
		ttl      time.Duration
	}{
		{
			what:  "a name asked before it existed stays absent for the SOA's negative TTL",
			early: dnsq.Expectation{Name: "late.example.org", Type: dns.TypeTXT}, stale: resolver1,
			change:   world.RRSet{Name: "late", Type: "TXT", TTL: 300, Values: []string{`"hello"`}},
			want:     dnsq.Expectation{Name: "late.example.org", Type: dns.TypeTXT, Values: []string{"hello"}},
			staleAns: dnsq.NXDomain, ttl: 10800 * time.Second,
		},
		{
			what:  "a changed address stays old for the record's TTL",
			early: dnsq.Expectation{Name: "my.example.org", Type: dns.TypeA}, stale: resolver2,
			change:   world.RRSet{Name: "my", Type: "A", TTL: 300, Values: []string{"203.0.113.20"}},
			want:     dnsq.Expectation{Name: "my.example.org", Type: dns.TypeA, Values: []string{"203.0.113.20"}},
			staleAns: dnsq.Found, ttl: 300 * time.Second,
		},
		{
			what:  "a moved alias stays old for the CNAME's TTL",
			early: dnsq.Expectation{Name: "www.example.org", Type: dns.TypeCNAME}, stale: resolver3,
			change:   world.RRSet{Name: "www", Type: "CNAME", TTL: 300, Values: []string{"my.example.org."}},
			want:     dnsq.Expectation{Name: "www.example.org", Type: dns.TypeCNAME, Values: []string{"my.example.org"}},
			staleAns: dnsq.Found, ttl: 10800 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			t.Parallel()
			// Real time, so that the cached TTLs count down in seconds.
			s := newSim(t, 1, nil)
			q := s.querier(time.Second)
			ctx := testContext(t)
			if _, err := q.AskResolver(ctx, tt.stale, tt.early.Name, tt.early.Type); err != nil {
				t.Fatal(err)
			}
			records := slices.DeleteFunc(zoneRecords(), func(r world.RRSet) bool {
				return r.Name == tt.change.Name && r.Type == tt.change.Type
			})
			s.publish(t, time.Now(), append(records, tt.change))

			now := time.Now()
			res := q.Verify(ctx, []string{authServer}, nil, []dnsq.Expectation{tt.want}, now)[0]
			if !res.AuthoritativeOK || !slices.Equal(res.Stale, []string{tt.stale}) || len(res.Agreeing) != 2 || res.Propagated() {
				t.Fatalf("authoritative ok %v, stale %q, agreeing %q; want the server right and only %s stale", res.AuthoritativeOK, res.Stale, res.Agreeing, tt.stale)
			}
			i := slices.Index(publicResolvers, tt.stale)
			if got := res.Resolvers[i].Kind; got != tt.staleAns {
				t.Errorf("stale resolver answered %s, want %s", got, tt.staleAns)
			}
			within(t, "RecheckAfter - now", res.RecheckAfter.Sub(now), tt.ttl, 2*time.Second)
		})
	}
}

func TestVerifyReportsResolversThatDisagree(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	s.fault(t, dnssim.FaultResolversDisagree, "")
	q := s.querier(time.Second)
	now := time.Now()
	res := q.Verify(testContext(t), []string{authServer}, nil,
		[]dnsq.Expectation{{Name: "my.example.org", Type: dns.TypeA, Values: []string{"203.0.113.10"}}}, now)[0]
	if !res.AuthoritativeOK || !slices.Equal(res.Agreeing, []string{resolver1, resolver3}) || !slices.Equal(res.Stale, []string{resolver2}) {
		t.Fatalf("authoritative ok %v agreeing %q stale %q, want 8.8.8.8 alone disagreeing", res.AuthoritativeOK, res.Agreeing, res.Stale)
	}
	if got := res.Resolvers[1].Values; !slices.Equal(got, []string{"203.0.113.254"}) {
		t.Errorf("8.8.8.8 answered %q, want the stale address", got)
	}
	within(t, "RecheckAfter - now", res.RecheckAfter.Sub(now), 300*time.Second, time.Second)
}

func TestVerifyComparesNormalisedValues(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	q := s.querier(time.Second)
	exps := []dnsq.Expectation{
		{Name: "example.org", Type: dns.TypeMX, Values: []string{"10 MY.example.org"}},
		{Name: "example.org", Type: dns.TypeTXT, Values: []string{`"v=spf1 a:my.example.org ~all"`, "google-site-verification=abc"}},
		{Name: "example.org", Type: dns.TypeTXT, Values: []string{"v=spf1 a:my.example.org ~all"}}, // the whole rrset is compared
		{Name: "my.example.org", Type: dns.TypeAAAA, Values: []string{"2001:DB8:0::10"}},
		{Name: "split._domainkey.example.org", Type: dns.TypeTXT, Values: []string{`"` + dkimKey("")[:100] + `" "` + dkimKey("")[100:] + `"`}},
		{Name: "gone.example.org", Type: dns.TypeA}, // must not exist
		{Name: "my.example.org", Type: dns.TypeA},   // must not exist, but does
	}
	want := []bool{true, true, false, true, true, true, false}
	results := q.Verify(testContext(t), []string{authServer}, nil, exps, time.Now())
	for i, res := range results {
		if res.Expectation.Name != exps[i].Name || res.AuthoritativeOK != want[i] || res.Propagated() != want[i] {
			t.Errorf("%s %s %q: authoritative ok %v propagated %v (served %q), want %v",
				res.Expectation.Name, dns.TypeToString[res.Expectation.Type], exps[i].Values, res.AuthoritativeOK, res.Propagated(), res.Authoritative[0].Values, want[i])
		}
	}
}

func TestVerifyCountsSilentResolversAsUnanswered(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	q := s.querier(time.Second)
	const silent = "192.0.2.99:53" // in the world, but nothing listens
	res := q.Verify(testContext(t), []string{authServer}, []string{resolver1, silent},
		[]dnsq.Expectation{{Name: "my.example.org", Type: dns.TypeA, Values: []string{"203.0.113.10"}}}, time.Now())[0]
	if !slices.Equal(res.Agreeing, []string{resolver1}) || !slices.Equal(res.Unanswered, []string{silent}) || res.Stale != nil {
		t.Fatalf("agreeing %q unanswered %q stale %q, want the silent one unanswered, not stale", res.Agreeing, res.Unanswered, res.Stale)
	}
	if res.Propagated() || !res.RecheckAfter.IsZero() {
		t.Errorf("propagated %v recheck %v, want not propagated and no recheck time (nothing cached to wait for)", res.Propagated(), res.RecheckAfter)
	}
}

func TestVerifyIsBoundedByItsContext(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	s.fault(t, dnssim.FaultDNSSlow, "2s")
	q := s.querier(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := q.Verify(ctx, []string{authServer}, nil, twelveRecords(), time.Now())
	if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
		t.Errorf("took %v, want about the context's 50ms", elapsed)
	}
	for _, r := range res {
		if r.AuthoritativeOK || r.Authoritative[0].Kind != dnsq.Timeout || r.Resolvers != nil {
			t.Errorf("%s: ok %v kind %s, want a timeout at the authoritative server and no resolver asked", r.Expectation.Name, r.AuthoritativeOK, r.Authoritative[0].Kind)
		}
	}
}

func TestVerifyAsksConcurrently(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	s.fault(t, world.Latency, "50ms")
	q := s.querier(time.Second)
	start := time.Now()
	res := q.Verify(testContext(t), []string{authServer}, nil, twelveRecords(), time.Now())
	elapsed := time.Since(start)
	for _, r := range res {
		if !r.Propagated() {
			t.Errorf("%s %s not propagated: wrong at %q, stale %q, unanswered %q", r.Expectation.Name, dns.TypeToString[r.Expectation.Type], r.WrongAt, r.Stale, r.Unanswered)
		}
	}
	// One round trip to the server, one to the resolvers: 100 ms. Asked one
	// after another, the 48 questions would take 2.4 s.
	if elapsed > 400*time.Millisecond {
		t.Errorf("took %v, want about two round trips of 50ms", elapsed)
	}
}

// twelveRecords are the chapter zone's records as a verify step expects
// them, all small enough for UDP.
func twelveRecords() []dnsq.Expectation {
	return []dnsq.Expectation{
		{Name: "example.org", Type: dns.TypeA, Values: []string{"203.0.113.10"}},
		{Name: "example.org", Type: dns.TypeMX, Values: []string{"10 my.example.org."}},
		{Name: "example.org", Type: dns.TypeTXT, Values: []string{"v=spf1 a:my.example.org ~all", "google-site-verification=abc"}},
		{Name: "example.org", Type: dns.TypeCAA, Values: []string{`0 issue "letsencrypt.org"`}},
		{Name: "example.org", Type: dns.TypeNS, Values: []string{"ns-203.gandi.net.", "ns-51.gandi.net.", "ns-1.gandi.net."}},
		{Name: "my.example.org", Type: dns.TypeA, Values: []string{"203.0.113.10"}},
		{Name: "my.example.org", Type: dns.TypeAAAA, Values: []string{"2001:db8::10"}},
		{Name: "chat.example.org", Type: dns.TypeCNAME, Values: []string{"my.example.org."}},
		{Name: "www.example.org", Type: dns.TypeCNAME, Values: []string{"webredir.vip.gandi.net."}},
		{Name: "_matrix-fed._tcp.example.org", Type: dns.TypeSRV, Values: []string{"10 5 443 matrix.example.org."}},
		{Name: "_dmarc.example.org", Type: dns.TypeTXT, Values: []string{"v=DMARC1; p=quarantine"}},
		{Name: "split._domainkey.example.org", Type: dns.TypeTXT, Values: []string{dkimKey("")}},
	}
}

func TestVerifyAuthoritativeNeverAsksAResolver(t *testing.T) {
	t.Parallel()
	s := newSim(t, 0.001, nil)
	q := s.querier(time.Second)
	ctx := testContext(t)
	const name = "later.example.org"
	exps := []dnsq.Expectation{{Name: name, Type: dns.TypeA, Values: []string{"203.0.113.21"}}}

	res := q.VerifyAuthoritative(ctx, []string{authServer}, exps)[0]
	if res.AuthoritativeOK || !slices.Equal(res.WrongAt, []string{authServer}) || res.Authoritative[0].Kind != dnsq.NXDomain {
		t.Fatalf("before the write: ok %v wrong at %q kind %s, want NXDOMAIN at the server", res.AuthoritativeOK, res.WrongAt, res.Authoritative[0].Kind)
	}
	s.publish(t, time.Now(), withRecord(world.RRSet{Name: "later", Type: "A", TTL: 300, Values: []string{"203.0.113.21"}}))
	res = q.VerifyAuthoritative(ctx, []string{authServer}, exps)[0]
	if !res.AuthoritativeOK || res.Resolvers != nil || len(res.WrongAt) != 0 {
		t.Fatalf("after the write: ok %v, %d resolver answers, wrong at %q; want served and no resolver asked",
			res.AuthoritativeOK, len(res.Resolvers), res.WrongAt)
	}
	// Two rounds, each one question to the authoritative server alone.
	if got := s.queriesFor(t, name); len(got) != 2 {
		t.Errorf("%d queries for %s, want 2 (the authoritative server's alone)", len(got), name)
	}
}
