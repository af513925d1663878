package dnssim

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestAuthoritativeAnswersEachType(t *testing.T) {
	t.Parallel()
	addr := serve(t, NewAuthoritative(newWorld(t, 0.001, nil)))
	tests := []struct {
		name  string
		qtype uint16
		want  []string
		ttl   uint32
	}{
		{"example.org", dns.TypeA, []string{"203.0.113.10"}, 300},
		{"my.example.org", dns.TypeAAAA, []string{"2001:db8::10"}, 300},
		{"example.org", dns.TypeMX, []string{"10 my.example.org."}, 10800},
		{"example.org", dns.TypeTXT, []string{`"v=spf1 a:my.example.org ~all"`}, 10800},
		{"example.org", dns.TypeCAA, []string{`0 issue "letsencrypt.org"`}, 10800},
		{"_matrix-fed._tcp.example.org", dns.TypeSRV, []string{"10 5 443 matrix.example.org."}, 10800},
		{"example.org", dns.TypeNS, []string{"ns-203.gandi.net.", "ns-51.gandi.net.", "ns-1.gandi.net."}, 10800},
		{"chat.example.org", dns.TypeCNAME, []string{"my.example.org."}, 10800},
		{"x.apps.example.org", dns.TypeA, []string{"203.0.113.11"}, 300}, // wildcard
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+dns.TypeToString[tt.qtype], func(t *testing.T) {
			r := ask(t, addr, tt.name, tt.qtype, false)
			if r.Rcode != dns.RcodeSuccess || !r.Authoritative || r.RecursionAvailable {
				t.Fatalf("rcode %s aa=%v ra=%v, want NOERROR, authoritative, no recursion", dns.RcodeToString[r.Rcode], r.Authoritative, r.RecursionAvailable)
			}
			if got := rdata(r.Answer); !slices.Equal(got, tt.want) {
				t.Fatalf("answer %q, want %q", got, tt.want)
			}
			if r.Answer[0].Header().Ttl != tt.ttl || r.Answer[0].Header().Name != dns.Fqdn(tt.name) {
				t.Errorf("header %s, want owner %s and TTL %d", r.Answer[0].Header(), dns.Fqdn(tt.name), tt.ttl)
			}
		})
	}
}

func TestAuthoritativeSynthesisesGandiSOA(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0.001, nil)
	addr := serve(t, NewAuthoritative(w))
	first := ask(t, addr, "example.org", dns.TypeSOA, false).Answer[0].(*dns.SOA)
	if first.Ns != "ns1.gandi.net." || first.Mbox != "hostmaster.gandi.net." || first.Minttl != 10800 ||
		first.Refresh != 10800 || first.Retry != 3600 || first.Expire != 604800 || first.Hdr.Ttl != 10800 {
		t.Fatalf("SOA %s, want Gandi's", first)
	}
	publish(t, w, "example.org", time.Now(), withRecord(world.RRSet{Name: "new", Type: "A", TTL: 300, Values: []string{"203.0.113.12"}}))
	second := ask(t, addr, "example.org", dns.TypeSOA, false).Answer[0].(*dns.SOA)
	if int32(second.Serial-first.Serial) <= 0 {
		t.Fatalf("serial %d after a new version, was %d: want it to grow", second.Serial, first.Serial)
	}
}

func TestAuthoritativeSplitsLongTXTIntoStrings(t *testing.T) {
	t.Parallel()
	addr := serve(t, NewAuthoritative(newWorld(t, 0.001, nil)))
	for _, name := range []string{"cloudron._domainkey.example.org", "split._domainkey.example.org"} {
		r := query(t, addr, "tcp", name, dns.TypeTXT, false, 0)
		if len(r.Answer) != 1 {
			t.Fatalf("%s: %d records, want one (one DKIM key is one record)", name, len(r.Answer))
		}
		strs := r.Answer[0].(*dns.TXT).Txt
		for _, s := range strs {
			if len(s) > 255 {
				t.Errorf("%s: a string of %d bytes", name, len(s))
			}
		}
		if len(strs) != 3 || strings.Join(strs, "") != dkimKey {
			t.Errorf("%s: %d strings joining to %d bytes, want 3 joining to the %d-byte key", name, len(strs), len(strings.Join(strs, "")), len(dkimKey))
		}
	}
	// A two-string Gandi value keeps its own split.
	r := query(t, addr, "tcp", "split._domainkey.example.org", dns.TypeTXT, false, 0)
	if got := r.Answer[0].(*dns.TXT).Txt; got[0] != dkimKey[:255] {
		t.Errorf("first string %q, want Gandi's first string", got[0])
	}
}

