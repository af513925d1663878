package cloudron

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// ErrTwoFactorEnabled: the user already has two-factor login on (409), so
// Cloudron gives no new secret and confirms none.
var ErrTwoFactorEnabled = errors.New("two-factor login is already on for this user")

// TwoFactorSecret starts enrolment of the token's own user in TOTP login:
// POST /api/v1/profile/twofactorauthentication_secret → {secret, qrcode}
// (reference/cloudron.md §5). The secret is not enforced until
// EnableTwoFactor confirms a code from it; asking again replaces it.
func (c *Client) TwoFactorSecret(ctx context.Context) (string, error) {
	var out struct {
		Secret string `json:"secret"`
	}
	err := c.do(ctx, call{method: http.MethodPost, path: "/profile/twofactorauthentication_secret", out: &out})
	if statusOf(err) == http.StatusConflict {
		return "", fmt.Errorf("cloudron: start two-factor enrolment: %w", ErrTwoFactorEnabled)
	}
	if err != nil {
		return "", fmt.Errorf("cloudron: start two-factor enrolment: %w", err)
	}
	if out.Secret == "" {
		return "", errors.New("cloudron: start two-factor enrolment: Cloudron answered without a secret")
	}
	c.redactor.Add(out.Secret)
	return out.Secret, nil
}

// EnableTwoFactor confirms enrolment with a current code of the secret:
// POST …/twofactorauthentication_enable {totpToken} → 204. Cloudron
// accepts codes up to two time steps off (cloudron-operations.md §2), so a
// refused code (412) means a stale secret or a clock far off.
func (c *Client) EnableTwoFactor(ctx context.Context, code string) error {
	err := c.do(ctx, call{method: http.MethodPost, path: "/profile/twofactorauthentication_enable",
		in: map[string]string{"totpToken": code}})
	switch statusOf(err) {
	case 0:
		return nil
	case http.StatusConflict:
		return fmt.Errorf("cloudron: turn on two-factor login: %w", ErrTwoFactorEnabled)
	case http.StatusPreconditionFailed:
		return errors.New("cloudron: turn on two-factor login: Cloudron refused the code; " +
			"check this computer's clock, then run the command again for a new secret")
	}
	return fmt.Errorf("cloudron: turn on two-factor login: %w", err)
}
