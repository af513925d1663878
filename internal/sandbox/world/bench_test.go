package world

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// worldWithRecords is a world whose one zone has n record sets.
func worldWithRecords(n int) *Data {
	dom := &Domain{FQDN: "redrockdsa.org", Nameservers: []string{"ns-203.gandi.net"}}
	for i := range n {
		dom.Records = append(dom.Records, RRSet{Name: fmt.Sprintf("host%d", i), Type: "A", TTL: 300, Values: []string{"203.0.113.10"}})
	}
	dom.Publish(time.Now())
	return &Data{Schema: SchemaVersion, TimeScale: 0.001, Gandi: Gandi{Domains: []*Domain{dom}}}
}

func BenchmarkWorldSaveHundredRecords(b *testing.B) {
	w := New(worldWithRecords(100), filepath.Join(b.TempDir(), "world.json"), Options{})
	ctx := context.Background()
	for b.Loop() {
		if err := w.Update(ctx, "bench.touch", func(d *Data) error { d.Next("bench"); return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWorldLoadHundredRecords(b *testing.B) {
	path := filepath.Join(b.TempDir(), "world.json")
	if err := New(worldWithRecords(100), path, Options{}).Save(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}
