package mailgun

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// The SMTP relay hosts. A login works only on its domain's region's host.
const (
	SMTPHostUS = "smtp.mailgun.org"
	SMTPHostEU = "smtp.eu.mailgun.org"
)

// AuthFailedReply is Mailgun's SMTP answer to a wrong login, as clients
// have reported it since about 2023 ("Invalid login: 535 Authentication
// failed" through nodemailer). Until about 2020 it read "535 5.7.0 Mailgun
// is not loving your login or password"; change it here to switch.
const AuthFailedReply = "535 Authentication failed"

// ErrAuthFailed is CheckLogin's refusal; its text is the SMTP reply, which
// is what an SMTP library reports to its caller (Cloudron shows it).
var ErrAuthFailed = errors.New(AuthFailedReply)

// SMTPRegion tells which region an SMTP host name (with or without a port)
// serves.
func SMTPRegion(host string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	switch strings.ToLower(strings.TrimSuffix(host, ".")) {
	case SMTPHostUS:
		return RegionUS, true
	case SMTPHostEU:
		return RegionEU, true
	}
	return "", false
}

// CheckLogin tells whether user and pass log in to Mailgun's SMTP relay at
// host, as the SMTP server would answer AUTH: nil, ErrAuthFailed, or an
// error when host is no Mailgun relay. For the Cloudron simulator's relay
// test, in-process; call it inside w.Read.
func CheckLogin(d *world.Data, host, user, pass string) error {
	region, ok := SMTPRegion(host)
	if !ok {
		return fmt.Errorf("mailgun: %s is not a Mailgun SMTP host (%s or %s)", host, SMTPHostUS, SMTPHostEU)
	}
	_, domain, _ := strings.Cut(user, "@")
	dom := domainIn(d, region, domain)
	if dom == nil {
		return ErrAuthFailed
	}
	// Unverified domains may send (300 a day), so their logins work.
	c := dom.Credential(user)
	if c == nil || c.Password != pass {
		return ErrAuthFailed
	}
	return nil
}
