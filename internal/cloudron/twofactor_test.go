package cloudron_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/cloudron"
)

// Enrolment as the dashboard does it: a secret, a code from it, then login
// needs the code too.
func TestTwoFactorEnrolment(t *testing.T) {
	t.Parallel()
	s := installedServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	dash, _ := s.setUpAndActivate(ctx)

	stale, err := dash.TwoFactorSecret(ctx)
	if err != nil || stale == "" {
		t.Fatalf("TwoFactorSecret = %q, %v", stale, err)
	}
	// Asking again replaces the pending secret: a code of the first fails.
	secret, err := dash.TwoFactorSecret(ctx)
	if err != nil || secret == stale {
		t.Fatalf("second TwoFactorSecret = %q, %v, want a new secret", secret, err)
	}
	staleCode, err := cloudron.TOTPCode(stale, s.sb.World.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = dash.EnableTwoFactor(ctx, staleCode)
	if err == nil || !strings.Contains(err.Error(), "refused the code") {
		t.Fatalf("EnableTwoFactor with the replaced secret's code = %v, want refused", err)
	}
	secretFree(t, err, stale, secret)

	code, err := cloudron.TOTPCode(secret, s.sb.World.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := dash.EnableTwoFactor(ctx, code); err != nil {
		t.Fatalf("EnableTwoFactor: %v", err)
	}
	if me, err := dash.Profile(ctx); err != nil || !me.TwoFactor {
		t.Fatalf("Profile after enrolment = %+v, %v", me, err)
	}
	// Already on: both routes say so in a way callers can test.
	if err := dash.EnableTwoFactor(ctx, code); !errors.Is(err, cloudron.ErrTwoFactorEnabled) {
		t.Errorf("EnableTwoFactor again = %v, want ErrTwoFactorEnabled", err)
	}
	if _, err := dash.TwoFactorSecret(ctx); !errors.Is(err, cloudron.ErrTwoFactorEnabled) {
		t.Errorf("TwoFactorSecret when on = %v, want ErrTwoFactorEnabled", err)
	}

	// Login now needs the code; with it, it works.
	if _, err := s.dashboardClient("").Login(ctx, "maria", adminPassword, ""); err == nil {
		t.Error("Login without a code succeeded for a user with 2FA")
	}
	code, _ = cloudron.TOTPCode(secret, s.sb.World.Now())
	if _, err := s.dashboardClient("").Login(ctx, "maria", adminPassword, code); err != nil {
		t.Errorf("Login with the code: %v", err)
	}
}

func TestTOTPCodeKnownAnswer(t *testing.T) {
	// RFC 6238 appendix B, SHA-1: the secret "12345678901234567890" in
	// base32, at 59 s, is 94287082; six digits keep the last six.
	const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	if got, err := cloudron.TOTPCode(rfcSecret, time.Unix(59, 0)); err != nil || got != "287082" {
		t.Errorf("TOTPCode at 59 s = %q, %v, want 287082", got, err)
	}
	if got, err := cloudron.TOTPCode(rfcSecret, time.Unix(1111111109, 0)); err != nil || got != "081804" {
		t.Errorf("TOTPCode at 1111111109 s = %q, %v, want 081804", got, err)
	}
	if _, err := cloudron.TOTPCode("not base32 at all!", time.Unix(59, 0)); err == nil || strings.Contains(err.Error(), "not base32 at all") {
		t.Errorf("TOTPCode of a bad secret = %v, want an error that does not quote it", err)
	}
}

func TestTOTPURI(t *testing.T) {
	got := cloudron.TOTPURI("my.redrockdsa.org", "maria", "JBSWY3DPEHPK3PXP")
	u, err := url.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Cloudron my.redrockdsa.org (maria)" ||
		u.Query().Get("secret") != "JBSWY3DPEHPK3PXP" || u.Query().Get("issuer") != "Cloudron" {
		t.Errorf("TOTPURI = %s", got)
	}
	if strings.Contains(got, " ") {
		t.Errorf("TOTPURI has a raw space: %s", got)
	}
}
