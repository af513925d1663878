package dnsplan

import (
	"fmt"
	"testing"

	"github.com/chapterctl/chapterctl/internal/gandi"
)

// BenchmarkDiff plans a chapter's records against a busy zone (Gandi's
// defaults plus 200 other people's record sets): the cost of a plan
// without its network round trips.
func BenchmarkDiff(b *testing.B) {
	zone := gandiZone()
	for i := range 200 {
		zone = append(zone, gandi.RRSet{Name: fmt.Sprintf("host%d", i), Type: "TXT", TTL: 3600,
			Values: []string{fmt.Sprintf(`"site-verification=%d"`, i)}})
	}
	in := chapterInputs("v=DKIM1; t=s; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtcKBQU31arxlhi9qRSIiJc8VHxJvZp7ekko3uGYNV2f")
	wants, err := Wants(in)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Diff(domain, zone, wants, Policy{})
	}
}
