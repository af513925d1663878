package cloudron

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Certificate is the certificate the Cloudron's nginx presents for host
// (the TLS server name; "" or an IP address when the client sent none):
// the one issued for that host, the domain's fallback when issuing failed,
// else the installer's self-signed one. The certificate faults change
// which is served. For the sandbox's TLS front, called inside w.Read.
func Certificate(c *world.Cloudron, host string) (tls.Certificate, error) {
	if c == nil {
		return tls.Certificate{}, errors.New("cloudron: not installed")
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if cert := certFor(c, host); cert != nil {
		pair := cert.Normal
		if cert.App {
			switch c.FaultState.CertVariant {
			case variantExpiring:
				pair = cert.Expiring
			case variantExpired:
				pair = cert.Expired
			}
		}
		return parsePair(pair)
	}
	if c.Fallback != nil && inDomain(c, host) {
		return parsePair(*c.Fallback)
	}
	if c.FaultState.Impostor != nil {
		return parsePair(*c.FaultState.Impostor)
	}
	if c.SelfSignedCert == "" {
		return parsePair(world.CertKeyPEM{Cert: c.TLSCert, Key: c.TLSKey})
	}
	return parsePair(world.CertKeyPEM{Cert: c.SelfSignedCert, Key: c.SelfSignedKey})
}

const (
	variantExpiring = "expiring"
	variantExpired  = "expired"
)

// inDomain tells whether host is one of the Cloudron's domains or below one.
func inDomain(c *world.Cloudron, host string) bool {
	if net.ParseIP(host) != nil {
		return false
	}
	for _, dom := range c.Domains {
		if host == dom.Domain || strings.HasSuffix(host, "."+dom.Domain) {
			return true
		}
	}
	return false
}

func certFor(c *world.Cloudron, host string) *world.CloudronCert {
	for _, cert := range c.Certs {
		if cert.Host == host {
			return cert
		}
	}
	return nil
}

func setCert(c *world.Cloudron, cert *world.CloudronCert) {
	for i, old := range c.Certs {
		if old.Host == cert.Host {
			c.Certs[i] = cert
			return
		}
	}
	c.Certs = append(c.Certs, cert)
}

// issueCert asks the simulated Let's Encrypt for host's certificate: a
// 90-day one and, for an app, the two variants the certificate faults
// serve. A fault's Break gets only the world's data, not the sandbox CA,
// so the variants are issued now: "expiring" ends 10 days after the
// install, which in a sandbox session is "in 10 days".
func issueCert(ctx context.Context, deps Deps, now time.Time, host string, app bool) (*world.CloudronCert, error) {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	day := 24 * time.Hour
	cert := &world.CloudronCert{Host: host, App: app}
	var err error
	if cert.Normal, err = issuePair(ctx, deps, now.Add(-time.Hour), now.Add(90*day), host); err != nil {
		return nil, err
	}
	if !app {
		return cert, nil
	}
	if cert.Expiring, err = issuePair(ctx, deps, now.Add(-80*day), now.Add(10*day), host); err != nil {
		return nil, err
	}
	if cert.Expired, err = issuePair(ctx, deps, now.Add(-91*day), now.Add(-day), host); err != nil {
		return nil, err
	}
	return cert, nil
}

func issuePair(ctx context.Context, deps Deps, notBefore, notAfter time.Time, host string) (world.CertKeyPEM, error) {
	tc, err := deps.IssueCertificate(ctx, notBefore, notAfter, host)
	if err != nil {
		return world.CertKeyPEM{}, fmt.Errorf("certificate for %s: %w", host, err)
	}
	return toPEM(tc)
}

func toPEM(tc tls.Certificate) (world.CertKeyPEM, error) {
	var chain []byte
	for _, der := range tc.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	key, err := x509.MarshalPKCS8PrivateKey(tc.PrivateKey)
	if err != nil {
		return world.CertKeyPEM{}, fmt.Errorf("certificate key: %w", err)
	}
	return world.CertKeyPEM{Cert: string(chain), Key: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}))}, nil
}

func parsePair(p world.CertKeyPEM) (tls.Certificate, error) {
	if p.Cert == "" {
		return tls.Certificate{}, errors.New("cloudron: no certificate")
	}
	return tls.X509KeyPair([]byte(p.Cert), []byte(p.Key))
}
