package cloudron

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBody bounds what is read of an answer: the API's largest (app lists,
// mail status) are far below.
const maxBody = 8 << 20

// call is one API request.
type call struct {
	method string
	path   string // below /api/v1
	query  url.Values
	in     any // JSON body, nil for none
	out    any // decoded from a 2xx JSON answer, nil to ignore it
	public bool
	// timeout replaces the client's per-request timeout when longer.
	timeout time.Duration
}

// do sends c and decodes the answer. A non-2xx answer is an *APIError; a
// failed connection is explained (certificate, refused, timed out).
func (c *Client) do(ctx context.Context, r call) error {
	if c.configError != nil {
		return c.configError
	}
	timeout := max(c.timeout, r.timeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	req, err := c.newRequest(ctx, r)
	if err != nil {
		return err
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.log.DebugContext(ctx, "cloudron request failed", "method", r.method, "path", r.path, "duration", time.Since(start))
		return c.transportError(ctx, r, timeout, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	c.log.DebugContext(ctx, "cloudron request", "method", r.method, "path", r.path, "status", resp.StatusCode, "duration", time.Since(start))
	if err != nil {
		return fmt.Errorf("read Cloudron's answer to %s %s: %w", r.method, r.path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(r, resp.StatusCode, raw)
	}
	if r.out == nil || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, r.out); err != nil {
		return fmt.Errorf("Cloudron's answer to %s %s is not the JSON expected: %w", r.method, r.path, err)
	}
	return nil
}

func (c *Client) newRequest(ctx context.Context, r call) (*http.Request, error) {
	u := *c.base
	u.Path = u.Path + "/api/v1" + r.path
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	var body io.Reader
	if r.in != nil {
		raw, err := json.Marshal(r.in)
		if err != nil {
			return nil, fmt.Errorf("encode %s %s: %w", r.method, r.path, err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", r.method, r.path, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// The token goes in the header, never the URL: URLs end up in errors
	// and logs.
	if tok := c.currentToken(); tok != "" && !r.public {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return req, nil
}

// apiError reads Cloudron's {"status","message"} body; nginx's HTML pages
// (502 while the box is down) get their reason phrase.
func (c *Client) apiError(r call, status int, raw []byte) error {
	var body struct {
		Message string `json:"message"`
	}
	message := http.StatusText(status)
	if json.Unmarshal(raw, &body) == nil && body.Message != "" {
		message = body.Message
	}
	return &APIError{Method: r.method, Path: r.path, Status: status, Message: c.redactor.Redact(message)}
}

// transportError explains a request that got no answer.
func (c *Client) transportError(ctx context.Context, r call, timeout time.Duration, err error) error {
	if certErr := c.certificateError(err); certErr != nil {
		return certErr
	}
	// The URL in a *url.Error holds no secret (the token is a header),
	// but its text repeats the whole address; the cause is what matters.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		return fmt.Errorf("the Cloudron at %s did not answer %s %s within %s: %w", c.host, r.method, r.path, timeout, err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%s %s was cancelled: %w", r.method, r.path, err)
	case strings.Contains(err.Error(), "connection refused"):
		return &unreachableError{host: c.host, err: err, refused: true}
	}
	return &unreachableError{host: c.host, err: err}
}

// unreachableError: no answer at all. Refused is what a droplet gives
// before the installer has started nginx, or while it reboots.
type unreachableError struct {
	host    string
	err     error
	refused bool
}

func (e *unreachableError) Error() string {
	if e.refused {
		return fmt.Sprintf("the Cloudron at %s refused the connection (%v): it may still be installing or rebooting", e.host, e.err)
	}
	return fmt.Sprintf("could not reach the Cloudron at %s: %v", e.host, e.err)
}

func (e *unreachableError) Unwrap() error { return e.err }
