package cloudron

import (
	"fmt"
	"net/url"
	"time"

	"github.com/pquerna/otp/totp"
)

// TOTPCode is the code of a two-factor secret at a time: RFC 6238 with
// SHA-1, 30 s steps and 6 digits, the authenticator-app defaults that
// Cloudron's verifier (speakeasy) uses too.
func TOTPCode(secret string, at time.Time) (string, error) {
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		// The library's error never quotes the secret; say so plainly anyway.
		return "", fmt.Errorf("compute the two-factor code: the stored secret is not valid base32")
	}
	return code, nil
}

// TOTPURI is the otpauth:// address of a secret, what an authenticator app
// reads from a QR code. The label is the one Cloudron's own enrolment
// encodes ("Cloudron <dashboard host> (<username>)", box src/users.js), so
// the entry reads the same whichever way the organizer added it; issuer
// follows Google's Key URI format, which apps use for the icon.
func TOTPURI(dashboardHost, username, secret string) string {
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/Cloudron " + dashboardHost + " (" + username + ")",
		RawQuery: url.Values{"secret": {secret}, "issuer": {"Cloudron"}}.Encode()}
	return u.String()
}
