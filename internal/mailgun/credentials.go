package mailgun

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Credentials lists the SMTP logins of domain (passwords are never listed).
func (c *Client) Credentials(ctx context.Context, domain string) ([]string, error) {
	var logins []string
	for skip := 0; ; {
		var page struct {
			Items []struct {
				Login string `json:"login"`
			} `json:"items"`
		}
		q := url.Values{"limit": {"1000"}, "skip": {fmt.Sprint(skip)}}
		if err := c.do(ctx, call{method: http.MethodGet, path: domainPath("v3", domain, "/credentials"), query: q, out: &page}); err != nil {
			return nil, fmt.Errorf("mailgun: list the SMTP logins of %s: %w", domain, err)
		}
		for _, it := range page.Items {
			logins = append(logins, strings.ToLower(it.Login))
		}
		if len(page.Items) < 1000 {
			return logins, nil
		}
		skip += len(page.Items)
	}
}

// SetCredential makes login (a full address on domain) log in with
// password: it creates the login, or resets the password of one that
// exists (made by an earlier run whose password was not kept). Both end in
// the same state, so a repeat is harmless.
func (c *Client) SetCredential(ctx context.Context, domain, login, password string) error {
	logins, err := c.Credentials(ctx, domain)
	if err != nil {
		return err
	}
	exists := false
	for _, l := range logins {
		exists = exists || strings.EqualFold(l, login)
	}
	if !exists {
		err = c.do(ctx, call{method: http.MethodPost, path: domainPath("v3", domain, "/credentials"),
			form: url.Values{"login": {login}, "password": {password}}})
		if statusOf(err) != http.StatusBadRequest {
			if err != nil {
				return fmt.Errorf("mailgun: create the SMTP login %s: %w", login, err)
			}
			return nil
		}
		// A duplicate (a create whose answer was lost): reset it below.
	}
	err = c.do(ctx, call{method: http.MethodPut, path: domainPath("v3", domain, "/credentials/"+url.PathEscape(login)),
		form: url.Values{"password": {password}}})
	if err != nil {
		return fmt.Errorf("mailgun: set the password of the SMTP login %s: %w", login, err)
	}
	return nil
}
