package world

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"
)

func newTestWorld(t *testing.T) (*World, string, *[]string) {
	t.Helper()
	dir := t.TempDir()
	journal, err := OpenJournal(filepath.Join(dir, "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { journal.Close() })
	crashes := &[]string{}
	w := New(&Data{Schema: SchemaVersion, TimeScale: 0.001}, filepath.Join(dir, "world.json"),
		Options{Journal: journal, Crash: func(p string) { *crashes = append(*crashes, p) }})
	return w, dir, crashes
}

func readJournal(t *testing.T, dir string) []Entry {
	t.Helper()
	all, err := ReadJournal(filepath.Join(dir, "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []Entry
	for _, e := range all {
		entries = append(entries, e)
	}
	return entries
}

func TestUpdateSavesAndJournalsMutations(t *testing.T) {
	w, dir, _ := newTestWorld(t)
	h := w.Journaled("digitalocean", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.Update(r.Context(), "digitalocean.tag.create", func(d *Data) error {
				d.DigitalOcean.Tags = append(d.DigitalOcean.Tags, "chapterctl:abc")
				return nil
			})
			rw.WriteHeader(http.StatusCreated)
			return
		}
		w.Read(func(d *Data) {})
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/v2/tags", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/v2/tags", nil))

	entries := readJournal(t, dir)
	if len(entries) != 2 {
		t.Fatalf("journal has %d lines, want 2", len(entries))
	}
	if entries[0].Mutating || entries[0].Status != 200 || entries[0].Path != "/v2/tags" {
		t.Errorf("GET line = %+v", entries[0])
	}
	if !entries[1].Mutating || entries[1].Status != 201 || entries[1].Point != "digitalocean.tag.create" {
		t.Errorf("POST line = %+v", entries[1])
	}
	saved, err := Load(filepath.Join(dir, "world.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.DigitalOcean.Tags) != 1 {
		t.Errorf("world.json was not saved with the change: %+v", saved.DigitalOcean)
	}
}

func TestFailedUpdateIsNotAMutation(t *testing.T) {
	w, _, _ := newTestWorld(t)
	ctx, rec := WithRequest(context.Background(), "gandi", "PUT", "/x")
	err := w.Update(ctx, "gandi.rrset.put", func(*Data) error { return errors.New("400") })
	if err == nil || rec.Mutating {
		t.Fatalf("err %v, mutating %v", err, rec.Mutating)
	}
}

func TestCrashAtFiresOnceAtTheNamedOccurrence(t *testing.T) {
	w, dir, crashes := newTestWorld(t)
	w.Update(context.Background(), "setup", func(d *Data) error {
		d.Faults[CrashAt] = "gandi.rrset.put#2"
		return nil
	})
	put := func() {
		ctx, rec := WithRequest(context.Background(), "gandi", "PUT", "/records/@/A")
		w.Update(ctx, "gandi.rrset.put", func(d *Data) error { d.Next("puts"); return nil })
		_ = rec
	}
	put()
	if len(*crashes) != 0 {
		t.Fatal("crashed at the first occurrence")
	}
	put()
	if len(*crashes) != 1 || (*crashes)[0] != "gandi.rrset.put" {
		t.Fatalf("crashes = %v", *crashes)
	}
	put()
	if len(*crashes) != 1 {
		t.Fatal("crash-at fired twice")
	}
	saved, _ := Load(filepath.Join(dir, "world.json"))
	if _, still := saved.Faults[CrashAt]; still || saved.Counters["puts"] != 3 {
		t.Errorf("saved world: faults %v counters %v", saved.Faults, saved.Counters)
	}
	// The crashed request's line is in the journal, status 0.
	entries := readJournal(t, dir)
	if len(entries) != 1 || entries[0].Status != 0 || !entries[0].Mutating {
		t.Errorf("journal = %+v", entries)
	}
}

func TestScaledClock(t *testing.T) {
	w, _, _ := newTestWorld(t)
	if got := w.Scaled(600 * time.Second); got != 600*time.Millisecond {
		t.Errorf("Scaled(600s) = %s at scale 0.001", got)
	}
	if got := w.Unscaled(10 * time.Millisecond); got != 10*time.Second {
		t.Errorf("Unscaled(10ms) = %s", got)
	}
}

func TestPublishedVersionsFollowTheClock(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	dom := &Domain{FQDN: "example.org", Records: []RRSet{{Name: "@", Type: "A", TTL: 300, Values: []string{"192.0.2.1"}}}}
	if _, ok := dom.ServedAt(t0); ok {
		t.Fatal("an unpublished zone is served")
	}
	dom.Publish(t0)
	dom.Records[0].Values = []string{"203.0.113.10"}
	dom.Publish(t0.Add(2 * time.Second))
	old, _ := dom.ServedAt(t0.Add(time.Second))
	now, _ := dom.ServedAt(t0.Add(3 * time.Second))
	if old[0].Values[0] != "192.0.2.1" || now[0].Values[0] != "203.0.113.10" {
		t.Fatalf("served %v then %v", old, now)
	}
	for range 10 {
		dom.Publish(t0.Add(5 * time.Second))
	}
	if len(dom.Published) > 3 {
		t.Errorf("published history grows without bound: %d", len(dom.Published))
	}
}

func TestResetConnectionIsJournaledWithoutAStatus(t *testing.T) {
	w, dir, _ := newTestWorld(t)
	srv := httptest.NewServer(w.Journaled("gandi", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		ResetConnection(rw, r)
	})))
	defer srv.Close()
	if resp, err := http.Get(srv.URL + "/v5/livedns/domains"); err == nil {
		resp.Body.Close()
		t.Fatal("a reset connection delivered an answer")
	}
	entries := readJournal(t, dir)
	if len(entries) != 1 || entries[0].Status != 0 {
		t.Fatalf("journal = %+v, want one line with status 0", entries)
	}
}
