package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// BenchmarkRecordWriteToAuthoritativeAnswer measures a Gandi rrset PUT over
// HTTPS followed by the authoritative server's answer for it over UDP, at
// time scale 0 (so no propagation wait: the tool's own cost).
func BenchmarkRecordWriteToAuthoritativeAnswer(b *testing.B) {
	dir := workdir.Dir{Root: b.TempDir()}
	dir.Ensure()
	scale := 0.0
	if _, err := Create(dir, nil, "redrockdsa.org", time.Now()); err != nil {
		b.Fatal(err)
	}
	sb, err := Start(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	sb.World.Update(context.Background(), "", func(d *world.Data) error { d.TimeScale = scale; return nil })
	tok := sb.token(func(t world.Tokens) string { return t.Gandi })
	client := &http.Client{Transport: netx.Transport(sb.Dialer(), sb.RootCAs())}
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		ip := fmt.Sprintf("203.0.113.%d", 10+i%200)
		body := fmt.Sprintf(`{"rrset_ttl":300,"rrset_values":[%q]}`, ip)
		req, _ := http.NewRequest("PUT", "https://api.gandi.net/v5/livedns/domains/redrockdsa.org/records/chat/A", bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != 201 {
			b.Fatalf("PUT: %v %v", resp, err)
		}
		resp.Body.Close()
		conn, err := sb.Dialer().DialContext(ctx, "udp", "ns-203.gandi.net:53")
		if err != nil {
			b.Fatal(err)
		}
		m := new(dns.Msg)
		m.SetQuestion("chat.redrockdsa.org.", dns.TypeA)
		dc := &dns.Conn{Conn: conn}
		dc.WriteMsg(m)
		r, err := dc.ReadMsg()
		dc.Close()
		if err != nil || len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != ip {
			b.Fatalf("answer = %v, %v; want %s", r, err, ip)
		}
	}
}

// BenchmarkWorldMemory reports the heap one started sandbox world holds
// (every simulator listening, default world), as bytes/world.
func BenchmarkWorldMemory(b *testing.B) {
	var total uint64
	for b.Loop() {
		dir := workdir.Dir{Root: b.TempDir()}
		dir.Ensure()
		Create(dir, nil, "redrockdsa.org", time.Now())
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		sb, err := Start(context.Background(), dir)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		total += after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc)
		sb.Close()
	}
	b.ReportMetric(float64(total)/float64(b.N), "bytes/world")
}