func TestAuthoritativeTellsNXDOMAINFromNODATA(t *testing.T) {
	t.Parallel()
	addr := serve(t, NewAuthoritative(newWorld(t, 0.001, nil)))
	tests := []struct {
		name  string
		qtype uint16
		rcode int
	}{
		{"nope.example.org", dns.TypeA, dns.RcodeNameError},
		{"example.org", dns.TypeAAAA, dns.RcodeSuccess},                  // the name has records, not this type
		{"_domainkey.example.org", dns.TypeTXT, dns.RcodeSuccess},        // an empty non-terminal
		{"deep.my.example.org", dns.TypeA, dns.RcodeNameError},           // below a name, nothing
		{"gone.example.org", dns.TypeA, dns.RcodeNameError},              // a CNAME to nothing in the zone
		{"_matrix._tcp.example.org", dns.TypeSRV, dns.RcodeNameError},    // beside an existing name
		{"apps.example.org", dns.TypeA, dns.RcodeSuccess},                // the wildcard's parent exists
		{"_matrix-fed._tcp.example.org", dns.TypeA, dns.RcodeSuccess},    // NODATA, the SRV is there
		{"x.y.apps.example.org", dns.TypeMX, dns.RcodeSuccess},           // wildcard name, no MX
		{"unknown.example.org", dns.TypeCNAME, dns.RcodeNameError},       // CNAME asked of nothing
		{"my.example.org", dns.TypeTXT, dns.RcodeSuccess},                // NODATA
		{"chat.example.org", dns.TypeTXT, dns.RcodeSuccess},              // NODATA at the chain's end
		{"element.example.org", dns.TypeMX, dns.RcodeSuccess},            // two hops, then NODATA
		{"cloudron._domainkey.example.org", dns.TypeA, dns.RcodeSuccess}, // NODATA
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+dns.TypeToString[tt.qtype], func(t *testing.T) {
			r := ask(t, addr, tt.name, tt.qtype, false)
			if r.Rcode != tt.rcode || !r.Authoritative {
				t.Fatalf("rcode %s aa=%v, want %s and authoritative", dns.RcodeToString[r.Rcode], r.Authoritative, dns.RcodeToString[tt.rcode])
			}
			if hasAnswer(r, tt.qtype) {
				t.Fatalf("answer %v, want none of the type asked", r.Answer)
			}
			soa := soaIn(r.Ns)
			if soa == nil || soa.Hdr.Name != "example.org." || soa.Hdr.Ttl != 10800 || soa.Minttl != 10800 {
				t.Fatalf("authority %v, want the zone's SOA with TTL min(10800, 10800)", r.Ns)
			}
		})
	}
}

func TestAuthoritativeFollowsCNAMEChainInsideZone(t *testing.T) {
	t.Parallel()
	addr := serve(t, NewAuthoritative(newWorld(t, 0.001, nil)))
	tests := []struct {
		name  string
		rcode int
		want  []string
	}{
		{"element.example.org", dns.RcodeSuccess, []string{"chat.example.org.", "my.example.org.", "203.0.113.10"}},
		{"www.example.org", dns.RcodeSuccess, []string{"webredir.vip.gandi.net."}}, // leaves the zone: the resolver's work
		{"gone.example.org", dns.RcodeNameError, []string{"nowhere.example.org."}},
	}
	for _, tt := range tests {
		r := ask(t, addr, tt.name, dns.TypeA, false)
		if got := rdata(r.Answer); r.Rcode != tt.rcode || !slices.Equal(got, tt.want) {
			t.Errorf("%s: %s %q, want %s %q", tt.name, dns.RcodeToString[r.Rcode], got, dns.RcodeToString[tt.rcode], tt.want)
		}
	}
}

