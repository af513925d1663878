package mailgun

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/chapterctl/chapterctl/internal/waitx"
)

// maxBody bounds an answer we read; a domain with its records is far below.
const maxBody = 4 << 20

// retryPolicy says how often and how patiently a request is repeated. A 429
// is repeated for every method (Mailgun did nothing); a 5xx or a lost answer
// only for requests that are safe to repeat (GET, PUT): a repeated create
// could make a second credential or hit "already taken", which the callers
// resolve by reading back instead.
type retryPolicy struct {
	attempts      int
	firstBackoff  time.Duration
	maxBackoff    time.Duration
	maxRetryAfter time.Duration // a longer wait is not waited for
}

// defaultRetry rides out a short burst of 5xx and the Domains API's limit
// (300 requests a minute, reset within the minute).
var defaultRetry = retryPolicy{attempts: 5, firstBackoff: 250 * time.Millisecond, maxBackoff: 4 * time.Second,
	maxRetryAfter: time.Minute}

// call is one API request: form fields go in a multipart/form-data body,
// as mailgun-go sends them.
type call struct {
	method, path string
	query        url.Values
	form         url.Values
	out          any
}

// do sends r (retrying as the policy allows) and decodes a 2xx answer into
// r.out; any other answer is an *APIError.
func (c *Client) do(ctx context.Context, r call) error {
	body, contentType, err := encodeForm(r.form)
	if err != nil {
		return err
	}
	target := c.base + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	for attempt := 1; ; attempt++ {
		status, header, raw, err := c.once(ctx, r.method, target, body, contentType)
		wait, again := c.retry.after(ctx, attempt, r.method, status, header, err)
		if !again {
			if err != nil {
				return fmt.Errorf("mailgun: %s %s: %w", r.method, r.path, err)
			}
			return decode(r, status, raw)
		}
		if c.Log != nil {
			c.Log.Debug("mailgun: retrying", "method", r.method, "path", r.path, "status", status,
				"attempt", attempt, "wait", wait)
		}
		if err := waitx.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("mailgun: %s %s: %w", r.method, r.path, err)
		}
	}
}

func encodeForm(form url.Values) ([]byte, string, error) {
	if form == nil {
		return nil, "", nil
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for field, values := range form {
		for _, v := range values {
			if err := w.WriteField(field, v); err != nil {
				return nil, "", err
			}
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// once makes one attempt with its own deadline and reads the whole answer.
func (c *Client) once(ctx context.Context, method, target string, body []byte, contentType string) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var payload io.Reader
	if body != nil {
		payload = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, payload)
	if err != nil {
		return 0, nil, nil, err
	}
	req.SetBasicAuth("api", c.key)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// url.Error quotes the URL, never the header: the key stays out.
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, raw, nil
}

func decode(r call, status int, raw []byte) error {
	if status < 200 || status > 299 {
		return &APIError{Method: r.method, Path: r.path, Status: status, Message: messageOf(status, raw)}
	}
	if r.out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, r.out); err != nil {
		return fmt.Errorf("mailgun: %s %s: unreadable answer: %w", r.method, r.path, err)
	}
	return nil
}

// messageOf reads Mailgun's {"message"} (some schemas say "Reason" or
// "Description"), else the raw body, else the reason phrase.
func messageOf(status int, raw []byte) string {
	var body map[string]any
	if json.Unmarshal(raw, &body) == nil {
		for _, field := range []string{"message", "Reason", "Description"} {
			if s, ok := body[field].(string); ok && s != "" {
				return s
			}
		}
	}
	if text := string(bytes.TrimSpace(raw)); text != "" && len(text) < 200 {
		return text
	}
	return http.StatusText(status)
}

// after decides whether an attempt's outcome is worth another try, and when.
func (p retryPolicy) after(ctx context.Context, attempt int, method string, status int, h http.Header, err error) (time.Duration, bool) {
	if attempt >= p.attempts || ctx.Err() != nil {
		return 0, false
	}
	backoff := p.backoff(attempt)
	repeatable := method == http.MethodGet || method == http.MethodPut
	switch {
	case err != nil:
		var certErr *tls.CertificateVerificationError
		return backoff, repeatable && !errors.As(err, &certErr)
	case status == http.StatusTooManyRequests:
		wait, given := rateLimitWait(h, time.Now())
		if !given {
			wait = backoff
		}
		return wait, wait <= p.maxRetryAfter && waitx.FitsDeadline(ctx, wait)
	case status >= 500 && status != http.StatusNotImplemented:
		return backoff, repeatable && waitx.FitsDeadline(ctx, backoff)
	}
	return 0, false
}

func (p retryPolicy) backoff(n int) time.Duration {
	return waitx.Backoff(p.firstBackoff, p.maxBackoff, n)
}

// rateLimitWait reads when a 429 lifts: Retry-After (seconds or a date) if
// given, else X-RateLimit-Reset (epoch seconds, what mailgun-go reads).
func rateLimitWait(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second, true
		}
		if at, err := http.ParseTime(v); err == nil {
			return max(at.Sub(now), 0), true
		}
	}
	if v := h.Get("X-RateLimit-Reset"); v != "" {
		if epoch, err := strconv.ParseInt(v, 10, 64); err == nil {
			return max(time.Unix(epoch, 0).Sub(now), 0), true
		}
	}
	return 0, false
}
