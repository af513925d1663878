package steps

import (
	"context"
	"errors"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// The admin_2fa output of platform-setup: who enrolled the organizer in
// two-factor login. Only "chapterctl" means secrets.json holds the secret.
const (
	platformSetup2FA    = "admin_2fa"
	twoFactorChapterctl = "chapterctl"
	twoFactorOrganizer  = "organizer"
)

// twoFactorItem says whether the organizer's two-factor login is on and
// recorded; when not, the item that enrols them. me is the profile read
// with the stored token (ok false: no working token yet).
func (s PlatformSetup) twoFactorItem(env *Env, me cloudron.User, ok bool) (Item, bool) {
	resource := "two-factor login of " + env.Config.Organizer.Username
	switch {
	case !ok || !me.TwoFactor:
		return Item{Action: Create, Resource: resource, Detail: "TOTP secret kept in .chapterctl/secrets.json"}, false
	case env.Output(s.ID(), platformSetup2FA) == "":
		return Item{Action: Adopt, Resource: resource, Detail: "already on"}, false
	}
	return Item{}, true
}

// ensureTwoFactor enrols the organizer in TOTP login, secure by default.
// The secret is stored before it is confirmed, so a kill in between costs
// only a new secret on the rerun (Cloudron replaces a pending one); a kill
// after the confirmation is found on the profile and recorded.
func (s PlatformSetup) ensureTwoFactor(ctx context.Context, env *Env) error {
	dash := dashboardCloudron(env, env.Secret(secrets.CloudronToken))
	me, err := dash.Profile(ctx)
	if err != nil {
		return err
	}
	if !me.TwoFactor {
		if err := s.enrol(ctx, env, dash); err != nil {
			return err
		}
	}
	by := twoFactorChapterctl
	if env.Secret(secrets.CloudronAdminTOTPSecret) == "" {
		by = twoFactorOrganizer // they turned it on in the dashboard themselves
	}
	return env.Record(platformSetup2FA, by)
}

func (PlatformSetup) enrol(ctx context.Context, env *Env, dash *cloudron.Client) error {
	secret, err := dash.TwoFactorSecret(ctx)
	if errors.Is(err, cloudron.ErrTwoFactorEnabled) {
		return nil // turned on since the profile was read
	}
	if err != nil {
		return err
	}
	if err := env.SetSecret(secrets.CloudronAdminTOTPSecret, secret); err != nil {
		return err
	}
	code, err := cloudron.TOTPCode(secret, env.Now())
	if err != nil {
		return err
	}
	if err := dash.EnableTwoFactor(ctx, code); err != nil && !errors.Is(err, cloudron.ErrTwoFactorEnabled) {
		return err
	}
	return nil
}

// currentTOTP is the code to log in with: "" when no secret is held (the
// login then works only while two-factor login is off).
func currentTOTP(env *Env) (string, error) {
	secret := env.Secret(secrets.CloudronAdminTOTPSecret)
	if secret == "" {
		return "", nil
	}
	return cloudron.TOTPCode(secret, env.Now())
}
