package digitalocean

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"
)

// attemptsHeader tells the error messages how many times a request was
// sent. It is set on the answer chapterctl received, never sent anywhere.
const attemptsHeader = "Chapterctl-Attempts"

// retryPolicy bounds how hard a request is retried.
type retryPolicy struct {
	attempts       int           // tries in all, the first one included
	minWait        time.Duration // backoff before the second try, doubled each time
	maxWait        time.Duration // backoff cap
	maxRetryAfter  time.Duration // a longer Retry-After is reported, not waited for
	attemptTimeout time.Duration
}

// defaultRetryPolicy: what godo's own retry would do (5 tries, 1–30 s),
// and at most two minutes for a Retry-After (DigitalOcean's per-minute
// burst limit asks for at most a minute).
var defaultRetryPolicy = retryPolicy{
	attempts: 5, minWait: time.Second, maxWait: 30 * time.Second,
	maxRetryAfter: 2 * time.Minute, attemptTimeout: attemptTimeout,
}

func (p retryPolicy) backoff(attempt int) time.Duration {
	wait := p.minWait
	for i := 1; i < attempt && wait < p.maxWait; i++ {
		wait *= 2
	}
	return min(wait, p.maxWait)
}

// retryTransport retries what is safe to retry. A request that may have
// been acted on (a 5xx, a reset, a timeout) is sent again only when
// sending it twice cannot make two of something: never a droplet or a
// firewall create, which would cost money or stack rules. A 429, or a
// connection that was never made, proves the API did nothing, so every
// request may be retried then.
type retryTransport struct {
	base   http.RoundTripper
	policy retryPolicy
	sleep  Sleeper
	log    *slog.Logger
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	repeatable := isRepeatable(req)
	for attempt := 1; ; attempt++ {
		resp, err := t.try(req, attempt)
		wait, again := t.retryWait(req, resp, err, attempt, repeatable)
		if !again {
			if resp != nil {
				resp.Header.Set(attemptsHeader, strconv.Itoa(attempt))
			}
			return resp, err
		}
		t.log.Debug("digitalocean: retrying", "method", req.Method, "path", req.URL.Path,
			"attempt", attempt, "wait", wait, "status", statusOf(resp), "error", err)
		discard(resp)
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// try sends one attempt with its own deadline; the deadline ends when the
// answer's body is closed.
func (t *retryTransport) try(req *http.Request, attempt int) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.policy.attemptTimeout)
	out := req.WithContext(ctx)
	if attempt > 1 {
		out = req.Clone(ctx)
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				cancel()
				return nil, err
			}
			out.Body = body
		}
	}
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// retryWait says whether to try again and after how long.
func (t *retryTransport) retryWait(req *http.Request, resp *http.Response, err error, attempt int, repeatable bool) (time.Duration, bool) {
	if attempt >= t.policy.attempts || req.Context().Err() != nil || !canResend(req) {
		return 0, false
	}
	wait := t.policy.backoff(attempt)
	switch {
	case err != nil:
		if isPermanent(err) || (!repeatable && !neverSent(err)) {
			return 0, false
		}
	case resp.StatusCode == http.StatusTooManyRequests:
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			wait = d
		}
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		if !repeatable {
			return 0, false
		}
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && resp.StatusCode == http.StatusServiceUnavailable {
			wait = d
		}
	default:
		return 0, false
	}
	if wait > t.policy.maxRetryAfter {
		return 0, false
	}
	// Waiting past the caller's deadline would only turn an answer into a
	// timeout.
	if deadline, ok := req.Context().Deadline(); ok && time.Until(deadline) < wait {
		return 0, false
	}
	return wait, true
}

// isRepeatable: methods that mean the same when sent twice, and the two
// creates whose repeat is harmless (a tag create answers with the existing
// tag; a second key create is a 422 that EnsureKey reads as "exists").
func isRepeatable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	case http.MethodPost:
		return req.URL.Path == "/v2/tags" || req.URL.Path == "/v2/account/keys"
	}
	return false
}

// canResend: a body that cannot be produced again cannot be sent again.
func canResend(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// neverSent: the connection was never made, so the API saw nothing.
func neverSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// isPermanent: a certificate the client does not trust will not become
// trusted by asking again.
func isPermanent(err error) bool {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &verify)
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date
// (RFC 9110 §10.2.3). A date in the past means now.
func retryAfter(value string, now time.Time) (time.Duration, bool) {
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(value); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	when, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return max(when.Sub(now), 0), true
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// discard reads a little of an answer that will not be used, so its
// connection can be reused, and closes it.
func discard(resp *http.Response) {
	if resp == nil {
		return
	}
	io.CopyN(io.Discard, resp.Body, 4<<10)
	resp.Body.Close()
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
