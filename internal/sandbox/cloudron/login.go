package cloudron

import (
	"net/http"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// login mints a dashboard token for a user's password, as the dashboard's
// own login form does: POST /api/v1/auth/login {username, password,
// totpToken?} → 200 {accessToken, expires}. The route is v4's
// /developer/login renamed (unverified for 7.x+; cloudron.md §5); a client
// needs it to recover when a run was killed between activation and saving
// the activation token. Bad credentials are 401; a user with 2FA needs a
// current code (401 "A totpToken must be provided" / "Invalid totpToken", as
// v4 words them).
func (s *server) login(rw http.ResponseWriter, r *http.Request) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	username, _ := b.str("username")
	password, _ := b.str("password")
	code, _ := b.str("totpToken")
	now := s.w.Now()
	var token world.CloudronToken
	err = s.update(r.Context(), "cloudron.auth.login", func(c *world.Cloudron, _ *world.Data) error {
		var user *world.CloudronUser
		for _, u := range c.Users {
			if u.Username == username && u.Active {
				user = u
			}
		}
		switch {
		case user == nil || !passwordMatches(user.PasswordHash, password):
			return fail(http.StatusUnauthorized, "Username and password does not match")
		case user.TwoFactorEnabled && code == "":
			return fail(http.StatusUnauthorized, "A totpToken must be provided")
		case user.TwoFactorEnabled && !totpValid(user.TwoFactorSecret, code, now):
			return fail(http.StatusUnauthorized, "Invalid totpToken")
		}
		t := newToken(user.ID, "", "cid-webadmin", now.Add(7*24*time.Hour).UnixMilli(), map[string]string{"*": "rw"})
		c.Tokens = append(c.Tokens, t)
		token = *t
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, map[string]any{"accessToken": token.AccessToken, "expires": token.Expires})
	return nil
}
