package cloudron

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
)

// WellKnown reads the documents Cloudron serves under
// https://<domain>/.well-known/ (keys are paths below it, such as
// "matrix/server"; values are the bodies).
func (c *Client) WellKnown(ctx context.Context, domain string) (map[string]string, error) {
	docs, err := c.wellKnown(ctx, domain)
	if err != nil {
		return nil, fmt.Errorf("cloudron: %w", err)
	}
	return docs, nil
}

func (c *Client) wellKnown(ctx context.Context, domain string) (map[string]string, error) {
	var body struct {
		WellKnown map[string]string `json:"wellKnown"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: "/domains/" + url.PathEscape(domain), out: &body}); err != nil {
		return nil, fmt.Errorf("read the well-known documents of %s: %w", domain, err)
	}
	if body.WellKnown == nil {
		body.WellKnown = map[string]string{}
	}
	return body.WellKnown, nil
}

// SetWellKnown sets the documents in docs (path below /.well-known/ →
// body) and keeps the others; an empty body removes that path. Whether
// Cloudron's POST replaces the whole set is (unverified), so the client
// reads, merges and posts them all. Cloudron serves them only while an app
// sits on the bare domain. A server too old for the route gives
// ErrWellKnownUnsupported.
func (c *Client) SetWellKnown(ctx context.Context, domain string, docs map[string]string) error {
	current, err := c.wellKnown(ctx, domain)
	if err != nil {
		return fmt.Errorf("cloudron: set the well-known documents of %s: %w", domain, err)
	}
	merged := maps.Clone(current)
	for path, body := range docs {
		path = strings.TrimPrefix(strings.TrimPrefix(path, "/"), ".well-known/")
		if body == "" {
			delete(merged, path)
			continue
		}
		merged[path] = body
	}
	var wellKnown any = merged
	if len(merged) == 0 {
		wellKnown = nil // the API's way to clear them all
	}
	err = c.do(ctx, call{method: http.MethodPost, path: "/domains/" + url.PathEscape(domain) + "/wellknown",
		in: map[string]any{"wellKnown": wellKnown}})
	if apiErr := (*APIError)(nil); errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound && apiErr.Message == "No such route" {
		return fmt.Errorf("cloudron: set the well-known documents of %s: %w", domain, ErrWellKnownUnsupported)
	}
	if err != nil {
		return fmt.Errorf("cloudron: set the well-known documents of %s: %w", domain, err)
	}
	return nil
}
