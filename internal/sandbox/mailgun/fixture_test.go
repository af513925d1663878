package mailgun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox/simnet/simnettest"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

const testKey = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"

// fixture is the simulator served over TLS on loopback for both region
// hosts, with an HTTP client that reaches it as the product would.
type fixture struct {
	w      *world.World
	dns    *fakeDNS
	client *http.Client
}

func newFixture(t *testing.T, data *world.Data, opts world.Options) *fixture {
	t.Helper()
	if data == nil {
		data = &world.Data{Schema: world.SchemaVersion, TimeScale: 0.001}
	}
	data.Tokens.Mailgun = testKey
	return serveWorld(t, world.New(data, "", opts))
}

func serveWorld(t *testing.T, w *world.World) *fixture {
	t.Helper()
	dns := newFakeDNS()
	sim, ca := simnettest.Serve(t, New(w, dns), USHost, EUHost)
	client := &http.Client{Transport: netx.Transport(sim, ca.Pool())}
	t.Cleanup(client.CloseIdleConnections)
	return &fixture{w: w, dns: dns, client: client}
}

// reply is an HTTP answer, read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

func (r reply) message(t *testing.T) string {
	t.Helper()
	msg, _ := r.json(t)["message"].(string)
	return msg
}

// Body encodings of a form.
const (
	noBody     = ""
	multipartF = "multipart"
	urlencoded = "urlencoded"
)

// send makes a request with the account's key; host is USHost or EUHost.
func (f *fixture) send(t *testing.T, method, host, path string, form url.Values, encoding string) reply {
	t.Helper()
	return f.sendAs(t, "api", testKey, method, host, path, form, encoding)
}

func (f *fixture) sendAs(t *testing.T, user, key, method, host, path string, form url.Values, encoding string) reply {
	t.Helper()
	body, contentType := encodeForm(t, form, encoding)
	req, err := http.NewRequest(method, "https://"+host+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if user != "" || key != "" {
		req.SetBasicAuth(user, key)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: raw}
}

func encodeForm(t *testing.T, form url.Values, encoding string) (io.Reader, string) {
	t.Helper()
	switch encoding {
	case urlencoded:
		return strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	case multipartF:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, vs := range form {
			for _, v := range vs {
				if err := mw.WriteField(k, v); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := mw.Close(); err != nil {
			t.Fatal(err)
		}
		return &buf, mw.FormDataContentType()
	}
	return nil, ""
}

// createDomain creates name with a 1024-bit key (quick to make) unless
// extra says otherwise, and returns the reply's body.
func (f *fixture) createDomain(t *testing.T, host, name string, extra url.Values) map[string]any {
	t.Helper()
	form := url.Values{"name": {name}, "dkim_key_size": {"1024"}}
	for k, v := range extra {
		form[k] = v
	}
	r := f.send(t, http.MethodPost, host, "/v4/domains", form, multipartF)
	if r.status != http.StatusOK {
		t.Fatalf("create %s: %d %s", name, r.status, r.body)
	}
	return r.json(t)
}

// records returns the reply's records of one kind ("sending_dns_records"
// or "receiving_dns_records").
func records(t *testing.T, body map[string]any, kind string) []map[string]any {
	t.Helper()
	list, ok := body[kind].([]any)
	if !ok {
		t.Fatalf("no %s in %v", kind, body)
	}
	var out []map[string]any
	for _, r := range list {
		out = append(out, r.(map[string]any))
	}
	return out
}

// recordFor finds the sending record with the given type whose name
// contains part.
func recordFor(t *testing.T, body map[string]any, recordType, part string) map[string]any {
	t.Helper()
	for _, r := range records(t, body, "sending_dns_records") {
		if r["record_type"] == recordType && strings.Contains(r["name"].(string), part) {
			return r
		}
	}
	t.Fatalf("no %s record named like %q in %v", recordType, part, body["sending_dns_records"])
	return nil
}

func domainState(t *testing.T, body map[string]any) string {
	t.Helper()
	return body["domain"].(map[string]any)["state"].(string)
}

// fakeDNS answers lookups from maps, as the simulated DNS would.
type fakeDNS struct {
	mu     sync.Mutex
	txt    map[string][]string
	cname  map[string]string
	mx     map[string][]*net.MX
	broken bool // every lookup fails, as a timed-out resolver would
}

func newFakeDNS() *fakeDNS {
	return &fakeDNS{txt: map[string][]string{}, cname: map[string]string{}, mx: map[string][]*net.MX{}}
}

var errResolver = errors.New("lookup: i/o timeout")

func (f *fakeDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.broken {
		return nil, errResolver
	}
	return append([]string(nil), f.txt[name]...), nil
}

func (f *fakeDNS) LookupCNAME(_ context.Context, name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.broken {
		return "", errResolver
	}
	return f.cname[name], nil
}

func (f *fakeDNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.broken {
		return nil, errResolver
	}
	return append([]*net.MX(nil), f.mx[name]...), nil
}

func (f *fakeDNS) addTXT(name string, values ...string) {
	f.edit(func(f *fakeDNS) { f.txt[name] = append(f.txt[name], values...) })
}

// edit changes the zone data under the lock the lookups take.
func (f *fakeDNS) edit(change func(f *fakeDNS)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

// publishSending writes the SPF and DKIM records a create reply asks for,
// as the product should; not the tracking CNAME nor the MX.
func (f *fakeDNS) publishSending(t *testing.T, body map[string]any) {
	t.Helper()
	for _, r := range records(t, body, "sending_dns_records") {
		if r["record_type"] == "TXT" {
			f.addTXT(r["name"].(string), r["value"].(string))
		}
	}
}
