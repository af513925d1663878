package cloudron

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// mailPath is /mail/<domain><rest>.
func mailPath(domain, rest string) string { return "/mail/" + url.PathEscape(domain) + rest }

// listQuery asks for a whole list in one page: newer boxes paginate (25
// by default), and a chapter's mailboxes fit in one.
var listQuery = url.Values{"page": {"1"}, "per_page": {"1000"}}

// EnableMail turns incoming mail on for domain. Cloudron answers at once
// and restarts its mail server in the background; with the manual DNS
// provider the MX, SPF, DKIM and DMARC records are chapterctl's to write
// (MailStatus says what they must be).
func (c *Client) EnableMail(ctx context.Context, domain string) error {
	err := c.do(ctx, call{method: http.MethodPost, path: mailPath(domain, "/enable"), in: map[string]bool{"enabled": true}})
	if err != nil {
		return fmt.Errorf("cloudron: enable mail for %s: %w", domain, err)
	}
	return nil
}

// Mailbox is an address that stores mail, owned by a user or group.
type Mailbox struct {
	Name      string `json:"name"`
	OwnerID   string `json:"ownerId"`
	OwnerType string `json:"ownerType"`
	Active    bool   `json:"active"`
}

// AddMailbox creates name@domain for the user ownerID (Profile's id for
// the organizer). A name already used by a mailbox or list is ErrExists.
func (c *Client) AddMailbox(ctx context.Context, domain, name, ownerID string) error {
	body := map[string]any{"name": name, "ownerId": ownerID, "ownerType": "user", "active": true, "enablePop3": false}
	err := c.do(ctx, call{method: http.MethodPost, path: mailPath(domain, "/mailboxes"), in: body})
	return createError(err, "add the mailbox %s@%s", name, domain)
}

// Mailboxes lists domain's mailboxes.
func (c *Client) Mailboxes(ctx context.Context, domain string) ([]Mailbox, error) {
	var body struct {
		Mailboxes []Mailbox `json:"mailboxes"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: mailPath(domain, "/mailboxes"), query: listQuery, out: &body}); err != nil {
		return nil, fmt.Errorf("cloudron: list the mailboxes of %s: %w", domain, err)
	}
	return body.Mailboxes, nil
}

// List is a mailing list: mail to it goes to every member.
type List struct {
	Name        string   `json:"name"`
	Members     []string `json:"members"`
	MembersOnly bool     `json:"membersOnly"`
	Active      bool     `json:"active"`
}

// AddList creates the list name@domain with members (full addresses). A
// name already used by a mailbox or list is ErrExists.
func (c *Client) AddList(ctx context.Context, domain, name string, members []string) error {
	if members == nil {
		members = []string{}
	}
	body := map[string]any{"name": name, "members": members, "membersOnly": false, "active": true}
	err := c.do(ctx, call{method: http.MethodPost, path: mailPath(domain, "/lists"), in: body})
	return createError(err, "add the list %s@%s", name, domain)
}

// Lists lists domain's mailing lists.
func (c *Client) Lists(ctx context.Context, domain string) ([]List, error) {
	var body struct {
		Lists []List `json:"lists"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: mailPath(domain, "/lists"), query: listQuery, out: &body}); err != nil {
		return nil, fmt.Errorf("cloudron: list the mailing lists of %s: %w", domain, err)
	}
	return body.Lists, nil
}

// SetCatchAll sends mail to unknown addresses of domain to addresses
// (full addresses); none clears it.
func (c *Client) SetCatchAll(ctx context.Context, domain string, addresses []string) error {
	if addresses == nil {
		addresses = []string{}
	}
	err := c.do(ctx, call{method: http.MethodPost, path: mailPath(domain, "/catch_all"), in: map[string]any{"addresses": addresses}})
	if err != nil {
		return fmt.Errorf("cloudron: set the catch-all of %s: %w", domain, err)
	}
	return nil
}

// Relay is how outgoing mail leaves the server.
type Relay struct {
	// Provider is cloudron-smtp (direct, the default), noop (none), or a
	// relay such as mailgun-smtp or external-smtp.
	Provider string
	Host     string
	Port     int // 587 when 0
	Username string
	Password string
}

// relayTestTimeout leaves room for Cloudron's own SMTP login test.
const relayTestTimeout = time.Minute

// SetRelay sets domain's outgoing relay. For a real relay Cloudron first
// logs in to it: a refused login is a 400 with the SMTP server's answer,
// returned here without the password.
func (c *Client) SetRelay(ctx context.Context, domain string, r Relay) error {
	c.redactor.Add(r.Password)
	body := map[string]any{"provider": r.Provider}
	if r.Host != "" {
		port := r.Port
		if port == 0 {
			port = 587
		}
		body["host"], body["port"], body["username"], body["password"] = r.Host, port, r.Username, r.Password
	}
	err := c.do(ctx, call{method: http.MethodPost, path: mailPath(domain, "/relay"), in: body, timeout: relayTestTimeout})
	if apiErr := (*APIError)(nil); errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest && r.Host != "" {
		return fmt.Errorf("cloudron: set the mail relay of %s: Cloudron refused the relay %s:%d for %s (%s): check the relay's host, SMTP login and password",
			domain, r.Host, body["port"], r.Username, apiErr.Message)
	}
	if err != nil {
		return fmt.Errorf("cloudron: set the mail relay of %s: %w", domain, err)
	}
	return nil
}

// createError wraps a create call's error; 409 becomes ErrExists.
func createError(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	if statusOf(err) == http.StatusConflict {
		return fmt.Errorf("cloudron: %s: %w", what, ErrExists)
	}
	return fmt.Errorf("cloudron: %s: %w", what, err)
}
