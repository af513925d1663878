package cloudron

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/simnet"
)

func TestWaitTaskRidesOutARestartingBox(t *testing.T) {
	t.Parallel()
	f := newFakeBox(t)
	f.on("GET", "/api/v1/tasks/7",
		answer{200, `{"id":7,"type":"update","percent":50,"message":"Installing update","active":true,"pending":false}`},
		answer{502, badGateway},
		answer{503, `{"status":"Service Unavailable","message":"restarting"}`},
		answer{200, `{"id":"7","type":"update","percent":100,"message":"Done","active":false,"pending":false,"success":true,"error":null}`})
	var reports []string
	task, err := f.client("tok-123456").WaitTask(context.Background(), "7", func(p int, m string) {
		reports = append(reports, fmt.Sprint(p, " ", m))
	})
	if err != nil || !task.Success || task.ID != "7" {
		t.Fatalf("WaitTask = %+v, %v", task, err)
	}
	if strings.Join(reports, "|") != "50 Installing update|100 Done" || len(f.requests()) != 4 {
		t.Errorf("reports %q after requests %q", reports, f.requests())
	}
}

func TestWaitTaskStopsAtOnceOnARefusal(t *testing.T) {
	t.Parallel()
	f := newFakeBox(t)
	f.on("GET", "/api/v1/tasks/7", answer{401, `{"status":"Unauthorized","message":"No such token"}`})
	_, err := f.client("tok-123456").WaitTask(context.Background(), "7", nil)
	if statusOf(err) != 401 || len(f.requests()) != 1 {
		t.Errorf("WaitTask = %v after %d requests", err, len(f.requests()))
	}
}

func TestWaitTaskGivesUpAtTheDeadline(t *testing.T) {
	t.Parallel()
	f := newFakeBox(t)
	f.on("GET", "/api/v1/tasks/7", answer{502, badGateway})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := f.client("tok-123456").WaitTask(ctx, "7", nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Errorf("WaitTask against a box that stays down: %v", err)
	}
}

func TestAPIErrorSentences(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		body   string
		want   string
	}{
		{400, `{"status":"Bad Request","message":"domain is required"}`, "Cloudron refused the request: domain is required"},
		{401, `{"status":"Unauthorized","message":"No such token"}`, "Cloudron refused the API token (401 No such token)"},
		{402, `{"status":"Payment Required","message":"Plan limit reached"}`, "App Store plan does not allow this"},
		{403, `{"status":"Forbidden","message":"Token is read-only"}`, "use a read-write token"},
		{404, `{"status":"Not Found","message":"No such route"}`, "does not have this API route"},
		{404, `{"status":"Not Found","message":"No such app"}`, "Cloudron does not know it (404 No such app)"},
		{409, `{"status":"Conflict","message":"Locked by task 3"}`, "busy"},
		{412, `{"status":"Precondition Failed","message":"not registered"}`, "not registered with the App Store"},
		{500, `{"status":"Internal Server Error","message":"boom"}`, "internal error (500 boom)"},
		{502, badGateway, "box service is not answering (502 Bad Gateway)"},
		{418, `not json`, "Cloudron answered 418 I'm a teapot"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status, tc.want), func(t *testing.T) {
			t.Parallel()
			f := newFakeBox(t)
			f.on("GET", "/api/v1/apps", answer{tc.status, tc.body})
			_, err := f.client("tok-123456").Apps(context.Background())
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tc.status || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "GET /apps") {
				t.Errorf("%v does not name the call", err)
			}
		})
	}
}

// A secret the server repeats in its message is hidden from the error.
func TestErrorsNeverShowTheToken(t *testing.T) {
	t.Parallel()
	const token = "d6f1c0ffee0123456789abcdef"
	f := newFakeBox(t)
	f.on("GET", "/api/v1/apps", answer{401, `{"status":"Unauthorized","message":"No such token ` + token + `"}`})
	_, err := f.client(token).Apps(context.Background())
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Errorf("error %v", err)
	}
	if f.bodies["GET /api/v1/apps"] != "" {
		t.Error("a GET carried a body")
	}
}

func TestInstallRouteFollowsTheVersion(t *testing.T) {
	t.Parallel()
	cases := []struct{ version, route string }{
		{"7.6.4", "POST /api/v1/apps/install"},
		{"8.1.9", "POST /api/v1/apps/install"},
		{"8.2.0", "POST /api/v1/apps"},
		{"9.0.15", "POST /api/v1/apps"},
	}
	for _, tc := range cases {
		t.Run(tc.version, func(t *testing.T) {
			t.Parallel()
			f := newFakeBox(t)
			f.on("GET", "/api/v1/cloudron/status", answer{200, `{"version":"` + tc.version + `"}`})
			accepted := answer{202, `{"id":"a1","taskId":12}`} // a numeric task id, as older boxes write it
			f.on("POST", "/api/v1/apps/install", accepted)
			f.on("POST", "/api/v1/apps", accepted)
			c := f.client("tok-123456")
			id, task, err := c.InstallApp(context.Background(), InstallRequest{AppStoreID: "org.matrix.synapse", Subdomain: "matrix", Domain: "example.org"})
			if err != nil || id != "a1" || task != "12" {
				t.Fatalf("InstallApp = %q %q, %v", id, task, err)
			}
			if got := f.requests(); len(got) != 2 || got[1] != tc.route {
				t.Errorf("requests %q, want %s", got, tc.route)
			}
			var body map[string]any
			json.Unmarshal([]byte(f.bodies[tc.route]), &body)
			if body["appStoreId"] != "org.matrix.synapse" || body["subdomain"] != "matrix" || body["accessRestriction"] != nil {
				t.Errorf("install body %v", body)
			}
			// The version is asked once.
			c.InstallApp(context.Background(), InstallRequest{AppStoreID: "im.riot.cloudronapp", Subdomain: "chat", Domain: "example.org"})
			if got := f.requests(); len(got) != 3 {
				t.Errorf("requests %q: the version was asked again", got)
			}
		})
	}
}

