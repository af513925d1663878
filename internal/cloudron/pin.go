package cloudron

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"

	"github.com/chapterctl/chapterctl/internal/netx"
)

// CertMismatchError: the server presented another certificate than the
// pinned one. Someone may be intercepting the connection, so nothing was
// sent; the caller must stop, not retry.
type CertMismatchError struct {
	Host      string
	Pinned    string // SHA-256 fingerprint of the pinned certificate
	Presented string // SHA-256 fingerprint of what the server presented
}

func (e *CertMismatchError) Error() string {
	return fmt.Sprintf("WARNING: the Cloudron at %s presented a different TLS certificate than the one read from the server over SSH "+
		"(expected SHA-256 %s, got %s); someone may be intercepting the connection, so nothing was sent. "+
		"If you replaced the server's certificate yourself, read it again over SSH; otherwise do not continue",
		e.Host, e.Pinned, e.Presented)
}

// ParseCertificate reads a certificate in PEM (the first CERTIFICATE
// block) or DER form.
func ParseCertificate(data []byte) (*x509.Certificate, error) {
	der := data
	if block, _ := pem.Decode(data); block != nil {
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("a PEM %s block is not a certificate", block.Type)
		}
		der = block.Bytes
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("not a PEM or DER certificate: %w", err)
	}
	return cert, nil
}

// Fingerprint is the SHA-256 of a certificate's DER bytes, in hex: what
// state.json records and what a CertMismatchError shows.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// transport is netx's transport with the client's trust: only the pinned
// certificate when there is one, else opts.Roots.
//
// Pinning keeps normal verification on (never InsecureSkipVerify): the
// pinned certificate is the only root, so a chain to anything else fails,
// and VerifyConnection then demands the very same leaf. The hostname check
// stays too, so the pinned certificate must name the address dialled (the
// installer's certificate carries the server's IP).
func transport(dialer netx.Dialer, opts Options, pinned *x509.Certificate) *http.Transport {
	roots := opts.Roots
	if pinned != nil {
		roots = x509.NewCertPool()
		roots.AddCert(pinned)
	}
	tr := netx.Transport(dialer, roots)
	tr.TLSClientConfig.ServerName = opts.ServerName
	if pinned != nil {
		tr.TLSClientConfig.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 || !bytes.Equal(cs.PeerCertificates[0].Raw, pinned.Raw) {
				presented := "nothing"
				if len(cs.PeerCertificates) > 0 {
					presented = Fingerprint(cs.PeerCertificates[0])
				}
				return &CertMismatchError{Host: cs.ServerName, Pinned: Fingerprint(pinned), Presented: presented}
			}
			return nil
		}
	}
	return tr
}

// certificateError explains a failed TLS verification: a pin mismatch, the
// pinned certificate refused for another reason, or an untrusted one.
func (c *Client) certificateError(err error) error {
	var mismatch *CertMismatchError
	if errors.As(err, &mismatch) {
		if mismatch.Host == "" {
			mismatch.Host = c.host
		}
		return mismatch
	}
	var verify *tls.CertificateVerificationError
	if !errors.As(err, &verify) || len(verify.UnverifiedCertificates) == 0 {
		return nil
	}
	leaf := verify.UnverifiedCertificates[0]
	if c.pinned == nil {
		return fmt.Errorf("the Cloudron at %s presented a certificate this computer does not trust (%v); "+
			"if setup could not get a Let's Encrypt certificate, check that port 80 is open and my.<domain> points at the server", c.host, verify.Err)
	}
	if !bytes.Equal(leaf.Raw, c.pinned.Raw) {
		return &CertMismatchError{Host: c.host, Pinned: Fingerprint(c.pinned), Presented: Fingerprint(leaf)}
	}
	return fmt.Errorf("the Cloudron at %s presented the pinned certificate, but it is not valid for this address (%v)", c.host, verify.Err)
}
