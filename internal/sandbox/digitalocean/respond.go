package digitalocean

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// apiError is an error answer: the status and the body's id and message
// (reference §2: {"id","message","request_id"}).
type apiError struct {
	status  int
	id      string
	message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.id, e.message) }

func badRequest(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "bad_request", msg}
}

func unprocessable(msg string) *apiError {
	return &apiError{http.StatusUnprocessableEntity, "unprocessable_entity", msg}
}

func unprocessablef(format string, args ...any) *apiError {
	return unprocessable(fmt.Sprintf(format, args...))
}

var (
	errNotFound     = &apiError{http.StatusNotFound, "not_found", "The resource you requested could not be found."}
	errUnauthorized = &apiError{http.StatusUnauthorized, "unauthorized", "Unable to authenticate you."}
	errServer       = &apiError{http.StatusInternalServerError, "server_error", "Unexpected server-side error"}
	errBadBody      = badRequest("error parsing request body")
	// The 429 text: the reference quotes "API Rate limit exceeded." from
	// real answers, the spec's example lower-cases "rate" (unverified which
	// is current); the real answers win.
	errRateLimited = &apiError{http.StatusTooManyRequests, "too_many_requests", "API Rate limit exceeded."}
)

// newRequestID is a UUID v4, the shape of DigitalOcean's x-request-id.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func writeJSON(rw http.ResponseWriter, status int, body any) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	json.NewEncoder(rw).Encode(body)
}

// writeError answers err: an *apiError as itself, anything else as a 500
// (a bug in the simulator must still look like an API failure).
func writeError(rw http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = errServer
	}
	writeJSON(rw, e.status, map[string]string{
		"id": e.id, "message": e.message, "request_id": rw.Header().Get("X-Request-Id"),
	})
}

func writeNoContent(rw http.ResponseWriter) { rw.WriteHeader(http.StatusNoContent) }

// maxBody bounds what a request body may hold: far above the 64 KiB of
// user data, the largest thing a client sends.
const maxBody = 1 << 20

// decodeBody reads a JSON request body into v; a body that is not JSON of
// the right shape is the API's 400.
func decodeBody(r *http.Request, v any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(v); err != nil {
		return errBadBody
	}
	return nil
}

// timestamp formats t as the API does: RFC 3339, UTC, whole seconds.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// optionalTimestamp is a timestamp, or null before t.
func optionalTimestamp(t time.Time, now time.Time) *string {
	if t.IsZero() || now.Before(t) {
		return nil
	}
	s := timestamp(t)
	return &s
}
