package gandi

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

func TestWritesReachTheDNSServersAfterPropagation(t *testing.T) {
	t.Parallel()
	t0 := time.Now().Add(time.Hour)
	s := newSimWith(t, simConfig{wopts: world.Options{Clock: fixedClock(t0)}})
	s.call(t, "PUT", "domains/example.org/records/my/A", `{"rrset_values":["203.0.113.10"]}`).expect(t, 201)
	due := t0.Add(2 * time.Millisecond) // 2 s simulated at time scale 0.001
	s.domain(func(dom *world.Domain) {
		before, _ := dom.ServedAt(due.Add(-time.Nanosecond))
		after, _ := dom.ServedAt(due)
		if indexOf(before, "my", "A") >= 0 {
			t.Error("the DNS servers answer with the change before it propagated")
		}
		if indexOf(after, "my", "A") < 0 {
			t.Error("the DNS servers do not answer with the change once propagated")
		}
	})
}

func TestEachWriteIsOneNamedMutationInTheJournal(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	journal, err := world.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer journal.Close()
	data := &world.Data{Schema: world.SchemaVersion, Tokens: world.Tokens{Gandi: testToken},
		Gandi: world.Gandi{Domains: []*world.Domain{NewDomain(testZone, time.Now())}}}
	h := New(world.New(data, "", world.Options{Journal: journal}))
	send := func(method, path, body string) {
		req := httptest.NewRequest(method, "https://api.gandi.net/v5/livedns/domains/example.org/"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	send("GET", "records/@/A", "")
	send("PUT", "records/my/A", `{"rrset_values":["203.0.113.10"]}`)
	send("PUT", "records/my/A", `{"rrset_values":["not an address"]}`)
	send("DELETE", "records/my/A", "")

	want := []world.Entry{
		{Service: "gandi", Method: "GET", Path: "/v5/livedns/domains/example.org/records/@/A", Status: http.StatusOK},
		{Service: "gandi", Method: "PUT", Status: http.StatusCreated, Mutating: true, Point: "gandi.rrset.put"},
		{Service: "gandi", Method: "PUT", Status: http.StatusBadRequest},
		{Service: "gandi", Method: "DELETE", Status: http.StatusNoContent, Mutating: true, Point: "gandi.rrset.delete"},
	}
	all, err := world.ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []world.Entry
	for _, e := range all {
		got = append(got, e)
	}
	if len(got) != len(want) {
		t.Fatalf("%d journal lines, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Service != w.Service || g.Method != w.Method || g.Status != w.Status || g.Mutating != w.Mutating ||
			g.Point != w.Point || (w.Path != "" && g.Path != w.Path) {
			t.Errorf("line %d = %+v, want %+v", i, g, w)
		}
	}
}
