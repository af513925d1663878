package checks

import (
	"context"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/sandbox"
	"github.com/chapterctl/chapterctl/internal/sandbox/dnssim"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// BenchmarkVerifyRecords is one `dns verify` of a chapter's zone against
// the sandbox: the nameservers found from NS, then every record set (15:
// Gandi's defaults, the server and app names, DKIM and DMARC) asked of the
// authoritative server and the three public resolvers, over loopback UDP.
func BenchmarkVerifyRecords(b *testing.B) {
	const domain = "redrockdsa.org"
	dir := workdir.Dir{Root: b.TempDir()}
	if err := dir.Ensure(); err != nil {
		b.Fatal(err)
	}
	if _, err := sandbox.Create(dir, nil, domain, time.Now()); err != nil {
		b.Fatal(err)
	}
	sb, err := sandbox.Start(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sb.Close() })
	var sets []dnssim.PlainRRSet
	err = sb.World.Update(context.Background(), "", func(d *world.Data) error {
		dom := d.DomainByFQDN(domain)
		for _, name := range []string{"my", "matrix", "chat"} {
			dom.Records = append(dom.Records, world.RRSet{Name: name, Type: "A", TTL: 300, Values: []string{"203.0.113.10"}})
		}
		dom.Records = append(dom.Records,
			world.RRSet{Name: "cloudron._domainkey", Type: "TXT", TTL: 300, Values: []string{`"v=DKIM1; t=s; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"`}},
			world.RRSet{Name: "_dmarc", Type: "TXT", TTL: 300, Values: []string{`"v=DMARC1; p=reject; pct=100"`}})
		dom.Publish(time.Now().Add(-time.Second))
		sets = dnssim.PlainZone(d, domain)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	exps := make([]dnsq.Expectation, len(sets))
	for i, s := range sets {
		exps[i] = dnsq.Expectation{Name: s.Name, Type: dns.StringToType[s.Type], Values: s.Values}
	}
	q := &dnsq.Querier{Dialer: sb.Dialer()}
	for b.Loop() {
		verdicts, err := VerifyRecords(context.Background(), q, domain, exps, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range verdicts {
			if v.Result.Status != Pass {
				b.Fatalf("%s %s: %s", v.Name, v.Type, v.Result.Detail)
			}
		}
	}
	b.ReportMetric(float64(len(exps)), "records/op")
}
