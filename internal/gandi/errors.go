package gandi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// APIError is an answer of Gandi other than success, kept behind the
// sentence the adapter returns (errors.As reaches it). It never holds the
// token: Gandi does not echo it.
type APIError struct {
	Method   string
	URL      string
	Status   int
	Object   string // Gandi's error object, e.g. "HTTPNotFound", "dns-record"
	Message  string // Gandi's own words, when the body had any
	Attempts int
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("gandi: %s %s: %d %s", e.Method, e.URL, e.Status, msg)
}

// errorBody holds both error shapes of LiveDNS (reference §1.3): the usual
// {code,message,object,cause} and validation's {status,errors:[…]}.
type errorBody struct {
	Message string `json:"message"`
	Object  string `json:"object"`
	Errors  []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"errors"`
}

func newAPIError(method, url string, r reply) *APIError {
	e := &APIError{Method: method, URL: url, Status: r.status, Attempts: r.attempts}
	var body errorBody
	if json.Unmarshal(r.body, &body) != nil {
		return e // a proxy's HTML page: the status is all there is
	}
	e.Object, e.Message = body.Object, body.Message
	if e.Message == "" {
		var parts []string
		for _, item := range body.Errors {
			parts = append(parts, item.Description)
		}
		e.Message = strings.Join(parts, "; ")
	}
	return e
}

// domainMissing tells a 404 for the domain (or the whole API path) from a
// 404 for an rrset that does not exist, which Gandi marks "dns-record".
func (e *APIError) domainMissing() bool {
	return e.Status == http.StatusNotFound && e.Object == "HTTPNotFound"
}

// Kinds of failure, for errors.Is: the errors the Client returns are
// sentences for the organizer; these say what a caller may do about them.
var (
	// ErrChanged: a record set is no longer what the plan was made from;
	// someone else (Gandi's web UI, another chapterctl) changed it. Nothing
	// was written; plan again.
	ErrChanged      = errors.New("changed since the plan")
	ErrUnauthorized = errors.New("Gandi refused the token (401)")
	// ErrNoAccess: the domain is not in the account, or the token may not
	// manage it (403, or 404 for the domain).
	ErrNoAccess    = errors.New("the token cannot manage this domain at Gandi")
	ErrRefused     = errors.New("Gandi refused the request as invalid")
	ErrRateLimited = errors.New("Gandi is limiting requests (429)")
	ErrUnavailable = errors.New("Gandi's API failed (5xx)")
	ErrUnreachable = errors.New("could not reach Gandi's API")
)

// userError is one sentence for the person at the terminal, with its kind
// for errors.Is and the technical cause for errors.As and the debug log.
type userError struct {
	msg  string
	kind error
	err  error
}

func (e *userError) Error() string        { return e.msg }
func (e *userError) Unwrap() error        { return e.err }
func (e *userError) Is(target error) bool { return e.kind != nil && target == e.kind }

// explain turns Gandi's answer about subject (e.g. "the record set my/A of
// example.org") into what the user should do.
func explain(fqdn, subject string, e *APIError) error {
	var msg string
	var kind error
	switch s := e.Status; {
	case s == http.StatusUnauthorized:
		msg, kind = "Gandi refused the token: "+TokenHelp, ErrUnauthorized
	case s == http.StatusForbidden || e.domainMissing() || (s == http.StatusNotFound && subject == ""):
		msg = fmt.Sprintf("Gandi has no domain %s for this token (%d): the domain is not in this account, "+
			"or the token is limited to other domains or lacks 'Manage domain name technical configurations'; "+
			"check the domain name and GANDI_BEARER_TOKEN", fqdn, s)
		kind = ErrNoAccess
	case s == http.StatusTooManyRequests:
		msg = fmt.Sprintf("Gandi kept refusing requests as too many (429) after %s: "+
			"wait a minute and run the command again", tries(e.Attempts))
		kind = ErrRateLimited
	case s >= 500:
		msg = fmt.Sprintf("Gandi's API kept failing (%d %s) after %s: "+
			"check https://status.gandi.net and run the command again later", s, http.StatusText(s), tries(e.Attempts))
		kind = ErrUnavailable
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
		msg = fmt.Sprintf("Gandi refused %s (%d): %s", orDomain(subject, fqdn), s, orText(e.Message, s))
		kind = ErrRefused
	default:
		msg = fmt.Sprintf("Gandi answered %d %s about %s: %s", s, http.StatusText(s), orDomain(subject, fqdn),
			orText(e.Message, s))
	}
	return &userError{msg: msg, kind: kind, err: e}
}

func orDomain(subject, fqdn string) string {
	if subject == "" {
		return "the domain " + fqdn
	}
	return subject
}

func orText(message string, status int) string {
	if message == "" {
		return strings.ToLower(http.StatusText(status))
	}
	return message
}

// transportError is a request that got no answer at all.
type transportError struct {
	method, url string
	attempts    int
	err         error
}

func (e *transportError) Error() string {
	return fmt.Sprintf("gandi: %s %s: %v", e.method, e.url, e.err)
}

func (e *transportError) Unwrap() error { return e.err }

// explainTransport says why Gandi could not be asked. When the caller's
// context ended, that is the cause and it is returned as such (errors.Is
// finds context.Canceled or DeadlineExceeded): the caller stopped, Gandi did
// not fail.
func explainTransport(ctx context.Context, err error) error {
	var te *transportError
	if !errors.As(err, &te) || ctx.Err() != nil {
		return err
	}
	if isCertificateError(err) {
		return &userError{msg: fmt.Sprintf("Gandi's API presented a certificate this computer does not trust (%v): "+
			"check the network for a proxy that intercepts HTTPS", te.err), kind: ErrUnreachable, err: err}
	}
	return &userError{msg: fmt.Sprintf("could not reach Gandi's API after %s (%v): "+
		"check the network connection and run the command again", tries(te.attempts), te.err), kind: ErrUnreachable, err: err}
}

func tries(n int) string {
	if n == 1 {
		return "1 try"
	}
	return fmt.Sprintf("%d tries", n)
}

// describe shows an rrset's values briefly, for an error message.
func describe(rr RRSet) string {
	if len(rr.Values) == 0 {
		return "nothing"
	}
	shown := make([]string, len(rr.Values))
	for i, v := range rr.Values {
		if len(v) > 60 {
			v = v[:57] + "..."
		}
		shown[i] = v
	}
	return fmt.Sprintf("%s (TTL %d)", strings.Join(shown, ", "), rr.TTL)
}
