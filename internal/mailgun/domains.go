package mailgun

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Domain is a sending domain and the DNS records Mailgun asks for.
type Domain struct {
	Name      string
	State     string // unverified | active | disabled
	WebPrefix string // the tracking host's first label
	Sending   []Record
	Receiving []Record
}

// Active tells whether Mailgun verified the domain.
func (d Domain) Active() bool { return d.State == "active" }

// Record is one DNS record Mailgun asks for, with what its last check
// found.
type Record struct {
	Type     string // TXT, CNAME, MX
	Name     string // FQDN without the final dot; "" for the domain itself (receiving MX)
	Value    string
	Priority string // MX only
	Valid    string // unknown | valid | invalid
	Cached   []string
}

type recordJSON struct {
	RecordType string   `json:"record_type"`
	Name       string   `json:"name"`
	Value      string   `json:"value"`
	Priority   string   `json:"priority"`
	Valid      string   `json:"valid"`
	Cached     []string `json:"cached"`
}

type domainReply struct {
	Domain struct {
		Name      string `json:"name"`
		State     string `json:"state"`
		WebPrefix string `json:"web_prefix"`
	} `json:"domain"`
	Sending   []recordJSON `json:"sending_dns_records"`
	Receiving []recordJSON `json:"receiving_dns_records"`
}

func (r domainReply) domain() Domain {
	d := Domain{Name: r.Domain.Name, State: r.Domain.State, WebPrefix: r.Domain.WebPrefix}
	for _, rec := range r.Sending {
		d.Sending = append(d.Sending, rec.record())
	}
	for _, rec := range r.Receiving {
		d.Receiving = append(d.Receiving, rec.record())
	}
	return d
}

func (r recordJSON) record() Record {
	return Record{Type: strings.ToUpper(r.RecordType), Name: strings.TrimSuffix(strings.ToLower(r.Name), "."),
		Value: r.Value, Priority: r.Priority, Valid: r.Valid, Cached: r.Cached}
}

func domainPath(version, name, rest string) string {
	return "/" + version + "/domains/" + url.PathEscape(name) + rest
}

// CheckKey makes one read-only call, so a wrong key is caught before
// anything is created.
func (c *Client) CheckKey(ctx context.Context) error {
	err := c.do(ctx, call{method: http.MethodGet, path: "/v4/domains", query: url.Values{"limit": {"1"}}})
	if err != nil {
		return fmt.Errorf("mailgun: check the API key: %w", err)
	}
	return nil
}

// Domain reads the sending domain name; found is false when this region's
// API does not know it.
func (c *Client) Domain(ctx context.Context, name string) (d Domain, found bool, err error) {
	var reply domainReply
	err = c.do(ctx, call{method: http.MethodGet, path: domainPath("v4", name, ""), out: &reply})
	if statusOf(err) == http.StatusNotFound {
		return Domain{}, false, nil
	}
	if err != nil {
		return Domain{}, false, fmt.Errorf("mailgun: read the domain %s: %w", name, err)
	}
	return reply.domain(), true, nil
}

// CreateDomain adds name as a sending domain with the settings the
// reference recommends: a 2048-bit DKIM key published as a TXT record (no
// automatic sender security, whose rotating CNAMEs chapterctl cannot
// follow), no spam filtering (Cloudron receives the mail). A domain that
// exists already (an earlier run's create whose answer was lost) is
// returned as it is.
func (c *Client) CreateDomain(ctx context.Context, name string) (Domain, error) {
	form := url.Values{"name": {name}, "dkim_key_size": {"2048"}, "spam_action": {"disabled"},
		"use_automatic_sender_security": {"false"}}
	var reply domainReply
	err := c.do(ctx, call{method: http.MethodPost, path: "/v4/domains", form: form, out: &reply})
	if statusOf(err) == http.StatusBadRequest {
		// "Already taken" has no documented text: it is ours only if
		// this account can read it.
		if d, found, getErr := c.Domain(ctx, name); getErr == nil && found {
			return d, nil
		}
	}
	if err != nil {
		return Domain{}, fmt.Errorf("mailgun: add the sending domain %s: %w", name, err)
	}
	return reply.domain(), nil
}

// VerifyDomain asks Mailgun to check the domain's DNS records now.
func (c *Client) VerifyDomain(ctx context.Context, name string) (Domain, error) {
	var reply domainReply
	if err := c.do(ctx, call{method: http.MethodPut, path: domainPath("v4", name, "/verify"), out: &reply}); err != nil {
		return Domain{}, fmt.Errorf("mailgun: verify the domain %s: %w", name, err)
	}
	return reply.domain(), nil
}

// Tracking says which kinds of tracking (open, click) are on.
func (c *Client) Tracking(ctx context.Context, name string) (map[string]bool, error) {
	// "tracking" also holds "web_scheme", a string: read only the kinds.
	var reply struct {
		Tracking struct {
			Open  struct{ Active any } `json:"open"`
			Click struct{ Active any } `json:"click"`
		} `json:"tracking"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: domainPath("v3", name, "/tracking"), out: &reply}); err != nil {
		return nil, fmt.Errorf("mailgun: read the tracking settings of %s: %w", name, err)
	}
	// true, false, or "htmlonly" (click): anything but false rewrites mail.
	isOn := func(active any) bool { return active != nil && active != false }
	return map[string]bool{"open": isOn(reply.Tracking.Open.Active), "click": isOn(reply.Tracking.Click.Active)}, nil
}

// trackingKinds rewrite a chapter's personal mail (pixels, links): off.
var trackingKinds = []string{"open", "click"}

// DisableTracking turns open and click tracking off where they are on.
func (c *Client) DisableTracking(ctx context.Context, name string) error {
	on, err := c.Tracking(ctx, name)
	if err != nil {
		return err
	}
	for _, kind := range trackingKinds {
		if !on[kind] {
			continue
		}
		err := c.do(ctx, call{method: http.MethodPut, path: domainPath("v3", name, "/tracking/"+kind),
			form: url.Values{"active": {"false"}}})
		if err != nil {
			return fmt.Errorf("mailgun: turn %s tracking off for %s: %w", kind, name, err)
		}
	}
	return nil
}

// TrackingOn tells whether any tracking that rewrites mail is on.
func TrackingOn(on map[string]bool) bool {
	for _, kind := range trackingKinds {
		if on[kind] {
			return true
		}
	}
	return false
}
