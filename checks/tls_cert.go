package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/chapterctl/chapterctl/internal/netx"
)

// TLSCheckID is the doctor id of the certificate check of one HTTPS name.
const TLSCheckID = "tls.cert"

// Expiry thresholds (the issue's, for verify): Let's Encrypt certificates
// live 90 days and Cloudron renews them from 30 days before the end, so 14
// days left means renewal has failed for two weeks; 3 days left leaves no
// time to fix it before browsers refuse the site.
const (
	certWarnLeft = 14 * 24 * time.Hour
	certFailLeft = 3 * 24 * time.Hour
)

// tlsTimeout bounds the connection and handshake to one name.
const tlsTimeout = 10 * time.Second

// CheckTLS connects to host:443 through dialer, with host as the server
// name, verifies the certificate chain against roots (nil: the system's)
// and the name, as a browser would, and judges how long it has left. now
// is the time the chain is verified at. Verification is never skipped:
// a failed one is itself the verdict, told apart by its kind.
func CheckTLS(ctx context.Context, dialer netx.Dialer, roots *x509.CertPool, host string, now time.Time) Result {
	leaf, r := VerifiedLeaf(ctx, dialer, roots, host, now)
	if leaf == nil {
		return r
	}
	return JudgeExpiry(host, leaf, now)
}

// VerifiedLeaf is CheckTLS's handshake: the certificate host presents,
// verified, or nil and the verdict on why not.
func VerifiedLeaf(ctx context.Context, dialer netx.Dialer, roots *x509.CertPool, host string, now time.Time) (*x509.Certificate, Result) {
	ctx, cancel := context.WithTimeout(ctx, tlsTimeout)
	defer cancel()
	raw, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(host, "443"))
	if err != nil {
		return nil, Result{Status: Fail, Detail: fmt.Sprintf("%s: nothing answers on port 443: %v", host, err),
			Fix: "check that the name points at the server (\"chapterctl dns verify\") and that the app is running in the Cloudron dashboard"}
	}
	conn := tls.Client(raw, &tls.Config{ServerName: host, RootCAs: roots, MinVersion: tls.VersionTLS12,
		Time: func() time.Time { return now }})
	defer conn.Close()
	if err := conn.HandshakeContext(ctx); err != nil {
		return nil, judgeHandshake(host, err)
	}
	return conn.ConnectionState().PeerCertificates[0], Result{Status: Pass}
}

// JudgeExpiry judges a verified certificate by the time it has left.
func JudgeExpiry(host string, leaf *x509.Certificate, now time.Time) Result {
	left := leaf.NotAfter.Sub(now)
	ends := leaf.NotAfter.Local().Format("Jan 2 2006 15:04")
	fix := "check that ports 80 and 443 are open, then renew the certificate in the Cloudron dashboard (Domains)"
	switch {
	case left <= certFailLeft:
		return Result{Status: Fail, Detail: fmt.Sprintf("%s: the certificate expires %s (%s left) and did not renew", host, ends, days(left)), Fix: fix}
	case left <= certWarnLeft:
		return Result{Status: Warn, Detail: fmt.Sprintf("%s: the certificate expires %s (%s left) and did not renew", host, ends, days(left)), Fix: fix}
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("%s: valid certificate from %s, until %s", host, issuerName(leaf), ends)}
}

// judgeHandshake names why the certificate was refused.
func judgeHandshake(host string, err error) Result {
	renew := "renew the certificate in the Cloudron dashboard (Domains), then run \"chapterctl doctor\""
	var (
		invalid  x509.CertificateInvalidError
		hostname x509.HostnameError
		unknown  x509.UnknownAuthorityError
	)
	switch {
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return Result{Status: Fail, Detail: fmt.Sprintf("%s: the certificate has expired (or is not valid yet): %v", host, invalid.Detail), Fix: renew}
	case errors.As(err, &hostname):
		return Result{Status: Fail, Detail: fmt.Sprintf("%s: the certificate is for another name (%s)", host, certNames(hostname.Certificate)), Fix: renew}
	case errors.As(err, &unknown):
		return Result{Status: Fail, Detail: fmt.Sprintf("%s: the certificate is not from a trusted authority (issued by %s; self-signed until Let's Encrypt issues one)",
			host, issuerName(unknown.Cert)), Fix: renew}
	}
	return Result{Status: Fail, Detail: fmt.Sprintf("%s: TLS failed: %v", host, err),
		Fix: "check that the app is running in the Cloudron dashboard, then run \"chapterctl doctor\""}
}

func days(d time.Duration) string {
	if d <= 0 {
		return "none"
	}
	n := int(d.Hours() / 24)
	if n == 1 {
		return "1 day"
	}
	if n == 0 {
		return "less than a day"
	}
	return fmt.Sprintf("%d days", n)
}

func issuerName(c *x509.Certificate) string {
	if c == nil {
		return "an unknown issuer"
	}
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	if len(c.Issuer.Organization) > 0 {
		return c.Issuer.Organization[0]
	}
	return "an unnamed issuer"
}

func certNames(c *x509.Certificate) string {
	if c == nil {
		return "unknown"
	}
	if len(c.DNSNames) > 0 {
		return fmt.Sprint(c.DNSNames)
	}
	return c.Subject.CommonName
}
