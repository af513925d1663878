package world

import (
	"crypto/tls"
	"net"
	"net/http"
)

// Journaled wraps a simulator's HTTP handler so that every request gets a
// journal line: the world learns in the request's context whether the
// handler changed it (through Update). The line is written when the status
// is sent, before the answer reaches the client, so a client that reads the
// journal right after an answer finds that answer's line.
func (w *World) Journaled(service string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		ctx, rec := WithRequest(r.Context(), service, r.Method, r.URL.Path)
		sw := &statusWriter{ResponseWriter: rw, finish: func(status int) { w.Finish(rec, status) }}
		defer sw.done(http.StatusOK)
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

type statusWriter struct {
	http.ResponseWriter
	finish   func(status int)
	finished bool
}

// done journals the request with status, once.
func (s *statusWriter) done(status int) {
	if !s.finished {
		s.finished = true
		s.finish(status)
	}
}

func (s *statusWriter) WriteHeader(code int) {
	s.done(code)
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.done(http.StatusOK)
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
	// Journal the request before the client can see the reset, as every
	// answer is journaled before it leaves.
	if sw, ok := rw.(*statusWriter); ok {
		sw.done(0)
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
