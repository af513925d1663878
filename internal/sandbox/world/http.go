package world

import (
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
