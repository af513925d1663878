package steps

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

func TestPlatformSetupActivatesAndPins(t *testing.T) {
	r := installedCloudron(t, testChapter(), NewPlatformSetup())
	ctx := context.Background()
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	var activated bool
	r.cloudron(func(c *world.Cloudron) { activated = c.Activated })
	if !activated {
		t.Fatal("the Cloudron is not activated")
	}
	stored, err := secrets.Load(r.Dir.SecretsFile())
	if err != nil {
		t.Fatal(err)
	}
	password, token := stored[secrets.CloudronAdminPassword], stored[secrets.CloudronToken]
	if len(password) < 16 || token == "" {
		t.Fatalf("secrets: password %d chars, token %q", len(password), token)
	}
	data, err := os.ReadFile(r.Dir.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), password) || strings.Contains(string(data), token) {
		t.Fatal("state.json holds the password or the token")
	}
	st := loadState(t, r.Dir)
	cert := st.Output("platform-setup", "cert")
	if !strings.Contains(cert, "BEGIN CERTIFICATE") || st.Output("platform-setup", "cert_sha256") != certFingerprint([]byte(cert)) {
		t.Fatalf("pin not recorded: %q", st.Output("platform-setup", "cert_sha256"))
	}
	// The stored token is a lasting one that works on the dashboard, and
	// the owner is enrolled in two-factor login with the stored secret.
	me, err := r.dashboard(token).Profile(ctx)
	if err != nil || !me.TwoFactor {
		t.Fatalf("the owner's profile = %+v, %v, want two-factor login on", me, err)
	}
	totpSecret := stored[secrets.CloudronAdminTOTPSecret]
	if totpSecret == "" || strings.Contains(string(data), totpSecret) || st.Output("platform-setup", "admin_2fa") != "chapterctl" {
		t.Fatalf("two-factor secret stored: %t, in state: %t, admin_2fa = %q",
			totpSecret != "", totpSecret != "" && strings.Contains(string(data), totpSecret), st.Output("platform-setup", "admin_2fa"))
	}
	r.cloudron(func(c *world.Cloudron) {
		if c.Users[0].TwoFactorSecret != totpSecret {
			t.Error("the stored two-factor secret is not the one Cloudron enforces")
		}
	})

	// Rerun: nothing to do, and nothing changed in the world.
	r.requireEmptyRerun(t)

	// A kill after activation that lost the token: the rerun logs in with
	// the stored password and the current two-factor code, and makes a new
	// token.
	delete(r.Secrets, secrets.CloudronToken)
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("rerun without the token: %v", err)
	}
	if got := r.Secrets[secrets.CloudronToken]; got == "" || got == token {
		t.Fatalf("token after the rerun = %q, want a new one", got)
	}

	// Without the password either, the rerun says in one sentence how the
	// organizer makes a token.
	delete(r.Secrets, secrets.CloudronToken)
	r.Secrets[secrets.CloudronAdminPassword] = "not the password"
	err = r.Apply(ctx)
	if err == nil || !strings.Contains(err.Error(), "Profile → API Tokens") || !strings.Contains(err.Error(), "cloudron_token") {
		t.Fatalf("rerun without token or password = %v, want the sentence on making a token", err)
	}
}

// A kill between setup and activation: the rerun activates.
func TestPlatformSetupResumesAfterSetupOnly(t *testing.T) {
	r := installedCloudron(t, testChapter(), NewPlatformSetup())
	ctx := context.Background()
	r.applyEarlier(t)
	c := r.pinned()
	if err := c.Setup(ctx, cloudron.SetupRequest{Domain: "redrockdsa.org"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitSetup(ctx, nil); err != nil {
		t.Fatal(err)
	}
	plans, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := plans[len(plans)-1].Change.Items
	if len(last) == 0 || last[0].Resource != "Cloudron owner maria" {
		t.Fatalf("plan after setup only = %+v, want the owner first", last)
	}
	if err := r.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if token := r.Secrets[secrets.CloudronToken]; token == "" {
		t.Fatal("no token")
	} else if _, err := r.dashboard(token).Profile(ctx); err != nil {
		t.Fatalf("the token: %v", err)
	}
}

func TestPlatformSetupStopsOnCertificateMismatch(t *testing.T) {
	r := installedCloudron(t, testChapter(), NewPlatformSetup())
	r.breakFault(t, "cloudron-cert-changed", "")
	err := r.Apply(context.Background())
	var mismatch *cloudron.CertMismatchError
	if !errors.As(err, &mismatch) || !strings.Contains(err.Error(), "WARNING") {
		t.Fatalf("Apply = %v, want the certificate mismatch warning", err)
	}
	if r.Secrets[secrets.CloudronAdminPassword] != "" {
		t.Error("a password was made for a server that failed the pin")
	}
}
