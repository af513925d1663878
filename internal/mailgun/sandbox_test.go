package mailgun

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox"
	simmailgun "github.com/chapterctl/chapterctl/internal/sandbox/mailgun"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// world starts the assembled sandbox and returns it with the key it issued.
func startWorld(t *testing.T) (*sandbox.Sandbox, string) {
	t.Helper()
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
	var key string
	sb.World.Read(func(d *world.Data) { key = d.Tokens.Mailgun })
	return sb, key
}

func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestWrongKeyIsRefusedWithoutShowingIt(t *testing.T) {
	sb, _ := startWorld(t)
	wrong := "0123456789abcdef-0123-4567"
	err := New(wrong, RegionUS, sb.Dialer(), sb.RootCAs()).CheckKey(deadline(t))
	if statusOf(err) != http.StatusUnauthorized || !strings.Contains(err.Error(), "MAILGUN_API_KEY") {
		t.Fatalf("CheckKey = %v, want 401 naming MAILGUN_API_KEY", err)
	}
	if strings.Contains(err.Error(), wrong) {
		t.Fatalf("the error shows the key: %v", err)
	}
}

func TestSendingDomainLifecycle(t *testing.T) {
	sb, key := startWorld(t)
	ctx := deadline(t)
	c := New(key, RegionUS, sb.Dialer(), sb.RootCAs())
	if err := c.CheckKey(ctx); err != nil {
		t.Fatal(err)
	}
	if _, found, err := c.Domain(ctx, "redrockdsa.org"); err != nil || found {
		t.Fatalf("Domain before create = %v, %v; want not found", found, err)
	}
	d, err := c.CreateDomain(ctx, "redrockdsa.org")
	if err != nil {
		t.Fatal(err)
	}
	if d.State != "unverified" || d.Active() {
		t.Errorf("state %q after create", d.State)
	}
	types := map[string]Record{}
	for _, r := range d.Sending {
		types[r.Type+" "+strings.SplitN(r.Name, ".", 2)[0]] = r
	}
	if spf := types["TXT redrockdsa"]; spf.Value != "v=spf1 include:mailgun.org ~all" {
		t.Errorf("SPF record %+v", spf)
	}
	if tr := types["CNAME email"]; tr.Value != "mailgun.org" || tr.Name != "email.redrockdsa.org" {
		t.Errorf("tracking record %+v", tr)
	}
	if len(d.Receiving) != 2 || d.Receiving[0].Type != "MX" {
		t.Errorf("receiving records %+v", d.Receiving)
	}
	// A second create (a lost answer) finds the same domain.
	again, err := c.CreateDomain(ctx, "redrockdsa.org")
	if err != nil || again.Name != "redrockdsa.org" {
		t.Fatalf("create again = %+v, %v", again, err)
	}
	// The other region does not know it.
	if _, found, err := New(key, RegionEU, sb.Dialer(), sb.RootCAs()).Domain(ctx, "redrockdsa.org"); err != nil || found {
		t.Errorf("EU Domain = %v, %v; want not found", found, err)
	}
	// Nothing is published yet: verification leaves it unverified.
	v, err := c.VerifyDomain(ctx, "redrockdsa.org")
	if err != nil || v.Active() {
		t.Fatalf("verify = %+v, %v; want still unverified", v.State, err)
	}
}

func TestTrackingAndCredentials(t *testing.T) {
	sb, key := startWorld(t)
	ctx := deadline(t)
	c := New(key, RegionUS, sb.Dialer(), sb.RootCAs())
	if _, err := c.CreateDomain(ctx, "redrockdsa.org"); err != nil {
		t.Fatal(err)
	}
	if err := c.DisableTracking(ctx, "redrockdsa.org"); err != nil {
		t.Fatal(err)
	}
	on, err := c.Tracking(ctx, "redrockdsa.org")
	if err != nil || TrackingOn(on) {
		t.Fatalf("tracking after disable = %v, %v", on, err)
	}
	login := "cloudron@redrockdsa.org"
	login1 := func(pass string) error {
		var err error
		sb.World.Read(func(d *world.Data) { err = simmailgun.CheckLogin(d, SMTPHost(RegionUS), login, pass) })
		return err
	}
	if err := c.SetCredential(ctx, "redrockdsa.org", login, "first-password-123"); err != nil {
		t.Fatal(err)
	}
	if err := login1("first-password-123"); err != nil {
		t.Fatalf("login after create: %v", err)
	}
	// A run that lost the first password sets a new one on the same login.
	if err := c.SetCredential(ctx, "redrockdsa.org", login, "second-password-456"); err != nil {
		t.Fatal(err)
	}
	if err := login1("first-password-123"); !errors.Is(err, simmailgun.ErrAuthFailed) {
		t.Errorf("old password still logs in: %v", err)
	}
	if err := login1("second-password-456"); err != nil {
		t.Errorf("new password: %v", err)
	}
	logins, err := c.Credentials(ctx, "redrockdsa.org")
	if err != nil || len(logins) != 2 {
		t.Errorf("logins = %v, %v; want postmaster and cloudron", logins, err)
	}
}

// A 429 with X-RateLimit-Reset is waited out, for a create too.
func TestRateLimitIsWaitedOut(t *testing.T) {
	sb, key := startWorld(t)
	ctx := deadline(t)
	err := sb.World.Update(ctx, "", func(d *world.Data) error {
		d.Faults[simmailgun.FaultRateLimit] = "2"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := New(key, RegionUS, sb.Dialer(), sb.RootCAs())
	c.retry.maxBackoff = 10 * time.Millisecond
	if _, err := c.CreateDomain(ctx, "redrockdsa.org"); err != nil {
		t.Fatalf("create through two 429s: %v", err)
	}
}

func TestRateLimitWait(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
		given  bool
	}{
		{"retry-after seconds", http.Header{"Retry-After": {"3"}}, 3 * time.Second, true},
		{"reset epoch", http.Header{"X-Ratelimit-Reset": {"1800000002"}}, 2 * time.Second, true},
		{"reset passed", http.Header{"X-Ratelimit-Reset": {"1799999999"}}, 0, true},
		{"none", http.Header{}, 0, false},
	}
	for _, tt := range tests {
		got, given := rateLimitWait(tt.header, now)
		if got != tt.want || given != tt.given {
			t.Errorf("%s: %v %v, want %v %v", tt.name, got, given, tt.want, tt.given)
		}
	}
}
