package mailgun

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// apiError is an answer Mailgun gives instead of doing what was asked:
// a status and the {"message": …} body of its Domains API.
type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.status, e.message) }

func badRequest(format string, args ...any) error {
	return &apiError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...)}
}

var (
	errDomainNotFound      = &apiError{status: http.StatusNotFound, message: "Domain not found"}
	errCredentialsNotFound = &apiError{status: http.StatusNotFound, message: "Credentials not found"}
)

func writeJSON(rw http.ResponseWriter, status int, body any) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	json.NewEncoder(rw).Encode(body)
}

func writeMessage(rw http.ResponseWriter, status int, message string) {
	writeJSON(rw, status, map[string]string{"message": message})
}

// writeError answers with err: Mailgun's own refusal, or a 500 when the
// world could not be saved.
func writeError(rw http.ResponseWriter, err error) {
	var api *apiError
	if errors.As(err, &api) {
		writeMessage(rw, api.status, api.message)
		return
	}
	writeMessage(rw, http.StatusInternalServerError, "Internal Server Error")
}

// parseForm reads a request's parameters from the query and from a
// multipart/form-data body (what mailgun-go sends) or a urlencoded one
// (what other clients send).
func parseForm(r *http.Request) error {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return badRequest("Invalid multipart form: %v", err)
		}
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("Invalid form: %v", err)
	}
	return nil
}

// formBool reads a boolean parameter, sent as the string "true" or "false"
// (reference §2); absent means fallback. Other spellings are refused
// (unverified text: Mailgun's wording for a bad boolean is not documented).
func formBool(r *http.Request, field string, fallback bool) (bool, error) {
	raw := r.FormValue(field)
	switch strings.ToLower(raw) {
	case "":
		return fallback, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, badRequest("Invalid boolean value %q for '%s'", raw, field)
}

// formChoice reads a parameter that must be one of choices; absent means
// the first.
func formChoice(r *http.Request, field string, choices ...string) (string, error) {
	raw := r.FormValue(field)
	if raw == "" {
		return choices[0], nil
	}
	for _, c := range choices {
		if strings.EqualFold(raw, c) {
			return c, nil
		}
	}
	return "", badRequest("Invalid value %q for '%s': must be one of %s", raw, field, strings.Join(choices, ", "))
}

// pageOf reads skip and limit (limit ≤ 1000, default 100) and cuts n items
// to that page.
func pageOf(r *http.Request, n int) (from, to int, err error) {
	limit, skip := 100, 0
	if v := r.FormValue("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 0 {
			return 0, 0, badRequest("Invalid 'limit' parameter")
		}
		if limit > 1000 {
			return 0, 0, badRequest("Limit parameter can't be larger than 1000")
		}
	}
	if v := r.FormValue("skip"); v != "" {
		if skip, err = strconv.Atoi(v); err != nil || skip < 0 {
			return 0, 0, badRequest("Invalid 'skip' parameter")
		}
	}
	from = min(skip, n)
	return from, min(from+limit, n), nil
}
