package gandi

// The tests run the adapter against the Gandi simulator over TLS, reached
// at api.gandi.net through the sandbox network, exactly as the product does
// in sandbox mode. libdns/gandi sends with http.DefaultClient, so tests that
// may reach it swap http.DefaultTransport for the sandbox's (restored in
// Cleanup) and never run in parallel.

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/netx"
	simgandi "github.com/chapterctl/chapterctl/internal/sandbox/gandi"
	"github.com/chapterctl/chapterctl/internal/sandbox/simnet"
	"github.com/chapterctl/chapterctl/internal/sandbox/simnet/simnettest"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

const (
	testToken = "pat_chapterctl-test-0123456789"
	testZone  = "example.org"
)

// TestMain makes the default transport refuse every connection, so that a
// libdns/gandi call in a test that did not install the sandbox's transport
// fails here instead of looking up the real api.gandi.net.
func TestMain(m *testing.M) {
	http.DefaultTransport = &http.Transport{DialContext: refuseDial}
	os.Exit(m.Run())
}

func refuseDial(_ context.Context, network, address string) (net.Conn, error) {
	return nil, errors.New("test: no network outside the sandbox (" + network + " " + address + ")")
}

// env is a running Gandi simulator holding example.org with Gandi's default
// zone, and an adapter Client pointed at it.
type env struct {
	w       *world.World
	client  *Client
	net     *simnet.Net
	ca      *simnet.CA
	journal string
	hook    *requestHook
}

// newEnv starts the simulator; setup edits the world before it serves.
func newEnv(t *testing.T, setup ...func(d *world.Data)) *env {
	t.Helper()
	data := &world.Data{
		Schema: world.SchemaVersion, TimeScale: 0.001,
		Tokens: world.Tokens{Gandi: testToken},
		Gandi:  world.Gandi{Domains: []*world.Domain{simgandi.NewDomain(testZone, time.Now())}},
	}
	for _, fn := range setup {
		fn(data)
	}
	journalPath := filepath.Join(t.TempDir(), "journal.jsonl")
	journal, err := world.OpenJournal(journalPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { journal.Close() })
	w := world.New(data, "", world.Options{Journal: journal})
	hook := &requestHook{}
	n, ca := simnettest.Serve(t, hook.wrap(simgandi.New(w)), "api.gandi.net")

	e := &env{w: w, net: n, ca: ca, journal: journalPath, hook: hook}
	e.client = e.newClient(t, testToken)

	// libdns/gandi's way to the simulator (see the package comment).
	previous := http.DefaultTransport
	shared := netx.Transport(n, ca.Pool())
	http.DefaultTransport = shared
	t.Cleanup(func() {
		shared.CloseIdleConnections()
		http.DefaultTransport = previous
	})
	return e
}

// newClient is another adapter on the same simulator, with its own token.
func (e *env) newClient(t *testing.T, token string) *Client {
	c := New(token, e.net, e.ca.Pool())
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// requestHook runs a test's function before the simulator sees a request,
// until the function says it is done: to break a fault on a PUT rather
// than on the GET before it, or to play another writer at a chosen moment.
type requestHook struct {
	mu sync.Mutex
	fn func(r *http.Request) (done bool)
}

func (h *requestHook) set(fn func(r *http.Request) (done bool)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fn = fn
}

func (h *requestHook) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		if h.fn != nil && h.fn(r) {
			h.fn = nil
		}
		h.mu.Unlock()
		next.ServeHTTP(rw, r)
	})
}

// breakOn switches fault on for the first request with method.
func (e *env) breakOn(t *testing.T, method, fault string) {
	e.hook.set(func(r *http.Request) bool {
		if r.Method != method {
			return false
		}
		// Not breakFault: t.Fatal must not run on the server's goroutine.
		err := e.w.Update(context.Background(), "test.break", func(d *world.Data) error {
			d.Faults[fault] = "1"
			return nil
		})
		if err != nil {
			t.Error(err)
		}
		return true
	})
}

// breakFault switches a simulator fault on, for the next count requests.
func (e *env) breakFault(t *testing.T, name, count string) {
	t.Helper()
	err := e.w.Update(context.Background(), "test.break", func(d *world.Data) error {
		d.Faults[name] = count
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// records is example.org's zone as the world holds it.
func (e *env) records(t *testing.T) []RRSet {
	t.Helper()
	var out []RRSet
	e.w.Read(func(d *world.Data) {
		for _, rr := range d.DomainByFQDN(testZone).Records {
			out = append(out, RRSet{Name: rr.Name, Type: rr.Type, TTL: rr.TTL, Values: slices.Clone(rr.Values)})
		}
	})
	return out
}

// stored is one rrset of example.org as the world holds it (no values: absent).
func (e *env) stored(t *testing.T, name, typ string) RRSet {
	t.Helper()
	for _, rr := range e.records(t) {
		if rr.Name == name && rr.Type == typ {
			return rr
		}
	}
	return RRSet{Name: name, Type: typ}
}

// seed adds rrsets to example.org before the simulator serves.
func seed(rrs ...RRSet) func(d *world.Data) {
	return func(d *world.Data) {
		dom := d.DomainByFQDN(testZone)
		for _, rr := range rrs {
			dom.Records = slices.DeleteFunc(dom.Records, func(old world.RRSet) bool {
				return old.Name == rr.Name && old.Type == rr.Type
			})
			dom.Records = append(dom.Records, world.RRSet{Name: rr.Name, Type: rr.Type, TTL: rr.TTL, Values: rr.Values})
		}
		dom.Publish(time.Now())
	}
}

// requests reads the journal: every request the simulator received.
func (e *env) requests(t *testing.T) []world.Entry {
	t.Helper()
	all, err := world.ReadJournal(e.journal)
	if err != nil {
		t.Fatal(err)
	}
	var out []world.Entry
	for _, entry := range all {
		out = append(out, entry)
	}
	return out
}

// since is the requests after the first n.
func (e *env) since(t *testing.T, n int) []world.Entry {
	t.Helper()
	return e.requests(t)[n:]
}

// calls shows requests as "METHOD /path status", for assertions.
func calls(entries []world.Entry) []string {
	out := make([]string, len(entries))
	for i, entry := range entries {
		out[i] = entry.Method + " " + strings.TrimPrefix(entry.Path, "/v5/livedns/domains/example.org") +
			" " + strconv.Itoa(entry.Status)
	}
	return out
}

func count(entries []world.Entry, method string) int {
	n := 0
	for _, entry := range entries {
		if entry.Method == method {
			n++
		}
	}
	return n
}

// deadline is the test's context, bounded as the product bounds its calls.
func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}
