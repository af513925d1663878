package digitalocean

import (
	"github.com/chapterctl/chapterctl/internal/waitx"

	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	dosim "github.com/chapterctl/chapterctl/internal/sandbox/digitalocean"
	"github.com/chapterctl/chapterctl/internal/sandbox/simnet/simnettest"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// testToken is long and unusual so that finding it in an error string
// cannot be a coincidence.
const testToken = "dop_v1_5ecret0f7e57c4a9b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3"

// env is the DigitalOcean simulator served over TLS on loopback as
// api.digitalocean.com, reached through the sandbox dialer and CA, with an
// adapter built exactly as the product builds it.
type env struct {
	w       *world.World
	c       *Client
	journal string
	waits   *waitLog
	ctx     context.Context
}

type envConfig struct {
	seed  func(*world.Data)
	token string
	wrap  func(http.Handler) http.Handler // stands between client and simulator
}

type envOption func(*envConfig)

func seeded(seed func(*world.Data)) envOption { return func(c *envConfig) { c.seed = seed } }

func withToken(token string) envOption { return func(c *envConfig) { c.token = token } }

func wrapped(wrap func(http.Handler) http.Handler) envOption {
	return func(c *envConfig) { c.wrap = wrap }
}

// withFaults switches faults on in the world (name → parameter).
func withFaults(faults map[string]string) envOption {
	return seeded(func(d *world.Data) { d.Faults = faults })
}

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	cfg := envConfig{token: testToken}
	for _, o := range opts {
		o(&cfg)
	}
	data := &world.Data{
		Schema: world.SchemaVersion, TimeScale: 0.001,
		Tokens: world.Tokens{DigitalOcean: testToken},
		DigitalOcean: world.DigitalOcean{Account: world.DOAccount{
			DropletLimit: 10, Email: "organizer@example.net", UUID: "b6fr89dbf6d9156cace5f3c78dc9851d957381ef", Status: "active"}},
	}
	if cfg.seed != nil {
		cfg.seed(data)
	}
	journalPath := filepath.Join(t.TempDir(), "journal.jsonl")
	journal, err := world.OpenJournal(journalPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { journal.Close() })
	w := world.New(data, "", world.Options{Journal: journal})

	var handler http.Handler = dosim.New(w)
	if cfg.wrap != nil {
		handler = cfg.wrap(handler)
	}
	n, ca := simnettest.Serve(t, handler, "api.digitalocean.com")

	waits := &waitLog{scale: data.TimeScale}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return &env{
		w: w, c: New(cfg.token, n, ca.Pool(), WithSleeper(waits.sleep), WithVersion("test")),
		journal: journalPath, waits: waits, ctx: ctx,
	}
}

// waitLog is the adapter's Sleeper in tests: it records what it was asked
// to wait and waits that long on the world's scaled clock, so polling
// still lets simulated time pass.
type waitLog struct {
	scale float64
	mu    sync.Mutex
	asked []time.Duration
}

func (l *waitLog) sleep(ctx context.Context, d time.Duration) error {
	l.mu.Lock()
	l.asked = append(l.asked, d)
	l.mu.Unlock()
	return waitx.Sleep(ctx, time.Duration(float64(d)*l.scale))
}

func (l *waitLog) waits() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.asked)
}

// requests are the journal's lines for method and path (a path ending in
// "/" matches every path under it; "" and "" match every line), in the
// order the world received them.
func (e *env) requests(t *testing.T, method, path string) []world.Entry {
	t.Helper()
	all, err := world.ReadJournal(e.journal)
	if err != nil {
		t.Fatal(err)
	}
	var found []world.Entry
	for _, entry := range all {
		matches := entry.Path == path || (strings.HasSuffix(path, "/") && strings.HasPrefix(entry.Path, path))
		if (entry.Method == method && matches) || (method == "" && path == "") {
			found = append(found, entry)
		}
	}
	return found
}

// mutations counts the requests that changed the world.
func (e *env) mutations(t *testing.T) int {
	t.Helper()
	n := 0
	for _, entry := range e.requests(t, "", "") {
		if entry.Mutating {
			n++
		}
	}
	return n
}

// statuses are the answers the world gave to method path, in order.
func (e *env) statuses(t *testing.T, method, path string) []int {
	t.Helper()
	var s []int
	for _, entry := range e.requests(t, method, path) {
		s = append(s, entry.Status)
	}
	return s
}

func (e *env) droplets() []*world.Droplet {
	var list []*world.Droplet
	e.w.Read(func(d *world.Data) { list = slices.Clone(d.DigitalOcean.Droplets) })
	return list
}

func (e *env) firewalls() []world.Firewall {
	var list []world.Firewall
	e.w.Read(func(d *world.Data) {
		for _, fw := range d.DigitalOcean.Firewalls {
			list = append(list, *fw)
		}
	})
	return list
}

// eventually waits until cond holds, checking every 5 ms, or fails the
// test after a few seconds: the world runs on a scaled clock.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

func newAuthorizedKey(t *testing.T, comment string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))) + " " + comment
}

// chapterSpec is the droplet the product asks for.
func chapterSpec(name, tag string) DropletSpec {
	return DropletSpec{Name: name, Region: "nyc3", Size: "s-2vcpu-4gb", Image: "ubuntu-24-04-x64",
		UserData: "#cloud-config\n", Tags: []string{tag}}
}

// noSecret fails the test if err's text holds the token.
func noSecret(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), testToken) {
		t.Errorf("the error shows the token: %v", err)
	}
}
