package cloudron

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// CreateToken makes a read-write API token named name for the client's
// user and returns it. Unlike the activation token it does not expire, so
// it is the one to keep; the client goes on using its current token until
// SetToken.
func (c *Client) CreateToken(ctx context.Context, name string) (string, error) {
	var out struct {
		AccessToken string `json:"accessToken"`
	}
	body := map[string]any{"name": name, "scope": map[string]string{"*": "rw"}}
	if err := c.do(ctx, call{method: http.MethodPost, path: "/tokens", in: body, out: &out}); err != nil {
		return "", fmt.Errorf("cloudron: create the API token %q: %w", name, err)
	}
	if out.AccessToken == "" {
		return "", fmt.Errorf("cloudron: create the API token %q: Cloudron answered without a token", name)
	}
	c.redactor.Add(out.AccessToken)
	return out.AccessToken, nil
}

// Login gets a token for an existing user from the password (and a TOTP
// code when the user has two-factor login on), and makes the client use
// it. The route, POST /api/v1/auth/login, is (unverified) for 7.x and
// later (reference/cloudron.md §5); a server without it gives
// ErrLoginUnsupported.
func (c *Client) Login(ctx context.Context, username, password, totpToken string) (string, error) {
	c.redactor.Add(password)
	body := map[string]any{"username": username, "password": password}
	if totpToken != "" {
		body["totpToken"] = totpToken
	}
	var out struct {
		AccessToken string `json:"accessToken"`
		Token       string `json:"token"`
	}
	err := c.do(ctx, call{method: http.MethodPost, path: "/auth/login", public: true, in: body, out: &out})
	switch statusOf(err) {
	case 0:
	case http.StatusNotFound:
		return "", fmt.Errorf("cloudron: log in as %s: %w", username, ErrLoginUnsupported)
	case http.StatusUnauthorized:
		return "", fmt.Errorf("cloudron: log in as %s: Cloudron refused the username, password or two-factor code", username)
	default:
		return "", fmt.Errorf("cloudron: log in as %s: %w", username, err)
	}
	token := out.AccessToken
	if token == "" {
		token = out.Token
	}
	if token == "" {
		return "", errors.New("cloudron: log in as " + username + ": Cloudron answered without a token")
	}
	c.SetToken(token)
	return token, nil
}

// User is a Cloudron account.
type User struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Email       string `json:"email"`
	DisplayName string `json:"displayName"`
	Role        string `json:"role"`
	TwoFactor   bool   `json:"twoFactorAuthenticationEnabled"`
}

// Profile is the token's own user: where a mailbox owner's id comes from.
func (c *Client) Profile(ctx context.Context) (User, error) {
	var u User
	if err := c.do(ctx, call{method: http.MethodGet, path: "/profile", out: &u}); err != nil {
		return User{}, fmt.Errorf("cloudron: read the token's user: %w", err)
	}
	return u, nil
}
