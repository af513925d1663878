package gandi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// BenchmarkRecordWrite measures one PUT of one rrset through the whole
// handler (faults, authentication, validation, the world's Update,
// automatic snapshot and publication), with the world in memory.
func BenchmarkRecordWrite(b *testing.B) {
	data := &world.Data{Schema: world.SchemaVersion, TimeScale: 0, Tokens: world.Tokens{Gandi: testToken},
		Gandi: world.Gandi{Domains: []*world.Domain{NewDomain(testZone, time.Now())}}}
	h := New(world.New(data, "", world.Options{}))
	const body = `{"rrset_ttl":300,"rrset_values":["203.0.113.10","203.0.113.11"]}`
	for b.Loop() {
		req := httptest.NewRequest("PUT", "https://api.gandi.net/v5/livedns/domains/example.org/records/my/A", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("PUT: %d %s", rec.Code, rec.Body)
		}
	}
}
