package cloudron

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox/simnet"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

const (
	testIP     = "203.0.113.10"
	testDomain = "example.org"
	dashboard  = "my.example.org"
)

// fakeDeps is the rest of the world as the tests set it: DNS answers by
// "name qtype", the port-25 block, the relay's one good login, and the
// sandbox CA as Let's Encrypt.
type fakeDeps struct {
	mu        sync.Mutex
	ca        *simnet.CA
	auth      map[string][]string
	resolver  map[string][]string
	ptr       map[string][]string
	blocked25 bool
	smtpLogin [2]string
	// issueFails plays a failed ACME challenge.
	issueFails bool
}

func newFakeDeps(ca *simnet.CA) *fakeDeps {
	return &fakeDeps{ca: ca, auth: map[string][]string{}, resolver: map[string][]string{},
		ptr: map[string][]string{testIP: {dashboard + "."}}, smtpLogin: [2]string{"postmaster@mg.example.org", "right"}}
}

func key(name, qtype string) string {
	return strings.TrimSuffix(strings.ToLower(name), ".") + " " + qtype
}

// serve makes the authoritative servers and the resolver answer name.
func (f *fakeDeps) serve(name, qtype string, values ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.auth[key(name, qtype)] = values
	f.resolver[key(name, qtype)] = values
}

// SettleMachine has nothing to do: the tests' machine is installed.
func (f *fakeDeps) SettleMachine() {}

func (f *fakeDeps) LookupAuthoritative(_ context.Context, name, qtype string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.auth[key(name, qtype)], nil
}

func (f *fakeDeps) LookupResolver(_ context.Context, name, qtype string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if qtype == "NS" && name == testDomain {
		return []string{"ns-203.gandi.net."}, nil
	}
	return f.resolver[key(name, qtype)], nil
}

func (f *fakeDeps) PTR(_ context.Context, ip string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ptr[ip]...), nil
}

func (f *fakeDeps) Port25Blocked() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.blocked25
}

func (f *fakeDeps) SMTPLogin(_ context.Context, host string, port int, user, pass string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if host != "smtp.mailgun.org" || port != 587 || user != f.smtpLogin[0] || pass != f.smtpLogin[1] {
		return errors.New("Invalid login: 535 Authentication failed")
	}
	return nil
}

func (f *fakeDeps) IssueCertificate(_ context.Context, notBefore, notAfter time.Time, hosts ...string) (tls.Certificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.issueFails {
		return tls.Certificate{}, errors.New("acme: challenge failed: connection refused on port 80")
	}
	return f.ca.IssueValid(notBefore, notAfter, hosts...)
}

// manualClock is a world clock the tests move by hand, so that a
// three-minute install is one call and no test waits.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// box is a Cloudron on droplet 1 (203.0.113.10), served over TLS from
// loopback with the certificate Certificate picks, as the sandbox's TLS
// front will.
type box struct {
	t      *testing.T
	w      *world.World
	clock  *manualClock // nil when the world runs on the real clock
	deps   *fakeDeps
	ca     *simnet.CA
	net    *simnet.Net
	client *http.Client
	token  string
}

type boxOption func(*world.Data)

func withVersion(v string) boxOption {
	return func(d *world.Data) {
		d.Cloudron = world.CloudronRelease{Version: v, Latest: v}
		d.Machines["1"].Cloudron.Version = v
	}
}

// newBox makes the world at time scale 1 on a manual clock, starting at
// the last noon UTC: far from the nightly backup at 23:00, and never later
// than the real time that TLS handshakes check certificates against.
func newBox(t *testing.T, opts ...boxOption) *box {
	return newBoxWith(t, world.Options{}, opts...)
}

// newBoxWith is newBox with world options (a journal, a crash hook).
func newBoxWith(t *testing.T, wopts world.Options, opts ...boxOption) *box {
	noon := time.Now().UTC().Truncate(24 * time.Hour).Add(12 * time.Hour)
	if noon.After(time.Now()) {
		noon = noon.AddDate(0, 0, -1)
	}
	clock := &manualClock{now: noon}
	wopts.Clock = clock
	b := startBox(t, 1, wopts, opts...)
	b.clock = clock
	return b
}

func startBox(t *testing.T, scale float64, wopts world.Options, opts ...boxOption) *box {
	t.Helper()
	now := time.Now()
	if wopts.Clock != nil {
		now = wopts.Clock.Now()
	}
	past := now.Add(-time.Hour)
	data := &world.Data{Schema: world.SchemaVersion, TimeScale: scale, Cloudron: world.CloudronRelease{Version: "9.0.15", Latest: "9.0.15"}}
	data.DigitalOcean.Droplets = []*world.Droplet{{ID: 1, Name: dashboard, PublicIPv4: testIP, CreatedAt: past, ActiveAt: past}}
	data.Machines = map[string]*world.Machine{"1": {DropletID: 1, Hostname: dashboard, BootedAt: past, Cloudron: world.NewCloudron("9.0.15", testIP)}}
	for _, o := range opts {
		o(data)
	}
	w := world.New(data, "", wopts)
	ca, err := simnet.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	b := &box{t: t, w: w, deps: newFakeDeps(ca), ca: ca, net: simnet.NewNet()}
	addr, stop, err := simnet.ServeTLS(New(w, 1, b.deps), &tls.Config{GetCertificate: b.certificate})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	for _, host := range []string{testIP, dashboard} {
		b.net.Route("tcp", host+":443", addr)
	}
	b.client = b.clientTrusting(b.cloudron().SelfSignedCert)
	return b
}

