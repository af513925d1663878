package dnsq_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/sandbox/dnssim"
	"github.com/chapterctl/chapterctl/internal/sandbox/simnet"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// The production addresses the tests ask: Gandi's LiveDNS servers all
// resolve to 192.0.2.53 in the sandbox, and the public resolvers keep
// their real addresses. Only the simnet routes make them loopback.
const authServer = "192.0.2.53:53"

var (
	resolver1, resolver2, resolver3 = "1.1.1.1:53", "8.8.8.8:53", "9.9.9.9:53"
	publicResolvers                 = []string{resolver1, resolver2, resolver3}
)

// dkimKey is as long as a 4096-bit RSA key's base64 (736 characters): one
// TXT string cannot hold it.
func dkimKey(variant string) string {
	return "v=DKIM1; k=rsa; p=" + (variant + strings.Repeat("MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA", 17))[:736]
}

// zoneRecords is the chapter zone, in Gandi's shape.
func zoneRecords() []world.RRSet {
	return []world.RRSet{
		{Name: "@", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}},
		{Name: "@", Type: "MX", TTL: 10800, Values: []string{"10 my.example.org."}},
		{Name: "@", Type: "TXT", TTL: 10800, Values: []string{`"v=spf1 a:my.example.org ~all"`, `"google-site-verification=abc"`}},
		{Name: "@", Type: "CAA", TTL: 10800, Values: []string{`0 issue "letsencrypt.org"`}},
		{Name: "my", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}},
		{Name: "my", Type: "AAAA", TTL: 300, Values: []string{"2001:db8::10"}},
		{Name: "chat", Type: "CNAME", TTL: 10800, Values: []string{"my"}},
		{Name: "www", Type: "CNAME", TTL: 10800, Values: []string{"webredir.vip.gandi.net."}},
		{Name: "_matrix-fed._tcp", Type: "SRV", TTL: 10800, Values: []string{"10 5 443 matrix.example.org."}},
		{Name: "_dmarc", Type: "TXT", TTL: 10800, Values: []string{`"v=DMARC1; p=quarantine"`}},
		{Name: "split._domainkey", Type: "TXT", TTL: 10800, Values: []string{`"` + dkimKey("")[:255] + `" "` + dkimKey("")[255:] + `"`}},
		// Three keys: together well over 1232 bytes, so UDP truncates.
		{Name: "big._domainkey", Type: "TXT", TTL: 10800, Values: []string{`"` + dkimKey("A") + `"`, `"` + dkimKey("B") + `"`, `"` + dkimKey("C") + `"`}},
	}
}

// sim is a simulated world's DNS on loopback: the authoritative servers and
// the three public resolvers, reachable under their real addresses only
// through net.
type sim struct {
	w       *world.World
	net     *simnet.Net
	journal string
}

// newSim serves example.org (published an hour ago, with the droplet
// my.example.org at 203.0.113.10 for its PTR) at time scale scale; seed
// changes the world before it starts.
func newSim(t testing.TB, scale float64, seed func(d *world.Data)) *sim {
	t.Helper()
	dom := &world.Domain{FQDN: "example.org", Records: zoneRecords()}
	dom.Publish(time.Now().Add(-time.Hour))
	d := &world.Data{Schema: world.SchemaVersion, TimeScale: scale,
		Gandi:        world.Gandi{Domains: []*world.Domain{dom}},
		DigitalOcean: world.DigitalOcean{Droplets: []*world.Droplet{{ID: 1, Name: "my.example.org", PublicIPv4: "203.0.113.10"}}},
		Faults:       map[string]string{}}
	if seed != nil {
		seed(d)
	}
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	journal, err := world.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { journal.Close() }) // registered first: runs after the servers stop
	s := &sim{w: world.New(d, "", world.Options{Journal: journal}), net: simnet.NewNet(), journal: path}

	s.serve(t, dnssim.NewAuthoritative(s.w), authServer, "[2001:db8::53]:53")
	for i, r := range publicResolvers {
		s.serve(t, dnssim.NewResolver(s.w, dnssim.ResolverOptions{Index: i}), r)
	}
	return s
}

func (s *sim) serve(t testing.TB, h dns.Handler, addresses ...string) {
	t.Helper()
	addr, stop, err := dnssim.Serve(h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	for _, a := range addresses {
		s.net.Route("udp", a, addr)
		s.net.Route("tcp", a, addr)
	}
}

// querier asks through the simulated network only.
func (s *sim) querier(timeout time.Duration) *dnsq.Querier {
	return &dnsq.Querier{Dialer: s.net, Timeout: timeout, Resolvers: publicResolvers}
}

// publish makes records the zone, served by the authoritative servers
// from at on.
func (s *sim) publish(t testing.TB, at time.Time, records []world.RRSet) {
	t.Helper()
	s.change(t, func(d *world.Data) {
		dom := d.DomainByFQDN("example.org")
		dom.Records = records
		dom.Publish(at)
	})
}

// fault switches a fault on with param.
func (s *sim) fault(t testing.TB, name, param string) {
	t.Helper()
	s.change(t, func(d *world.Data) { d.Faults[name] = param })
}

func (s *sim) change(t testing.TB, fn func(d *world.Data)) {
	t.Helper()
	if err := s.w.Update(context.Background(), "test.change", func(d *world.Data) error { fn(d); return nil }); err != nil {
		t.Fatal(err)
	}
}

// queriesFor are the journal's lines for questions about name. The
// resolver stand-ins resolve in-process, unjournaled, so every line is a
// query the Querier sent; each server writes its line before it answers.
func (s *sim) queriesFor(t testing.TB, name string) []world.Entry {
	t.Helper()
	all, err := world.ReadJournal(s.journal)
	if err != nil {
		t.Fatal(err)
	}
	var out []world.Entry
	for _, e := range all {
		if e.Service == "dns" && strings.EqualFold(e.Path, dns.Fqdn(name)) {
			out = append(out, e)
		}
	}
	return out
}

// withRecord is zoneRecords with one more rrset.
func withRecord(extra world.RRSet) []world.RRSet { return append(zoneRecords(), extra) }

// within fails the test unless got is in [want-slack, want].
func within(t testing.TB, what string, got, want, slack time.Duration) {
	t.Helper()
	if got > want || got < want-slack {
		t.Errorf("%s = %v, want %v (less at most %v)", what, got, want, slack)
	}
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
