package simnet

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"time"
)

// HTTPS serves handler over TLS on a new 127.0.0.1 port with a certificate
// the CA issues for names (the API host names and 127.0.0.1). It returns the
// listener's address and a function that stops it.
func HTTPS(ca *CA, handler http.Handler, names ...string) (addr string, stop func(), err error) {
	cert, err := ca.Issue(append(names, "127.0.0.1")...)
	if err != nil {
		return "", nil, err
	}
	return ServeTLS(handler, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
}

// ServeTLS serves handler on a new 127.0.0.1 port with config.
func ServeTLS(handler http.Handler, config *tls.Config) (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: handler, TLSConfig: config, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			ln.Close()
		}
	}()
	// Close, not Shutdown: a simulator going away drops its connections,
	// as a server that dies would.
	return ln.Addr().String(), func() { srv.Close() }, nil
}