func TestPinChecksTheWholeCertificate(t *testing.T) {
	t.Parallel()
	f := newFakeBox(t)
	// Another certificate for the same name (httptest's servers all share one).
	ca, err := simnet.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	other, err := ca.Issue("example.com")
	if err != nil {
		t.Fatal(err)
	}
	otherCert, _ := ParseCertificate(other.Certificate[0])
	pemOfOther := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Certificate[0]})
	c := New("https://box.test", f.net, Options{PinnedCert: pemOfOther, ServerName: "example.com"})
	_, err = c.Status(context.Background())
	var mismatch *CertMismatchError
	if !errors.As(err, &mismatch) || mismatch.Pinned != Fingerprint(otherCert) || mismatch.Presented != Fingerprint(f.srv.Certificate()) {
		t.Fatalf("Status with another pinned certificate: %v", err)
	}
	if len(f.requests()) != 0 {
		t.Errorf("requests were sent past a mismatch: %q", f.requests())
	}
	// The right certificate, checked for a name it does not have.
	c = New("https://box.test", f.net, Options{PinnedCert: f.srv.Certificate().Raw})
	if _, err := c.Status(context.Background()); err == nil || errors.As(err, &mismatch) || !strings.Contains(err.Error(), "not valid for this address") {
		t.Errorf("pinned certificate without the name: %v", err)
	}
}

func TestNewNeverFailsButCallsDo(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, base string
		pin        []byte
		want       string
	}{
		{"no scheme", "my.example.org", nil, "is not a server address"},
		{"ftp", "ftp://my.example.org", nil, "is not a server address"},
		{"garbage pin", "https://203.0.113.10", []byte("not a certificate"), "the pinned certificate"},
		{"a key, not a certificate", "https://203.0.113.10", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), "is not a certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := New(tc.base, simnet.NewNet(), Options{PinnedCert: tc.pin})
			if _, err := c.Status(context.Background()); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Status: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseBaseAcceptsTheUsualForms(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"https://my.example.org", "https://my.example.org/", "https://my.example.org/api/v1", " https://my.example.org/api/v1/ "} {
		u, err := parseBase(raw)
		if err != nil || u.String() != "https://my.example.org" {
			t.Errorf("parseBase(%q) = %v, %v", raw, u, err)
		}
	}
}

func TestFlexID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw, want string
		bad       bool
	}{
		{`"2742"`, "2742", false},
		{`364`, "364", false},
		{`null`, "", false},
		{`1.5`, "", true},
		{`{"id":1}`, "", true},
	}
	for _, tc := range cases {
		var id flexID
		err := json.Unmarshal([]byte(tc.raw), &id)
		if (err != nil) != tc.bad || string(id) != tc.want {
			t.Errorf("%s → %q, %v", tc.raw, id, err)
		}
	}
}

func TestParseVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw         string
		want        version
		bad         bool
		since82, v9 bool
	}{
		{raw: "9.0.15", want: version{9, 0, 15}, since82: true, v9: true},
		{raw: "v8.2.0", want: version{8, 2, 0}, since82: true},
		{raw: "8.1.3-rc1", want: version{8, 1, 3}},
		{raw: "7.6.4", want: version{7, 6, 4}},
		{raw: "9.0", bad: true},
		{raw: "", bad: true},
		{raw: "nine.0.1", bad: true},
	}
	for _, tc := range cases {
		v, err := parseVersion(tc.raw)
		if (err != nil) != tc.bad || v != tc.want {
			t.Errorf("parseVersion(%q) = %v, %v", tc.raw, v, err)
			continue
		}
		if !tc.bad && (v.atLeast(8, 2) != tc.since82 || v.atLeast(9, 0) != tc.v9) {
			t.Errorf("%s: atLeast(8.2)=%v atLeast(9.0)=%v", tc.raw, v.atLeast(8, 2), v.atLeast(9, 0))
		}
	}
}

