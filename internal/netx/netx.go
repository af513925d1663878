// Package netx is how every chapterctl client reaches the network. The real
// world and the sandbox differ only in the Dialer and the trusted roots
// given here: godo, libdns/gandi, the SSH and DNS clients and Cloudron's
// client all dial through it.
package netx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"time"
)

// Dialer opens connections. *net.Dialer is one; the sandbox has another
// that maps the simulated world's names to loopback and refuses the rest.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Direct is the real network.
func Direct() Dialer { return &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second} }

// Transport is an HTTP transport that dials with d and trusts roots (nil:
// the system's roots). TLS is always verified.
func Transport(d Dialer, roots *x509.CertPool) *http.Transport {
	return &http.Transport{
		DialContext:           d.DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   15 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}
