package world

import (
	"crypto/tls"
	"net"
	"net/http"
)

// Journaled wraps a simulator's HTTP handler so that every request gets a
// journal line: the world learns in the request's context whether the
// handler changed it (through Update).
func (w *World) Journaled(service string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		ctx, rec := WithRequest(r.Context(), service, r.Method, r.URL.Path)
		sw := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
		defer func() { w.Finish(rec, sw.status) }()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wroteHeader = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (to hijack it
// for a connection-reset fault).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// ResetConnection drops the request without an answer, as a failing server
// or network would: over HTTP/1 the connection is hijacked and closed with a
// TCP reset (no TLS close_notify); HTTP/2 cannot hand its connection over,
// so the stream is aborted, which the client sees the same way. The journal
// records the request with status 0.
func ResetConnection(rw http.ResponseWriter, r *http.Request) {
	if rec := requestOf(r.Context()); rec != nil {
		rec.mu.Lock()
		rec.dropped = true
		rec.mu.Unlock()
	}
	conn, _, err := http.NewResponseController(rw).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*tls.Conn); ok {
		conn = tc.NetConn()
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0) // close with RST, not FIN
	}
	conn.Close()
}
