package cloudron

import (
	"testing"
	"time"
)

func TestErrorsHaveTheBoxShape(t *testing.T) {
	t.Parallel()
	b := ready(t)
	cases := []struct {
		name, method, path, token string
		status                    int
		reason, message           string
	}{
		{"no such token", "GET", "/apps", "bogus", 401, "Unauthorized", "No such token"},
		{"no such route", "GET", "/nothing/here", b.token, 404, "Not Found", "No such route"},
		{"wrong method", "DELETE", "/apps", b.token, 404, "Not Found", "No such route"},
		{"no such app", "GET", "/apps/4f1b0c55-0000-4000-8000-000000000000", b.token, 404, "Not Found", "No such app"},
		{"no such task", "GET", "/tasks/99999", b.token, 404, "Not Found", "No such task"},
	}
	for _, c := range cases {
		a := b.callAs(c.token, "https://"+testIP+"/api/v1"+c.path, c.method, nil)
		if a.status != c.status || a.str("status") != c.reason || a.message() != c.message {
			t.Errorf("%s: %d %s", c.name, a.status, a.raw)
		}
	}
}

func TestTokensAndReadOnlyScope(t *testing.T) {
	t.Parallel()
	b := ready(t)
	rw := b.call("POST", "/tokens", map[string]any{"name": "chapterctl", "scope": map[string]any{"*": "rw"}}).want(t, 200)
	ro := b.call("POST", "/tokens", map[string]any{"name": "doctor", "scope": map[string]any{"*": "r"}}).want(t, 200)
	if rw.str("accessToken") == "" || rw.str("id") == "" || rw.str("identifier") == "" {
		t.Fatalf("token = %s", rw.raw)
	}
	b.token = ro.str("accessToken")
	b.call("GET", "/apps", nil).want(t, 200)
	b.call("POST", "/backups/create", nil).want(t, 403)
	b.token = rw.str("accessToken")
	b.call("POST", "/backups/create", nil).want(t, 202)
	if n := len(b.call("GET", "/tokens", nil).at("tokens").([]any)); n != 3 {
		t.Errorf("%d tokens listed, want the activation token and two more", n)
	}
	b.call("DELETE", "/tokens/"+ro.str("id"), nil).want(t, 204)
	b.token = ro.str("accessToken")
	b.call("GET", "/apps", nil).want(t, 401)
}

func TestUsersAndRoles(t *testing.T) {
	t.Parallel()
	b := ready(t)
	a := b.call("POST", "/users", map[string]any{"email": "ana@example.net", "username": "ana", "password": "another secret", "role": "user"}).want(t, 201)
	if a.str("id") == "" {
		t.Fatalf("create = %s", a.raw)
	}
	b.call("POST", "/users", map[string]any{"email": "ana@example.net"}).want(t, 409)
	b.call("POST", "/users", map[string]any{"email": "x@example.net", "username": "admins"}).want(t, 400)
	users := b.call("GET", "/users", nil).want(t, 200).at("users").([]any)
	if len(users) != 2 {
		t.Fatalf("%d users", len(users))
	}
	owner := users[0].(map[string]any)
	if owner["role"] != "owner" || owner["twoFactorAuthenticationEnabled"] != false {
		t.Errorf("owner after activation = %v", owner)
	}
}

// 2FA is off after activation, as on a real Cloudron; enrolment takes a
// current TOTP code from the secret.
func TestTwoFactorEnrolment(t *testing.T) {
	t.Parallel()
	b := ready(t)
	if b.call("GET", "/profile", nil).at("twoFactorAuthenticationEnabled") != false {
		t.Fatal("2FA on after activation")
	}
	secret := b.call("POST", "/profile/twofactorauthentication_secret", nil).want(t, 200).str("secret")
	b.call("POST", "/profile/twofactorauthentication_enable", map[string]any{"totpToken": "000000x"}).want(t, 412)
	code, err := totp(secret, b.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.call("POST", "/profile/twofactorauthentication_enable", map[string]any{"totpToken": code}).want(t, 204)
	if b.call("GET", "/profile", nil).at("twoFactorAuthenticationEnabled") != true {
		t.Error("2FA still off after enabling")
	}
	b.call("POST", "/profile/twofactorauthentication_secret", nil).want(t, 409)
	b.call("POST", "/profile/twofactorauthentication_disable", map[string]any{"password": "wrong one"}).want(t, 412)
	b.call("POST", "/profile/twofactorauthentication_disable", map[string]any{"password": "correct horse"}).want(t, 204)
}

func TestTOTPMatchesRFC6238(t *testing.T) {
	t.Parallel()
	// RFC 6238 appendix B, SHA-1, secret "12345678901234567890".
	secret := base32NoPad.EncodeToString([]byte("12345678901234567890"))
	cases := []struct {
		unix int64
		code string
	}{{59, "287082"}, {1111111109, "081804"}, {2000000000, "279037"}}
	for _, c := range cases {
		if got, err := totp(secret, time.Unix(c.unix, 0)); err != nil || got != c.code {
			t.Errorf("at %d: %q, %v; want %s", c.unix, got, err, c.code)
		}
	}
}