// A 409 from setup is sorted by the status: another call's setup in
// progress is this one; an activated box is ErrAlreadyActivated.
func TestProvisionConflicts(t *testing.T) {
	t.Parallel()
	fresh := answer{200, `{"version":"9.0.15","adminFqdn":null,"activated":false,"setup":{"active":false,"message":"","errorMessage":null}}`}
	running := answer{200, `{"version":"9.0.15","adminFqdn":null,"activated":false,"setup":{"active":true,"message":"Adding domain","errorMessage":""}}`}
	done := answer{200, `{"version":"9.0.15","adminFqdn":"my.example.org","activated":false,"setup":{"active":false,"message":"Done","errorMessage":""}}`}
	activated := answer{200, `{"version":"9.0.15","adminFqdn":"my.example.org","activated":true,"setup":{"active":false,"message":"Done","errorMessage":""}}`}
	busy := answer{409, `{"status":"Conflict","message":"Already setting up or restoring"}`}
	notReady := answer{409, `{"status":"Conflict","message":"Setup is not complete"}`}

	t.Run("setup raced by another", func(t *testing.T) {
		f := newFakeBox(t)
		f.on("GET", "/api/v1/provision/status", fresh, running)
		f.on("POST", "/api/v1/provision/setup", busy)
		c := New("https://box.test", f.net, Options{PinnedCert: f.srv.Certificate().Raw, ServerName: "example.com", SetupToken: "0123456789abcdef0123"})
		if err := c.Setup(context.Background(), SetupRequest{Domain: "Example.org."}); err != nil {
			t.Fatalf("Setup: %v", err)
		}
		var body struct {
			DomainConfig struct {
				Provider, Domain, ZoneName string
			} `json:"domainConfig"`
			SetupToken string `json:"setupToken"`
		}
		json.Unmarshal([]byte(f.bodies["POST /api/v1/provision/setup"]), &body)
		if body.DomainConfig.Provider != "manual" || body.DomainConfig.Domain != "example.org" || body.DomainConfig.ZoneName != "example.org" ||
			body.SetupToken != "0123456789abcdef0123" {
			t.Errorf("setup body %s", f.bodies["POST /api/v1/provision/setup"])
		}
	})
	t.Run("activate before setup is done", func(t *testing.T) {
		f := newFakeBox(t)
		f.on("GET", "/api/v1/provision/status", fresh)
		f.on("POST", "/api/v1/provision/activate", notReady)
		_, err := f.client("").Activate(context.Background(), "maria", "correct horse", "maria@example.net", "")
		if err == nil || errors.Is(err, ErrAlreadyActivated) || !strings.Contains(err.Error(), "Setup is not complete") {
			t.Errorf("Activate: %v", err)
		}
	})
	t.Run("activate on an activated 8.x box", func(t *testing.T) {
		f := newFakeBox(t)
		f.on("GET", "/api/v1/provision/status", activated)
		f.on("POST", "/api/v1/provision/activate", answer{409, `{"status":"Conflict","message":"Already activated"}`})
		if _, err := f.client("").Activate(context.Background(), "maria", "correct horse", "maria@example.net", ""); !errors.Is(err, ErrAlreadyActivated) {
			t.Errorf("Activate: %v", err)
		}
	})
	t.Run("setup of an activated box", func(t *testing.T) {
		f := newFakeBox(t)
		f.on("GET", "/api/v1/provision/status", activated)
		if err := f.client("").Setup(context.Background(), SetupRequest{Domain: "example.org"}); !errors.Is(err, ErrAlreadyActivated) {
			t.Errorf("Setup: %v", err)
		}
	})
	t.Run("setup already done for another domain runs again", func(t *testing.T) {
		f := newFakeBox(t)
		f.on("GET", "/api/v1/provision/status", done)
		f.on("POST", "/api/v1/provision/setup", answer{200, `{}`})
		if err := f.client("").Setup(context.Background(), SetupRequest{Domain: "other.org"}); err != nil {
			t.Fatal(err)
		}
		if got := f.requests(); len(got) != 2 || got[1] != "POST /api/v1/provision/setup" {
			t.Errorf("requests %q", got)
		}
	})
}

// Before the installer has started nginx the droplet refuses connections:
// a call says so, and a wait keeps trying until its deadline.
func TestRefusedConnection(t *testing.T) {
	t.Parallel()
	c := New("https://203.0.113.10", simnet.NewNet(), Options{})
	_, err := c.Status(context.Background())
	var unreachable *unreachableError
	if !errors.As(err, &unreachable) || !unreachable.refused || !strings.Contains(err.Error(), "still be installing") {
		t.Errorf("Status: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err = c.WaitSetup(ctx, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "refused the connection") {
		t.Errorf("WaitSetup: %v", err)
	}
}

func TestOffersKeepOnlyANewerPlatform(t *testing.T) {
	running, _ := parseVersion("9.1.0")
	for offered, keep := range map[string]bool{"9.1.0": false, "9.0.15": false, "9.1.1": true, "10.0.0": true, "soon": false} {
		got := Offers{Box: &Update{Version: offered}}.newerThan(running)
		if (got.Box != nil) != keep {
			t.Errorf("offer %s on 9.1.0: kept = %v, want %v", offered, got.Box != nil, keep)
		}
	}
}
