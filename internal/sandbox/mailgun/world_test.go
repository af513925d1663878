package mailgun

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// A domain made by one chapterctl process is there for the next: the
// simulator keeps nothing but the rate window outside world.json.
func TestDomainOutlivesTheProcess(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "world.json")
	data := &world.Data{Schema: world.SchemaVersion, TimeScale: 0.001, Tokens: world.Tokens{Mailgun: testKey}}
	first := serveWorld(t, world.New(data, path, world.Options{}))
	first.createDomain(t, EUHost, "mg.example.org", nil)
	first.send(t, http.MethodPost, EUHost, "/v3/domains/mg.example.org/credentials",
		url.Values{"login": {"cloudron@mg.example.org"}, "password": {"relay-password"}}, multipartF)

	saved, err := world.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	second := serveWorld(t, world.New(saved, path, world.Options{}))
	got := second.send(t, http.MethodGet, EUHost, "/v4/domains/mg.example.org", nil, noBody)
	if got.status != http.StatusOK || domainState(t, got.json(t)) != "unverified" {
		t.Fatalf("GET in the next process: %d %s", got.status, got.body)
	}
	var err2 error
	second.w.Read(func(d *world.Data) { err2 = CheckLogin(d, SMTPHostEU, "cloudron@mg.example.org", "relay-password") })
	if err2 != nil {
		t.Errorf("login in the next process: %v", err2)
	}
}

func TestJournalNamesEachMutation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	journal, err := world.OpenJournal(filepath.Join(dir, "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, nil, world.Options{Journal: journal})
	const name = "mg.example.org"
	f.createDomain(t, USHost, name, nil)
	calls := []struct{ method, path string }{
		{http.MethodGet, "/v4/domains/" + name},
		{http.MethodPut, "/v4/domains/" + name + "/verify"},
		{http.MethodPost, "/v3/domains/" + name + "/credentials?login=a@" + name + "&password=secret123"},
		{http.MethodPut, "/v3/domains/" + name + "/tracking/open?active=false"},
		{http.MethodDelete, "/v3/domains/" + name},
	}
	for _, c := range calls {
		f.send(t, c.method, USHost, c.path, nil, noBody)
	}
	journal.Close()
	want := []struct {
		point    string
		mutating bool
	}{
		{"mailgun.domain.create", true}, {"", false}, {"mailgun.domain.verify", true},
		{"mailgun.credential.create", true}, {"mailgun.tracking.update", true}, {"mailgun.domain.delete", true},
	}
	entries := readEntries(t, filepath.Join(dir, "journal.jsonl"))
	if len(entries) != len(want) {
		t.Fatalf("%d journal lines, want %d: %+v", len(entries), len(want), entries)
	}
	for i, e := range entries {
		if e.Service != "mailgun" || e.Point != want[i].point || e.Mutating != want[i].mutating || e.Status != http.StatusOK {
			t.Errorf("line %d: %+v, want point %q mutating %v status 200", i+1, e, want[i].point, want[i].mutating)
		}
	}
}

func readEntries(t *testing.T, path string) []world.Entry {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var entries []world.Entry
	lines := bufio.NewScanner(file)
	for lines.Scan() {
		var e world.Entry
		if err := json.Unmarshal(lines.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	return entries
}
