package cloudron

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestCloudronStatusNeedsNoTokenAndNamesTheVersion(t *testing.T) {
	t.Parallel()
	b := newBox(t, withVersion("8.3.2"))
	if got := b.call("GET", "/cloudron/status", nil).want(t, 200).str("version"); got != "8.3.2" {
		t.Errorf("version = %q", got)
	}
}

// The same handler answers plain HTTP on 127.0.0.1:3000 through an SSH
// tunnel.
func TestPlainHTTPThroughTheTunnelAnswersTheSameRoutes(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	srv := httptest.NewServer(New(b.w, 1, b.deps))
	defer srv.Close()
	b.client = srv.Client()
	a := b.callAs("", srv.URL+"/api/v1/provision/status", "GET", nil).want(t, 200)
	if a.at("activated") != false || a.at("adminFqdn") != nil {
		t.Errorf("fresh status = %s", a.raw)
	}
}

func TestSetupFinishesOnlyWhenTheAuthoritativeServersServeTheRightRecord(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	b.call("POST", "/provision/setup", setupBody).want(t, 200)
	if got := b.call("GET", "/provision/status", nil).str("setup.message"); got != "Adding domain" {
		t.Errorf("first message = %q", got)
	}
	for _, wrong := range [][]string{nil, {"198.51.100.7"}, {testIP, "198.51.100.7"}} {
		b.deps.serve(dashboard, "A", wrong...)
		b.advance(time.Hour)
		st := b.call("GET", "/provision/status", nil)
		if st.at("setup.active") != true || st.str("setup.message") != "Waiting for DNS of "+dashboard {
			t.Fatalf("with A %v: setup = %s", wrong, st.raw)
		}
	}
	b.deps.serve(dashboard, "A", testIP)
	if got := b.call("GET", "/provision/status", nil).str("setup.message"); got != "Getting certificate of "+dashboard {
		t.Errorf("after the record: %q", got)
	}
	b.advance(30 * time.Second)
	st := b.call("GET", "/provision/status", nil)
	if st.at("setup.active") != false || st.str("setup.message") != "Done" || st.str("setup.errorMessage") != "" || st.str("adminFqdn") != dashboard {
		t.Errorf("finished setup = %s", st.raw)
	}
}

func TestSecondSetupWhileRunningIsAConflict(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	b.call("POST", "/provision/setup", setupBody).want(t, 200)
	if a := b.call("POST", "/provision/setup", setupBody).want(t, 409); a.message() != "Already setting up or restoring" {
		t.Errorf("message = %q", a.message())
	}
}

func TestFailedSetupSetsErrorMessage(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	b.change(func(d *world.Data) { d.Faults[FaultTaskFails] = "" })
	b.deps.serve(dashboard, "A", testIP)
	b.call("POST", "/provision/setup", setupBody).want(t, 200)
	b.advance(time.Minute)
	st := b.call("GET", "/provision/status", nil)
	if st.at("setup.active") != false || st.str("setup.errorMessage") == "" || st.at("adminFqdn") != nil {
		t.Errorf("crashed setup = %s", st.raw)
	}
	// Before activation the setup may be run again.
	b.advance(time.Second)
	b.call("POST", "/provision/setup", setupBody).want(t, 200)
}

func TestSetupValidatesTheDomain(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	cases := []struct {
		name    string
		config  map[string]any
		message string
	}{
		{"no domain", map[string]any{"provider": "manual", "config": map[string]any{}}, "domain is required"},
		{"no provider", map[string]any{"domain": testDomain, "config": map[string]any{}}, "provider is required"},
		{"config not an object", map[string]any{"provider": "manual", "domain": testDomain, "config": "x"}, "config must be an object"},
		{"no nameservers", map[string]any{"provider": "manual", "domain": "nowhere.example", "config": map[string]any{}}, "Unable to resolve nameservers for this domain"},
	}
	for _, c := range cases {
		a := b.call("POST", "/provision/setup", map[string]any{"domainConfig": c.config}).want(t, 400)
		if a.message() != c.message || a.str("status") != "Bad Request" {
			t.Errorf("%s: %s", c.name, a.raw)
		}
	}
}

func TestActivateOnceThenRefusedAsTheVersionDoes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		version  string
		override int
		status   int
	}{
		{"9.0.15", 0, 405},
		{"8.3.2", 0, 409},
		{"9.0.15", 409, 409},
	}
	for _, c := range cases {
		b := newBox(t, withVersion(c.version), func(d *world.Data) { d.Machines["1"].Cloudron.Options.ProvisionedStatus = c.override })
		b.setUp()
		owner := map[string]any{"username": "maria", "password": "correct horse", "email": "maria@example.net"}
		a := b.call("POST", "/provision/activate", owner).want(t, 201)
		if a.str("userId") == "" || a.str("token") == "" || a.at("expires") == nil {
			t.Errorf("%s: activation = %s", c.version, a.raw)
		}
		b.call("POST", "/provision/activate", owner).want(t, c.status)
		b.call("POST", "/provision/setup", setupBody).want(t, c.status)
	}
}

