package gandi

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	libgandi "github.com/libdns/gandi"

	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox/simnet/simnettest"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

const (
	testToken = "pat_abc-123"
	testZone  = "example.org"
	apiRoot   = "https://api.gandi.net/v5/livedns/"
)

// sim is a running simulator over a world holding example.org with Gandi's
// default zone, reached at api.gandi.net through the sandbox network.
type sim struct {
	w         *world.World
	client    *http.Client
	transport *http.Transport
}

type simConfig struct {
	opts  Options
	setup func(d *world.Data)
	wopts world.Options
}

func newSim(t testing.TB) *sim { return newSimWith(t, simConfig{}) }

func newSimWith(t testing.TB, cfg simConfig) *sim {
	t.Helper()
	data := &world.Data{
		Schema: world.SchemaVersion, TimeScale: 0.001,
		Tokens: world.Tokens{Gandi: testToken},
		Gandi:  world.Gandi{Domains: []*world.Domain{NewDomain(testZone, time.Now())}},
	}
	if cfg.setup != nil {
		cfg.setup(data)
	}
	w := world.New(data, "", cfg.wopts)
	n, ca := simnettest.Serve(t, NewWithOptions(w, cfg.opts), "api.gandi.net")
	tr := netx.Transport(n, ca.Pool())
	t.Cleanup(tr.CloseIdleConnections)
	return &sim{w: w, client: &http.Client{Transport: tr}, transport: tr}
}

// provider returns the real libdns/gandi client pointed at the simulator:
// it hard-codes api.gandi.net and uses http.DefaultClient, so the default
// transport is swapped for the sandbox's until the test ends. Tests that
// call it must not run in parallel.
func (s *sim) provider(t *testing.T, token string) *libgandi.Provider {
	t.Helper()
	previous := http.DefaultTransport
	http.DefaultTransport = s.transport
	t.Cleanup(func() { http.DefaultTransport = previous })
	return &libgandi.Provider{BearerToken: token}
}

// reply is an answer of the simulator.
type reply struct {
	status int
	header http.Header
	body   string
}

// call sends a request under /v5/livedns/ with the test token; header
// pairs ("Accept", "text/plain") add or replace headers, and an empty
// Authorization value removes the header.
func (s *sim) call(t testing.TB, method, path, body string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, apiRoot+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

// json decodes the reply's body into v.
func (r reply) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

// expect fails unless the reply has the status.
func (r reply) expect(t testing.TB, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	return r
}

// rrset reads one rrset straight from the world ("" type: any).
func (s *sim) rrset(name, typ string) (world.RRSet, bool) {
	var rr world.RRSet
	found := false
	s.w.Read(func(d *world.Data) {
		dom := d.DomainByFQDN(testZone)
		if i := indexOf(dom.Records, name, typ); i >= 0 {
			rr, found = cloneRecords(dom.Records[i : i+1])[0], true
		}
	})
	return rr, found
}

// domain runs fn on a copy-safe read of example.org.
func (s *sim) domain(fn func(dom *world.Domain)) {
	s.w.Read(func(d *world.Data) { fn(d.DomainByFQDN(testZone)) })
}

// addRRSets puts rrsets into example.org before the simulator runs.
func addRRSets(rrs ...world.RRSet) func(d *world.Data) {
	return func(d *world.Data) {
		dom := d.DomainByFQDN(testZone)
		dom.Records = append(dom.Records, rrs...)
		dom.Publish(time.Now())
	}
}

func txt(name string, ttl int, values ...string) world.RRSet {
	return world.RRSet{Name: name, Type: "TXT", TTL: ttl, Values: values}
}

// errorCode reads the "code" of a Gandi error body; ok is false when the
// body has none.
func errorCode(t testing.TB, r reply) (code int, ok bool) {
	t.Helper()
	var body map[string]any
	r.json(t, &body)
	c, ok := body["code"].(float64)
	return int(c), ok
}
