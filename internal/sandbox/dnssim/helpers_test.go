package dnssim

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// dkimKey is a 4096-bit RSA key's base64, as long as a real one (736
// characters): one TXT string cannot hold it.
var dkimKey = "v=DKIM1; k=rsa; p=" + strings.Repeat("MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA", 17)[:736]

// zoneRecords is the chapter zone the tests serve, in Gandi's shape.
func zoneRecords() []world.RRSet {
	return []world.RRSet{
		{Name: "@", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}},
		{Name: "@", Type: "MX", TTL: 10800, Values: []string{"10 my.example.org."}},
		{Name: "@", Type: "TXT", TTL: 10800, Values: []string{`"v=spf1 a:my.example.org ~all"`}},
		{Name: "@", Type: "CAA", TTL: 10800, Values: []string{`0 issue "letsencrypt.org"`}},
		{Name: "my", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}},
		{Name: "my", Type: "AAAA", TTL: 300, Values: []string{"2001:db8::10"}},
		{Name: "chat", Type: "CNAME", TTL: 10800, Values: []string{"my"}}, // relative: my.example.org.
		{Name: "element", Type: "CNAME", TTL: 10800, Values: []string{"chat.example.org."}},
		{Name: "www", Type: "CNAME", TTL: 10800, Values: []string{"webredir.vip.gandi.net."}},
		{Name: "gone", Type: "CNAME", TTL: 10800, Values: []string{"nowhere.example.org."}},
		{Name: "_matrix-fed._tcp", Type: "SRV", TTL: 10800, Values: []string{"10 5 443 matrix.example.org."}},
		{Name: "cloudron._domainkey", Type: "TXT", TTL: 10800, Values: []string{`"` + dkimKey + `"`}},
		{Name: "split._domainkey", Type: "TXT", TTL: 10800, Values: []string{`"` + dkimKey[:255] + `" "` + dkimKey[255:] + `"`}},
		{Name: "*.apps", Type: "A", TTL: 300, Values: []string{"203.0.113.11"}},
	}
}

// newWorld is a world in memory holding example.org, published an hour
// ago, and whatever seed adds.
func newWorld(t testing.TB, scale float64, seed func(d *world.Data)) *world.World {
	t.Helper()
	dom := &world.Domain{FQDN: "example.org", Nameservers: []string{"ns-203.gandi.net", "ns-51.gandi.net", "ns-1.gandi.net"},
		Records: zoneRecords()}
	dom.Publish(time.Now().Add(-time.Hour))
	d := &world.Data{Schema: world.SchemaVersion, TimeScale: scale, Gandi: world.Gandi{Domains: []*world.Domain{dom}},
		Faults: map[string]string{}}
	if seed != nil {
		seed(d)
	}
	return world.New(d, "", world.Options{})
}

// publish makes records the zone of fqdn, served from at on.
func publish(t testing.TB, w *world.World, fqdn string, at time.Time, records []world.RRSet) {
	t.Helper()
	err := w.Update(context.Background(), "test.zone.publish", func(d *world.Data) error {
		dom := d.DomainByFQDN(fqdn)
		dom.Records = records
		dom.Publish(at)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// change edits the world as a test step.
func change(t testing.TB, w *world.World, fn func(d *world.Data)) {
	t.Helper()
	if err := w.Update(context.Background(), "test.change", func(d *world.Data) error { fn(d); return nil }); err != nil {
		t.Fatal(err)
	}
}

// withRecord is zoneRecords with one more rrset.
func withRecord(extra world.RRSet) []world.RRSet { return append(zoneRecords(), extra) }

// serve serves h on a loopback port for the test's life.
func serve(t testing.TB, h dns.Handler) string {
	t.Helper()
	addr, stop, err := Serve(h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return addr
}

// query asks addr over network ("udp" or "tcp") with the real client.
// rd is the RD bit; edns is the EDNS0 buffer size offered (0: no EDNS0).
func query(t testing.TB, addr, network, name string, qtype uint16, rd bool, edns uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg).SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = rd
	if edns > 0 {
		m.SetEdns0(edns, false)
	}
	c := &dns.Client{Net: network, Timeout: 5 * time.Second}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("%s %s %s: %v", network, name, dns.TypeToString[qtype], err)
	}
	return r
}

// ask is query over UDP with EDNS0, the usual way.
func ask(t testing.TB, addr, name string, qtype uint16, rd bool) *dns.Msg {
	t.Helper()
	return query(t, addr, "udp", name, qtype, rd, 1232)
}

// rdata is each answer record's data, without its header.
func rdata(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		out = append(out, strings.TrimPrefix(rr.String(), rr.Header().String()))
	}
	return out
}

// firstA is the address of the first A record of an answer, or "".
func firstA(m *dns.Msg) string {
	for _, rr := range m.Answer {
		if a, ok := rr.(*dns.A); ok {
			return a.A.String()
		}
	}
	return ""
}

// eventually waits, polling every millisecond, until cond holds.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: still not %s", within, what)
		}
		time.Sleep(time.Millisecond)
	}
}