func TestAuthoritativeRefusesWhatItDoesNotServe(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0.001, func(d *world.Data) {
		// Registered, not published yet: not delegated to LiveDNS.
		d.Gandi.Domains = append(d.Gandi.Domains, &world.Domain{FQDN: "new.example",
			Records: []world.RRSet{{Name: "@", Type: "A", TTL: 300, Values: []string{"203.0.113.30"}}}})
	})
	addr := serve(t, NewAuthoritative(w))
	for _, name := range []string{"example.com", "org", "new.example", "www.new.example", "8.8.8.8.in-addr.arpa"} {
		if r := ask(t, addr, name, dns.TypeA, false); r.Rcode != dns.RcodeRefused || len(r.Answer) != 0 {
			t.Errorf("%s: %s %v, want REFUSED", name, dns.RcodeToString[r.Rcode], r.Answer)
		}
	}
	if r := query(t, addr, "tcp", "example.org", dns.TypeAXFR, false, 0); r.Rcode != dns.RcodeRefused {
		t.Errorf("AXFR: %s, want REFUSED", dns.RcodeToString[r.Rcode])
	}
}

func TestAuthoritativeTruncatesUDPAndServesTCPInFull(t *testing.T) {
	t.Parallel()
	addr := serve(t, NewAuthoritative(newWorld(t, 0.001, nil)))
	const name = "cloudron._domainkey.example.org"

	plain := query(t, addr, "udp", name, dns.TypeTXT, false, 0)
	if !plain.Truncated || len(plain.Answer) != 0 {
		t.Fatalf("UDP without EDNS0: tc=%v with %d records, want TC and the record left out (it needs more than 512 bytes)",
			plain.Truncated, len(plain.Answer))
	}
	full := query(t, addr, "tcp", name, dns.TypeTXT, false, 0)
	if full.Truncated || len(full.Answer) != 1 {
		t.Fatalf("TCP on the same port: tc=%v with %d records, want the whole answer", full.Truncated, len(full.Answer))
	}
	edns := query(t, addr, "udp", name, dns.TypeTXT, false, 1232)
	if edns.Truncated || len(edns.Answer) != 1 || edns.IsEdns0() == nil {
		t.Fatalf("UDP with a 1232-byte EDNS0 buffer: tc=%v, %d records, opt %v; want it whole, with an OPT",
			edns.Truncated, len(edns.Answer), edns.IsEdns0())
	}
}

func TestAuthoritativeRefusesUnknownEDNSVersion(t *testing.T) {
	t.Parallel()
	addr := serve(t, NewAuthoritative(newWorld(t, 0.001, nil)))
	m := new(dns.Msg).SetQuestion("example.org.", dns.TypeA)
	m.SetEdns0(1232, false)
	m.IsEdns0().SetVersion(1)
	r, _, err := (&dns.Client{Timeout: 5 * time.Second}).Exchange(m, addr)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rcode != dns.RcodeBadVers {
		t.Fatalf("rcode %s, want BADVERS (RFC 6891)", dns.RcodeToString[r.Rcode])
	}
}

func TestAuthoritativeServesOnlyPublishedVersions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0.05, nil)
	addr := serve(t, NewAuthoritative(w))
	at := w.After(2 * time.Second) // Gandi's write-to-servers delay, 100 ms here
	publish(t, w, "example.org", at, withRecord(world.RRSet{Name: "late", Type: "A", TTL: 300, Values: []string{"203.0.113.40"}}))

	r := ask(t, addr, "late.example.org", dns.TypeA, false)
	if !time.Now().Before(at) {
		t.Fatal("the machine is too slow for this test: 100 ms passed before the first answer")
	}
	if r.Rcode != dns.RcodeNameError {
		t.Fatalf("before publication: %s, want NXDOMAIN", dns.RcodeToString[r.Rcode])
	}
	eventually(t, 5*time.Second, "published", func() bool {
		return firstA(ask(t, addr, "late.example.org", dns.TypeA, false)) == "203.0.113.40"
	})
	if time.Now().Before(at) {
		t.Fatal("answered before the version's publication time")
	}
}
