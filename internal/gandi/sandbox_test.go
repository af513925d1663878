package gandi

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// The adapter in the assembled sandbox, wired as the product wires it: the
// sandbox's dialer and CA for the adapter, and http.DefaultTransport set
// once to the same for libdns/gandi.
func TestInTheAssembledSandbox(t *testing.T) {
	dir := workdir.Dir{Root: t.TempDir()}
	if err := dir.Ensure(); err != nil {
		t.Fatal(err)
	}
	if _, err := sandbox.Create(dir, nil, "redrockdsa.org", time.Now()); err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Start(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	previous := http.DefaultTransport
	http.DefaultTransport = netx.Transport(sb.Dialer(), sb.RootCAs())
	t.Cleanup(func() { http.DefaultTransport = previous })

	var token string
	sb.World.Read(func(d *world.Data) { token = d.Tokens.Gandi })
	c := New(token, sb.Dialer(), sb.RootCAs())
	t.Cleanup(c.CloseIdleConnections)
	ctx := deadline(t)

	dom, err := c.Domain(ctx, "redrockdsa.org")
	if err != nil || !dom.UsesLiveDNS {
		t.Fatalf("Domain = %+v, %v", dom, err)
	}
	backup, err := c.Backup(ctx, "redrockdsa.org", filepath.Join(dir.Root, ".chapterctl", "backups"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := os.ReadFile(backup); err != nil || !strings.Contains(string(raw), `"217.70.184.38"`) {
		t.Fatalf("backup %s: %v", backup, err)
	}
	for _, want := range []RRSet{
		{Name: "@", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}},  // replaces Gandi's parking
		{Name: "my", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}}, // new: libdns/gandi
	} {
		if err := c.PutRRSet(ctx, "redrockdsa.org", want, nil); err != nil {
			t.Fatal(err)
		}
	}
	journal, err := os.ReadFile(sandbox.JournalPath(dir))
	if err != nil || !strings.Contains(string(journal), `"method":"GET","path":"/v5/livedns/domains/redrockdsa.org","status":200`) {
		t.Errorf("the journal shows no domain GET by libdns/gandi (err %v)", err)
	}
	zone, err := c.Zone(ctx, "redrockdsa.org")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"@", "my"} {
		i := slices.IndexFunc(zone, func(rr RRSet) bool { return rr.Name == name && rr.Type == "A" })
		if i < 0 || !slices.Equal(zone[i].Values, []string{"203.0.113.10"}) {
			t.Errorf("%s A in the zone: %+v", name, zone)
		}
	}
}
