package cloudron

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// apiError is an error answer: connect-lastmile's HttpError, rendered as
// {"status":"<reason phrase>","message":"…"}.
type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.status, e.message) }

func fail(status int, format string, args ...any) error {
	return &apiError{status: status, message: fmt.Sprintf(format, args...)}
}

// errGone: the Cloudron disappeared while a request was being served (the
// droplet was destroyed).
var errGone = &apiError{status: http.StatusBadGateway, message: "Bad Gateway"}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	json.NewEncoder(rw).Encode(v)
}

func writeError(rw http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = &apiError{status: http.StatusInternalServerError, message: err.Error()}
	}
	if e == errGone {
		badGateway(rw)
		return
	}
	writeJSON(rw, e.status, map[string]string{"status": http.StatusText(e.status), "message": e.message})
}

// noContent answers a status with an empty JSON object, as the box does
// for 200/201/202 without a body ({}), or nothing at all for 204.
func noContent(rw http.ResponseWriter, status int) {
	if status == http.StatusNoContent {
		rw.WriteHeader(status)
		return
	}
	writeJSON(rw, status, struct{}{})
}

// badGateway is what nginx in front of the box answers when the box is
// not running.
func badGateway(rw http.ResponseWriter) {
	rw.Header().Set("Content-Type", "text/html")
	rw.WriteHeader(http.StatusBadGateway)
	io.WriteString(rw, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"+
		"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
}

func notFoundRoute(rw http.ResponseWriter, _ *http.Request) {
	writeError(rw, fail(http.StatusNotFound, "No such route"))
}

// body is a request's JSON object, read loosely so that each handler can
// give the box's own message for a missing or mistyped field.
type body map[string]any

func readBody(r *http.Request) (body, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, fail(http.StatusBadRequest, "could not read the body: %v", err)
	}
	b := body{}
	if len(raw) == 0 {
		return b, nil
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fail(http.StatusBadRequest, "Failed to parse body: %v", err)
	}
	return b, nil
}

func (b body) has(key string) bool { _, ok := b[key]; return ok }

func (b body) str(key string) (string, bool) {
	s, ok := b[key].(string)
	return s, ok
}

func (b body) boolean(key string) (bool, bool) {
	v, ok := b[key].(bool)
	return v, ok
}

func (b body) number(key string) (float64, bool) {
	v, ok := b[key].(float64)
	return v, ok
}

func (b body) object(key string) (map[string]any, bool) {
	v, ok := b[key].(map[string]any)
	return v, ok
}

// strings reads an array of strings; false if it is not one.
func (b body) strings(key string) ([]string, bool) {
	arr, ok := b[key].([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for _, v := range arr {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// raw re-encodes a field as it came (null when absent).
func (b body) raw(key string) json.RawMessage {
	v, ok := b[key]
	if !ok || v == nil {
		return nil
	}
	out, _ := json.Marshal(v)
	return out
}

// optional checks the types of optional fields: each key present must
// satisfy its check, else 400 "<key> must be <what>".
func (b body) optional(checks ...fieldCheck) error {
	for _, c := range checks {
		if !b.has(c.key) {
			continue
		}
		var ok bool
		switch c.kind {
		case "string":
			_, ok = b.str(c.key)
		case "boolean":
			_, ok = b.boolean(c.key)
		case "number":
			_, ok = b.number(c.key)
		case "object":
			_, ok = b.object(c.key)
		}
		if !ok {
			return fail(http.StatusBadRequest, "%s must be a %s", c.key, c.kind)
		}
	}
	return nil
}

type fieldCheck struct{ key, kind string }

// isoTime is the box's timestamp format.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// uuid4 is a random RFC 4122 version 4 UUID.
func uuid4() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// page applies ?page=&per_page= (1-based, 25 by default) to n items and
// returns the slice bounds.
func page(r *http.Request, n int) (from, to int, err error) {
	p, per := 1, 25
	if v := r.URL.Query().Get("page"); v != "" {
		if p, err = strconv.Atoi(v); err != nil || p < 1 {
			return 0, 0, fail(http.StatusBadRequest, "page query param has to be a postive number")
		}
	}
	if v := r.URL.Query().Get("per_page"); v != "" {
		if per, err = strconv.Atoi(v); err != nil || per < 1 {
			return 0, 0, fail(http.StatusBadRequest, "per_page query param has to be a postive number")
		}
	}
	from = min((p-1)*per, n)
	return from, min(from+per, n), nil
}
