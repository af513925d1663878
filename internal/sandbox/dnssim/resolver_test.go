package dnssim

import (
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestResolverAnswersRecursively(t *testing.T) {
	t.Parallel()
	addr := serve(t, NewResolver(newWorld(t, 0.001, nil), ResolverOptions{}))
	r := ask(t, addr, "my.example.org", dns.TypeA, true)
	if r.Rcode != dns.RcodeSuccess || r.Authoritative || !r.RecursionAvailable || !r.RecursionDesired {
		t.Fatalf("rcode %s aa=%v ra=%v rd=%v, want NOERROR, not authoritative, recursion available and desired",
			dns.RcodeToString[r.Rcode], r.Authoritative, r.RecursionAvailable, r.RecursionDesired)
	}
	if firstA(r) != "203.0.113.10" {
		t.Fatalf("answer %v", r.Answer)
	}
}

func TestResolverKeepsAnAnswerForItsTTL(t *testing.T) {
	t.Parallel()
	// At scale 0.001 the record's 300 s TTL lasts 300 ms.
	w := newWorld(t, 0.001, nil)
	auth, resolver := serve(t, NewAuthoritative(w)), serve(t, NewResolver(w, ResolverOptions{}))
	asked := time.Now()
	first := ask(t, resolver, "my.example.org", dns.TypeA, true)
	moved := zoneRecords()
	moved[4].Values = []string{"203.0.113.99"} // my A
	publish(t, w, "example.org", time.Now(), moved)

	if got := firstA(ask(t, auth, "my.example.org", dns.TypeA, false)); got != "203.0.113.99" {
		t.Fatalf("authoritative answer %s, want the new address", got)
	}
	var cached *dns.Msg
	eventually(t, time.Second, "counting the TTL down", func() bool {
		cached = ask(t, resolver, "my.example.org", dns.TypeA, true)
		return cached.Answer[0].Header().Ttl < first.Answer[0].Header().Ttl
	})
	if firstA(cached) != "203.0.113.10" && time.Since(asked) < w.Scaled(300*time.Second) {
		t.Fatalf("resolver answered %s within the TTL, want the cached 203.0.113.10", firstA(cached))
	}
	eventually(t, 5*time.Second, "the new address", func() bool {
		return firstA(ask(t, resolver, "my.example.org", dns.TypeA, true)) == "203.0.113.99"
	})
	if waited := time.Since(asked); waited < w.Scaled(300*time.Second) {
		t.Fatalf("the cached answer went after %v, before its TTL ran out", waited)
	}
}

func TestResolverKeepsAnAbsenceForTheSOAMinimum(t *testing.T) {
	t.Parallel()
	// Gandi's negative TTL, 10800 s, lasts 108 ms at this scale.
	w := newWorld(t, 0.00001, nil)
	resolver := serve(t, NewResolver(w, ResolverOptions{}))
	asked := time.Now()
	r := ask(t, resolver, "late.example.org", dns.TypeA, true)
	if r.Rcode != dns.RcodeNameError || soaIn(r.Ns) == nil || soaIn(r.Ns).Hdr.Ttl > 10800 {
		t.Fatalf("before the record: %s %v, want NXDOMAIN with the SOA", dns.RcodeToString[r.Rcode], r.Ns)
	}
	publish(t, w, "example.org", time.Now(), withRecord(world.RRSet{Name: "late", Type: "A", TTL: 300, Values: []string{"203.0.113.40"}}))
	if r := ask(t, resolver, "late.example.org", dns.TypeA, true); r.Rcode != dns.RcodeNameError &&
		time.Since(asked) < w.Scaled(10800*time.Second) {
		t.Fatalf("right after the write: %s, want the cached NXDOMAIN", dns.RcodeToString[r.Rcode])
	}
	eventually(t, 5*time.Second, "the record", func() bool {
		return firstA(ask(t, resolver, "late.example.org", dns.TypeA, true)) == "203.0.113.40"
	})
	if waited := time.Since(asked); waited < w.Scaled(10800*time.Second) {
		t.Fatalf("the negative entry went after %v, before min(SOA TTL, MINIMUM)", waited)
	}
}

func TestResolverCapsNegativeCaching(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, nil)
	resolver := NewResolver(w, ResolverOptions{MaxNegativeTTL: 30 * time.Second}) // Cloudron's unbound
	r := resolver.Lookup("late.example.org", dns.TypeA)
	if soa := soaIn(r.Ns); soa == nil || soa.Hdr.Ttl != 30 {
		t.Fatalf("authority %v, want the SOA with the capped TTL 30", r.Ns)
	}
}

