package dnsq_test

import (
	"context"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// BenchmarkVerifyTwelveRecords verifies a chapter zone's twelve records at
// one authoritative server and three resolvers, each answer held back
// 50 ms by the world's latency fault. Asked concurrently, one Verify costs
// about two round trips (100 ms), not the 48 questions' sum (2.4 s).
func BenchmarkVerifyTwelveRecords(b *testing.B) {
	s := newSim(b, 0.001, nil)
	s.fault(b, world.Latency, "50ms")
	q := s.querier(time.Second)
	exps := twelveRecords()
	ctx := context.Background()
	for b.Loop() {
		for _, r := range q.Verify(ctx, []string{authServer}, nil, exps, time.Now()) {
			if !r.Propagated() {
				b.Fatalf("%s not propagated: wrong at %q, stale %q, unanswered %q", r.Expectation.Name, r.WrongAt, r.Stale, r.Unanswered)
			}
		}
	}
}