func (b *box) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	var cert tls.Certificate
	var err error
	b.w.Read(func(d *world.Data) { cert, err = Certificate(d.MachineOf(1).Cloudron, hello.ServerName) })
	return &cert, err
}

// clientTrusting trusts the sandbox CA and the given pinned certificate.
func (b *box) clientTrusting(pinnedPEM string) *http.Client {
	pool := b.ca.Pool()
	pool.AppendCertsFromPEM([]byte(pinnedPEM))
	return &http.Client{Transport: netx.Transport(b.net, pool), Timeout: 10 * time.Second}
}

// cloudron is a copy of the Cloudron's state.
func (b *box) cloudron() world.Cloudron {
	var c world.Cloudron
	b.w.Read(func(d *world.Data) { c = *d.MachineOf(1).Cloudron })
	return c
}

func (b *box) change(fn func(d *world.Data)) {
	b.w.Settle(fn)
}

func (b *box) advance(d time.Duration) { b.clock.advance(d) }

// answer is an HTTP answer with its JSON body decoded.
type answer struct {
	status int
	raw    []byte
	json   map[string]any
}

// str reads a string at a dotted path of the JSON body ("" if absent).
func (a answer) str(path string) string { s, _ := a.at(path).(string); return s }

func (a answer) at(path string) any {
	var v any = a.json
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func (a answer) message() string { return a.str("message") }

// call sends a request to https://203.0.113.10/api/v1<path> with the
// box's token (if any).
func (b *box) call(method, path string, body any) answer {
	return b.callAs(b.token, "https://"+testIP+"/api/v1"+path, method, body)
}

func (b *box) callAs(token, url, method string, body any) answer {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			b.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode}
	a.raw, _ = io.ReadAll(resp.Body)
	json.Unmarshal(a.raw, &a.json)
	return a
}

// want fails the test unless the answer has the status.
func (a answer) want(t *testing.T, status int) answer {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.raw)
	}
	return a
}

var setupBody = map[string]any{
	"domainConfig": map[string]any{"provider": "manual", "domain": testDomain, "zoneName": testDomain, "config": map[string]any{},
		"tlsConfig": map[string]any{"provider": "letsencrypt-prod"}},
	"ipv4Config": map[string]any{"provider": "generic"},
}

// setUp runs the first-time setup with my.<domain> already served.
func (b *box) setUp() {
	b.t.Helper()
	b.deps.serve(dashboard, "A", testIP)
	b.call("POST", "/provision/setup", setupBody).want(b.t, 200)
	b.advance(time.Minute)
	if st := b.call("GET", "/provision/status", nil); st.at("setup.active") != false || st.str("adminFqdn") != dashboard {
		b.t.Fatalf("setup did not finish: %s", st.raw)
	}
}

// activate makes maria the owner and keeps her token.
func (b *box) activate() {
	b.t.Helper()
	a := b.call("POST", "/provision/activate", map[string]any{"username": "maria", "password": "correct horse", "email": "maria@example.net"})
	b.token = a.want(b.t, 201).str("token")
}

// ready is a box set up and activated.
func ready(t *testing.T, opts ...boxOption) *box {
	b := newBox(t, opts...)
	b.setUp()
	b.activate()
	return b
}

// install installs an app whose record is served, and waits it out.
func (b *box) install(storeID, subdomain string) string {
	b.t.Helper()
	fqdn := strings.TrimPrefix(subdomain+"."+testDomain, ".")
	b.deps.serve(fqdn, "A", testIP)
	a := b.call("POST", "/apps", map[string]any{"appStoreId": storeID, "subdomain": subdomain, "domain": testDomain, "accessRestriction": nil})
	id := a.want(b.t, 202).str("id")
	b.advance(10 * time.Minute)
	if app := b.call("GET", "/apps/"+id, nil); app.str("installationState") != "installed" {
		b.t.Fatalf("install did not finish: %s", app.raw)
	}
	return id
}

// waitTask advances the clock past a task and returns its final state.
func (b *box) waitTask(id string) answer {
	b.t.Helper()
	b.advance(30 * time.Minute)
	task := b.call("GET", "/tasks/"+id, nil).want(b.t, 200)
	if task.at("active") != false {
		b.t.Fatalf("task %s still active: %s", id, task.raw)
	}
	return task
}

// leafOf is the leaf certificate of a TLS handshake with server name sni.
func (b *box) leafOf(sni string, pool *x509.CertPool) (*x509.Certificate, error) {
	conn, err := b.net.DialContext(context.Background(), "tcp", testIP+":443")
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	name := sni
	if name == "" {
		name = testIP // verified against the IP SAN; Go sends no SNI for an IP
	}
	tc := tls.Client(conn, &tls.Config{ServerName: name, RootCAs: pool})
	if err := tc.Handshake(); err != nil {
		return nil, err
	}
	return tc.ConnectionState().PeerCertificates[0], nil
}
