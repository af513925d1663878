package dnssim

import (
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// BenchmarkAuthoritativeAnswer is one UDP query of a record a Gandi write
// published (at time scale 0 the write is served at once).
func BenchmarkAuthoritativeAnswer(b *testing.B) {
	w := newWorld(b, 0, nil)
	publish(b, w, "example.org", w.After(2*time.Second), withRecord(world.RRSet{Name: "bench", Type: "A", TTL: 300, Values: []string{"203.0.113.70"}}))
	addr := serve(b, NewAuthoritative(w))
	client := &dns.Client{Timeout: 5 * time.Second}
	m := new(dns.Msg).SetQuestion("bench.example.org.", dns.TypeA)
	m.SetEdns0(1232, false)
	b.ReportAllocs()
	for b.Loop() {
		r, _, err := client.Exchange(m, addr)
		if err != nil || firstA(r) != "203.0.113.70" {
			b.Fatalf("%v %v", r, err)
		}
	}
}