func TestResolversHaveTheirOwnCaches(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, nil) // nothing expires during the test
	first, second := NewResolver(w, ResolverOptions{Index: 0}), NewResolver(w, ResolverOptions{Index: 2})
	if r := first.Lookup("late.example.org", dns.TypeA); r.Rcode != dns.RcodeNameError {
		t.Fatalf("first resolver: %s, want NXDOMAIN", dns.RcodeToString[r.Rcode])
	}
	publish(t, w, "example.org", time.Now(), withRecord(world.RRSet{Name: "late", Type: "A", TTL: 300, Values: []string{"203.0.113.40"}}))
	if r := first.Lookup("late.example.org", dns.TypeA); r.Rcode != dns.RcodeNameError {
		t.Errorf("first resolver after the write: %s, want its cached NXDOMAIN", dns.RcodeToString[r.Rcode])
	}
	if got := firstA(second.Lookup("late.example.org", dns.TypeA)); got != "203.0.113.40" {
		t.Errorf("second resolver, never asked before: %q, want the new record", got)
	}
}

func TestResolverFollowsCNAMEsAcrossZones(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, func(d *world.Data) {
		other := &world.Domain{FQDN: "example.net", Records: []world.RRSet{
			{Name: "host", Type: "A", TTL: 600, Values: []string{"203.0.113.50"}}}}
		other.Publish(time.Now().Add(-time.Hour))
		d.Gandi.Domains = append(d.Gandi.Domains, other)
		d.Gandi.Domains[0].Records = withRecord(world.RRSet{Name: "web", Type: "CNAME", TTL: 3600, Values: []string{"host.example.net."}})
		d.Gandi.Domains[0].Publish(time.Now().Add(-time.Minute))
	})
	resolver := NewResolver(w, ResolverOptions{})
	tests := []struct {
		name  string
		rcode int
		want  []string
	}{
		{"web.example.org", dns.RcodeSuccess, []string{"host.example.net.", "203.0.113.50"}},
		{"www.example.org", dns.RcodeNameError, []string{"webredir.vip.gandi.net."}}, // no such name in the sandbox
	}
	for _, tt := range tests {
		r := resolver.Lookup(tt.name, dns.TypeA)
		if got := rdata(r.Answer); r.Rcode != tt.rcode || !slices.Equal(got, tt.want) {
			t.Errorf("%s: %s %q, want %s %q", tt.name, dns.RcodeToString[r.Rcode], got, dns.RcodeToString[tt.rcode], tt.want)
		}
	}
}

func TestResolverFailsForAZoneNotServedYet(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, func(d *world.Data) {
		d.Gandi.Domains = append(d.Gandi.Domains, &world.Domain{FQDN: "new.example"})
	})
	if r := NewResolver(w, ResolverOptions{}).Lookup("www.new.example", dns.TypeA); r.Rcode != dns.RcodeServerFailure {
		t.Fatalf("%s, want SERVFAIL (every authoritative server refuses)", dns.RcodeToString[r.Rcode])
	}
}

func TestResolverWithoutRDAnswersOnlyFromCache(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, nil)
	addr := serve(t, NewResolver(w, ResolverOptions{}))
	if r := ask(t, addr, "my.example.org", dns.TypeA, false); r.Rcode != dns.RcodeRefused {
		t.Fatalf("not cached, RD clear: %s, want REFUSED", dns.RcodeToString[r.Rcode])
	}
	ask(t, addr, "my.example.org", dns.TypeA, true)
	if r := ask(t, addr, "my.example.org", dns.TypeA, false); firstA(r) != "203.0.113.10" {
		t.Fatalf("cached, RD clear: %s %v, want the cached answer", dns.RcodeToString[r.Rcode], r.Answer)
	}
}
