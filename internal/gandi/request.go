package gandi

import (
	"github.com/chapterctl/chapterctl/internal/waitx"

	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxBody bounds an answer we read; a large zone is far below it.
const maxBody = 8 << 20

// retryPolicy says how often and how patiently a request is repeated. Only
// requests that are safe to repeat go through it: GETs, full-rrset PUTs
// (the same body twice leaves the same rrset) and rrset DELETEs.
type retryPolicy struct {
	attempts      int           // tries in all, the first included
	firstBackoff  time.Duration // doubled after each failure
	maxBackoff    time.Duration
	maxRetryAfter time.Duration // a longer Retry-After is not waited for
}

// defaultRetry rides out a short burst of 5xx or resets (about 4 s in all)
// and Gandi's rate limit, which resets within a minute; chapterctl stays far
// below 1000 requests a minute, so a 429 is someone else's burst.
var defaultRetry = retryPolicy{
	attempts:      5,
	firstBackoff:  250 * time.Millisecond,
	maxBackoff:    4 * time.Second,
	maxRetryAfter: time.Minute,
}

// reply is Gandi's final answer to a request, after any retries.
type reply struct {
	status   int
	header   http.Header
	body     []byte
	attempts int
}

func (r reply) ok() bool { return r.status >= 200 && r.status < 300 }

// send makes the request, repeating it while Gandi or the network say it
// may succeed later. The error is only for a request that got no answer
// (network, certificate, cancelled context); an answer with any status is
// the reply, for the caller to judge.
func (c *Client) send(ctx context.Context, method, url string, body []byte) (reply, error) {
	for attempt := 1; ; attempt++ {
		r, err := c.once(ctx, method, url, body)
		r.attempts = attempt
		wait, again := c.retry.after(ctx, attempt, r, err)
		if !again {
			if err != nil {
				return r, &transportError{method: method, url: url, attempts: attempt, err: err}
			}
			return r, nil
		}
		if c.Log != nil {
			c.Log.Debug("gandi: retrying", "method", method, "url", url, "status", r.status,
				"error", errText(err), "attempt", attempt, "wait", wait)
		}
		if err := waitx.Sleep(ctx, wait); err != nil {
			return r, &transportError{method: method, url: url, attempts: attempt, err: err}
		}
	}
}

// once makes one attempt, with its own deadline, and reads the whole answer
// (a connection reset half-way through the body is a failed attempt too).
func (c *Client) once(ctx context.Context, method, url string, body []byte) (reply, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var payload io.Reader
	if body != nil {
		payload = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, payload)
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return reply{}, err
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: raw}, nil
}

// after decides whether attempt's outcome is worth another try, and when.
func (p retryPolicy) after(ctx context.Context, attempt int, r reply, err error) (time.Duration, bool) {
	if attempt >= p.attempts || ctx.Err() != nil {
		return 0, false
	}
	backoff := p.backoff(attempt)
	switch {
	case err != nil:
		return backoff, !isCertificateError(err)
	case r.status == http.StatusTooManyRequests:
		wait, given := retryAfter(r.header, time.Now())
		if !given {
			wait = backoff
		}
		if wait > p.maxRetryAfter || !fitsDeadline(ctx, wait) {
			return 0, false
		}
		return wait, true
	case r.status == http.StatusInternalServerError, r.status == http.StatusBadGateway,
		r.status == http.StatusServiceUnavailable, r.status == http.StatusGatewayTimeout:
		return backoff, fitsDeadline(ctx, backoff)
	}
	return 0, false
}

// backoff is the pause after the n-th failure: doubling from firstBackoff,
// capped, with ±25% jitter so that many chapters run from one script do not
// retry in step.
func (p retryPolicy) backoff(n int) time.Duration {
	return waitx.Backoff(p.firstBackoff, p.maxBackoff, n)
}

// retryAfter reads Retry-After, in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, at.Sub(now)), true
	}
	return 0, false
}

var fitsDeadline = waitx.FitsDeadline

// isCertificateError is a TLS failure that no retry can mend.
func isCertificateError(err error) bool {
	var verify *tls.CertificateVerificationError
	return errors.As(err, &verify)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