func TestActivateRefusesReservedNamesAndShortPasswords(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	b.setUp()
	cases := []struct{ username, password, email, message string }{
		{"admin", "correct horse", "a@example.net", "Username is reserved"},
		{"Postmaster", "correct horse", "a@example.net", "Username is reserved"},
		{"root", "correct horse", "a@example.net", "Username is reserved"},
		{"maria.app", "correct horse", "a@example.net", "Username pattern is reserved for apps"},
		{"ma ria", "correct horse", "a@example.net", "Username can only contain alphanumerals, dot and -"},
		{"maria", "short", "a@example.net", "Password must be atleast 8 characters"},
		{"maria", "correct horse", "not-an-email", "Invalid email"},
	}
	for _, c := range cases {
		a := b.call("POST", "/provision/activate", map[string]any{"username": c.username, "password": c.password, "email": c.email}).want(t, 400)
		if a.message() != c.message {
			t.Errorf("%s/%s: %q, want %q", c.username, c.password, a.message(), c.message)
		}
	}
}

func TestActivateBeforeSetupIsRefused(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	b.call("POST", "/provision/activate", map[string]any{"username": "maria", "password": "correct horse", "email": "m@example.net"}).want(t, 409)
}

func TestSetupTokenGate(t *testing.T) {
	t.Parallel()
	b := newBox(t, func(d *world.Data) {
		d.Machines["1"].Installer = &world.Installer{Version: "9.0.15", SetupToken: "0a1b2c3d4e5f60718293", Ended: true}
	})
	b.deps.serve(dashboard, "A", testIP)
	cases := []struct {
		token  any
		status int
	}{
		{nil, 400},
		{"ffffffffffffffffffff", 403},
		{"0a1b2c3d4e5f60718293", 200},
	}
	for _, c := range cases {
		body := map[string]any{"domainConfig": setupBody["domainConfig"]}
		if c.token != nil {
			body["setupToken"] = c.token
		}
		b.call("POST", "/provision/setup", body).want(t, c.status)
	}
}

// Each change is a named point: the journal records it and crash-at can
// end the process right after it is saved.
func TestMutationsAreNamedForTheJournalAndCrashAt(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	journal, err := world.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer journal.Close()
	var crashed []string
	b := newBoxWith(t, world.Options{Journal: journal, Crash: func(point string) { crashed = append(crashed, point) }})
	b.change(func(d *world.Data) { d.Faults[world.CrashAt] = "cloudron.provision.setup" })
	b.call("GET", "/provision/status", nil).want(t, 200)
	b.call("POST", "/provision/setup", setupBody).want(t, 200)
	if len(crashed) != 1 || crashed[0] != "cloudron.provision.setup" {
		t.Errorf("crash points reached: %v", crashed)
	}
	all, err := world.ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []world.Entry
	for _, e := range all {
		lines = append(lines, e)
	}
	// The crash writes the setup's line at once, with status 0 (the test's
	// crash hook returns, so the request then ends normally too).
	if len(lines) < 2 || lines[0].Service != "cloudron" || lines[0].Mutating ||
		!lines[1].Mutating || lines[1].Point != "cloudron.provision.setup" || lines[1].Status != 0 {
		t.Errorf("journal = %+v", lines)
	}
}

// Without a running box, nginx answers 502 (the assembler should not even
// route the port before the installer created the Cloudron).
func TestNoRunningBoxAnswersBadGateway(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		breakIt func(d *world.Data, now time.Time)
	}{
		{"not installed", func(d *world.Data, _ time.Time) { d.Machines["1"].Cloudron = nil }},
		{"box still starting", func(d *world.Data, now time.Time) { d.Machines["1"].BoxUpAt = now.Add(time.Minute) }},
		{"box stopped", func(d *world.Data, _ time.Time) { d.Machines["1"].Stopped = []string{"box"} }},
		{"droplet off", func(d *world.Data, _ time.Time) { d.DigitalOcean.Droplets[0].Off = true }},
	}
	for _, c := range cases {
		b := newBox(t)
		b.change(func(d *world.Data) { c.breakIt(d, b.clock.Now()) })
		rec := httptest.NewRecorder()
		New(b.w, 1, b.deps).ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/cloudron/status", nil))
		if rec.Code != 502 || !strings.Contains(rec.Body.String(), "502 Bad Gateway") {
			t.Errorf("%s: %d %s", c.name, rec.Code, rec.Body)
		}
	}
}
