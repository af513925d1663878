package cloudron

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// qrPlaceholder stands for the QR code image of the otpauth URL: the
// sandbox does not draw one (a 1×1 PNG); the secret is in the answer.
const qrPlaceholder = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

var base32NoPad = base32.StdEncoding.WithPadding(base32.NoPadding)

func (s *server) getProfile(rw http.ResponseWriter, _ *http.Request, who caller) error {
	u := who.user
	writeJSON(rw, http.StatusOK, map[string]any{
		"id": u.ID, "username": u.Username, "email": u.Email, "fallbackEmail": u.FallbackEmail,
		"displayName": u.DisplayName, "twoFactorAuthenticationEnabled": u.TwoFactorEnabled, "role": u.Role,
		"hasBackgroundImage": false, "avatarUrl": "", "source": "",
	})
	return nil
}

// twoFactorSecret starts 2FA enrolment: a new TOTP secret, not yet
// enforced until a code from it is confirmed.
func (s *server) twoFactorSecret(rw http.ResponseWriter, r *http.Request, who caller) error {
	raw := make([]byte, 20)
	rand.Read(raw)
	secret := base32NoPad.EncodeToString(raw)
	err := s.update(r.Context(), "cloudron.user.2fa.secret", func(c *world.Cloudron, _ *world.Data) error {
		u := userByID(c, who.user.ID)
		if u == nil {
			return fail(http.StatusNotFound, "User not found")
		}
		if u.TwoFactorEnabled {
			return fail(http.StatusConflict, "TwoFactor Authentication is enabled, disable first")
		}
		u.TwoFactorSecret = secret
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, map[string]string{"secret": secret, "qrcode": qrPlaceholder})
	return nil
}

// twoFactorEnable confirms enrolment with a current code; codes up to two
// time steps (±60 s) off are accepted, as speakeasy's window 2 in [v4].
func (s *server) twoFactorEnable(rw http.ResponseWriter, r *http.Request, who caller) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	code, ok := b.str("totpToken")
	if !ok || code == "" {
		return fail(http.StatusBadRequest, "totpToken must be a nonempty string")
	}
	now := s.w.Now()
	err = s.update(r.Context(), "cloudron.user.2fa.enable", func(c *world.Cloudron, _ *world.Data) error {
		u := userByID(c, who.user.ID)
		switch {
		case u == nil:
			return fail(http.StatusNotFound, "User not found")
		case u.TwoFactorSecret == "" || !totpValid(u.TwoFactorSecret, code, now):
			return fail(http.StatusPreconditionFailed, "Invalid token")
		case u.TwoFactorEnabled:
			return fail(http.StatusConflict, "TwoFactor Authentication is already enabled")
		}
		u.TwoFactorEnabled = true
		return nil
	})
	if err != nil {
		return err
	}
	noContent(rw, http.StatusNoContent)
	return nil
}

// twoFactorDisable needs the user's password; a wrong one is refused with
// 412 (unverified).
func (s *server) twoFactorDisable(rw http.ResponseWriter, r *http.Request, who caller) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	pw, ok := b.str("password")
	if !ok {
		return fail(http.StatusBadRequest, "password must be a string")
	}
	err = s.update(r.Context(), "cloudron.user.2fa.disable", func(c *world.Cloudron, _ *world.Data) error {
		u := userByID(c, who.user.ID)
		if u == nil {
			return fail(http.StatusNotFound, "User not found")
		}
		if !passwordMatches(u.PasswordHash, pw) {
			return fail(http.StatusPreconditionFailed, "Wrong password")
		}
		u.TwoFactorEnabled, u.TwoFactorSecret = false, ""
		return nil
	})
	if err != nil {
		return err
	}
	noContent(rw, http.StatusNoContent)
	return nil
}

// resetTwoFactor is the admin's reset for a member who lost the phone.
func (s *server) resetTwoFactor(rw http.ResponseWriter, r *http.Request, _ caller) error {
	err := s.update(r.Context(), "cloudron.user.2fa.reset", func(c *world.Cloudron, _ *world.Data) error {
		u := userByID(c, r.PathValue("id"))
		if u == nil {
			return fail(http.StatusNotFound, "User not found")
		}
		u.TwoFactorEnabled, u.TwoFactorSecret = false, ""
		return nil
	})
	if err != nil {
		return err
	}
	noContent(rw, http.StatusNoContent)
	return nil
}

// totp is the RFC 6238 code (SHA-1, 30 s, 6 digits) of a base32 secret.
func totp(secret string, at time.Time) (string, error) {
	key, err := base32NoPad.DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		return "", fmt.Errorf("totp secret: %w", err)
	}
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(counter[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff % 1_000_000
	return fmt.Sprintf("%06d", code), nil
}

func totpValid(secret, code string, now time.Time) bool {
	for step := -2; step <= 2; step++ {
		if want, err := totp(secret, now.Add(time.Duration(step)*30*time.Second)); err == nil && hmac.Equal([]byte(want), []byte(code)) {
			return true
		}
	}
	return false
}
