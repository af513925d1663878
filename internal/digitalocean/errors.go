package digitalocean

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/digitalocean/godo"
)

// Kinds of failure, for errors.Is. The errors the Client returns are
// sentences for the organizer; these say what a caller may do about them.
var (
	ErrNoToken      = errors.New("no DigitalOcean token was given: set DIGITALOCEAN_ACCESS_TOKEN")
	ErrUnauthorized = errors.New("DigitalOcean refused the token (401): check DIGITALOCEAN_ACCESS_TOKEN")
	ErrForbidden    = errors.New("DigitalOcean did not allow it (403)")
	ErrNotFound     = errors.New("DigitalOcean has no such thing (404)")
	ErrRefused      = errors.New("DigitalOcean refused the request")
	ErrRateLimited  = errors.New("DigitalOcean is limiting this token's requests (429)")
	ErrUnavailable  = errors.New("DigitalOcean's API failed")
	ErrUnreachable  = errors.New("could not reach DigitalOcean")
	// ErrCreateUncertain: a create was sent and its answer lost (a 5xx, a
	// reset, a timeout). It may exist: list by tag before creating again.
	ErrCreateUncertain = errors.New("DigitalOcean may have created it but its answer was lost")
	// ErrCreateFailed: the droplet exists but its creation errored; it will
	// never become active. Delete it before creating another.
	ErrCreateFailed = errors.New("DigitalOcean could not finish creating the droplet")
)

// failure is one failure told in one sentence; errors.Is finds its kind,
// errors.As what godo or the network returned.
type failure struct {
	msg   string
	kind  error
	cause error
}

func (f *failure) Error() string { return f.msg }
func (f *failure) Unwrap() []error {
	if f.cause == nil {
		return []error{f.kind}
	}
	return []error{f.kind, f.cause}
}

// fail describes err, the outcome of doing op ("read the account"), as
// "op: what happened: what to do". The token never appears, even if
// something upstream echoed it.
func (c *Client) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	kind, why := classify(err)
	return c.failure(op, kind, why, err)
}

func (c *Client) failure(op string, kind error, why string, cause error) error {
	msg := why
	if op != "" {
		msg = op + ": " + why
	}
	return &failure{msg: c.redactor.Redact(msg), kind: kind, cause: cause}
}

// classify turns what godo returned into a kind and a sentence.
func classify(err error) (kind error, why string) {
	switch {
	case errors.Is(err, ErrNoToken):
		return ErrNoToken, ErrNoToken.Error()
	case errors.Is(err, errEndlessList):
		return ErrUnavailable, errEndlessList.Error()
	}
	if er := errorResponse(err); er != nil {
		return classifyStatus(er)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return context.Canceled, "interrupted before DigitalOcean answered"
	case errors.Is(err, context.DeadlineExceeded):
		return ErrUnreachable, "DigitalOcean did not answer in time: check the network connection and run chapterctl again"
	}
	return ErrUnreachable, fmt.Sprintf("could not reach DigitalOcean (%s): check the network connection and run chapterctl again", innermost(err))
}

func classifyStatus(er *godo.ErrorResponse) (error, string) {
	status := er.Response.StatusCode
	detail := apiDetail(er)
	switch {
	case status == http.StatusUnauthorized:
		return ErrUnauthorized, ErrUnauthorized.Error()
	case status == http.StatusForbidden:
		return ErrForbidden, fmt.Sprintf("DigitalOcean did not allow it (%s): the token needs read and write scope; "+
			"make one at https://cloud.digitalocean.com/account/api/tokens", detail)
	case status == http.StatusNotFound:
		return ErrNotFound, ErrNotFound.Error()
	case status == http.StatusTooManyRequests:
		return ErrRateLimited, fmt.Sprintf("DigitalOcean is limiting this token's requests (%s): wait a minute and run chapterctl again", detail)
	case status >= 500:
		return ErrUnavailable, fmt.Sprintf("DigitalOcean's API failed (%s): try again in a few minutes; "+
			"https://status.digitalocean.com lists incidents", detail)
	}
	return ErrRefused, fmt.Sprintf("DigitalOcean refused it: %s (%d, %s)", apiMessage(er), status, requestFacts(er))
}

// apiDetail is "500 Unexpected server-side error, request 1a2b…, 5 tries":
// the status, the API's message, the request id support will ask for, and
// how often it was sent.
func apiDetail(er *godo.ErrorResponse) string {
	return fmt.Sprintf("%d %s, %s", er.Response.StatusCode, apiMessage(er), requestFacts(er))
}

// apiMessage is what the API said, or the status's name when it said
// nothing godo could read.
func apiMessage(er *godo.ErrorResponse) string {
	if msg := strings.TrimSpace(er.Message); msg != "" {
		return strings.TrimSuffix(msg, ".")
	}
	return http.StatusText(er.Response.StatusCode)
}

// requestFacts: the request id support will ask for, how often the
// request was sent, and how long the API asked us to wait.
func requestFacts(er *godo.ErrorResponse) string {
	var facts []string
	if er.RequestID != "" {
		facts = append(facts, "request "+er.RequestID)
	}
	if n := er.Response.Header.Get(attemptsHeader); n != "" && n != "1" {
		facts = append(facts, n+" tries")
	}
	if ra := er.Response.Header.Get("Retry-After"); ra != "" && er.Response.StatusCode == http.StatusTooManyRequests {
		facts = append(facts, "Retry-After "+ra)
	}
	if len(facts) == 0 {
		return "no request id"
	}
	return strings.Join(facts, ", ")
}

// innermost is the network's own words, without the URL and method the
// url.Error repeats.
func innermost(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err.Error()
	}
	return err.Error()
}

// errorResponse is the API's answer to a failed request, nil when there
// was none.
func errorResponse(err error) *godo.ErrorResponse {
	var er *godo.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er
	}
	return nil
}

// statusCode is the HTTP status of a godo failure, 0 for anything else.
func statusCode(err error) int {
	if er := errorResponse(err); er != nil {
		return er.Response.StatusCode
	}
	return 0
}

// answerLost: the request may have been acted on and we cannot tell: a
// 5xx, or no answer at all (reset, timeout, interrupted) after the
// connection was made.
func answerLost(err error) bool {
	if err == nil || errors.Is(err, ErrNoToken) || neverSent(err) {
		return false
	}
	status := statusCode(err)
	return status == 0 || status >= 500
}
