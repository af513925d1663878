package dnssim

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestQueriesAreJournaled(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	journal, err := world.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer journal.Close()
	w := newWorld(t, 1, nil)
	w = world.New(readData(w), "", world.Options{Journal: journal})
	addr := serve(t, NewAuthoritative(w))
	ask(t, addr, "my.example.org", dns.TypeA, false)
	query(t, addr, "tcp", "nope.example.org", dns.TypeTXT, false, 0)

	all, err := world.ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []world.Entry
	for _, e := range all {
		e.Time = time.Time{}
		got = append(got, e)
	}
	want := []world.Entry{
		{Service: "dns", Method: "A", Path: "my.example.org.", Status: dns.RcodeSuccess},
		{Service: "dns", Method: "TXT", Path: "nope.example.org.", Status: dns.RcodeNameError},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("journal %+v, want %+v", got, want)
	}
}

// readData takes the data out of a test world, to build another on it.
func readData(w *world.World) *world.Data {
	var data *world.Data
	w.Read(func(d *world.Data) { data = d })
	return data
}

func TestServeStopsBothTransports(t *testing.T) {
	t.Parallel()
	addr, stop, err := Serve(NewAuthoritative(newWorld(t, 1, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, network := range []string{"udp", "tcp"} {
		if r := query(t, addr, network, "example.org", dns.TypeA, false, 0); firstA(r) != "203.0.113.10" {
			t.Fatalf("%s before stop: %v", network, r.Answer)
		}
	}
	stop()
	stop() // twice is harmless
	m := new(dns.Msg).SetQuestion("example.org.", dns.TypeA)
	if _, _, err := (&dns.Client{Net: "tcp", Timeout: time.Second}).Exchange(m, addr); err == nil {
		t.Fatal("TCP still answers after stop")
	}
}
