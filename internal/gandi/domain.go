package gandi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// CheckToken checks that the token is valid and may manage domain's LiveDNS
// zone. It cannot tell whether the token may also write (Gandi only says so
// by refusing a write with 403).
func (c *Client) CheckToken(ctx context.Context, domain string) error {
	fqdn, err := checkZone(domain)
	if err != nil {
		return err
	}
	_, err = c.get(ctx, domainURL(fqdn), fqdn, nil)
	return err
}

// Domain reads what LiveDNS says of fqdn: that the account holds it, and
// its name servers. A domain whose name servers are not LiveDNS's has a zone
// at Gandi that nobody on the Internet reads: UsesLiveDNS says so.
func (c *Client) Domain(ctx context.Context, fqdn string) (Domain, error) {
	fqdn, err := checkZone(fqdn)
	if err != nil {
		return Domain{}, err
	}
	var servers []string
	if _, err := c.get(ctx, domainURL(fqdn)+"/nameservers", fqdn, &servers); err != nil {
		return Domain{}, err
	}
	d := Domain{FQDN: fqdn, UsesLiveDNS: len(servers) > 0}
	for _, ns := range servers {
		ns = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(ns)), ".")
		d.Nameservers = append(d.Nameservers, ns)
		d.UsesLiveDNS = d.UsesLiveDNS && isLiveDNSServer(ns)
	}
	return d, nil
}

// isLiveDNSServer recognises LiveDNS's name servers (ns-203.gandi.net,
// ns-123-a.gandi.net). Gandi's retired classic DNS (a.dns.gandi.net) and
// any other host are not: their zones are not this API's.
func isLiveDNSServer(host string) bool {
	return strings.HasPrefix(host, "ns-") && strings.HasSuffix(host, ".gandi.net")
}

// get reads a domain-level resource of fqdn into out (nil: discard), with
// the user's sentence for any failure.
func (c *Client) get(ctx context.Context, rawURL, fqdn string, out any) (reply, error) {
	r, apiErr, err := c.request(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return r, err
	}
	if apiErr != nil {
		return r, explain(fqdn, "", apiErr)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			return r, fmt.Errorf("gandi: read the answer to GET %s: %w", rawURL, err)
		}
	}
	return r, nil
}

// request sends and sorts the outcome: a user's sentence when no answer
// came, an APIError for an answer other than 2xx.
func (c *Client) request(ctx context.Context, method, rawURL string, body []byte) (reply, *APIError, error) {
	r, err := c.send(ctx, method, rawURL, body)
	if err != nil {
		return r, nil, explainTransport(ctx, err)
	}
	if !r.ok() {
		return r, newAPIError(method, rawURL, r), nil
	}
	return r, nil, nil
}

// checkZone returns fqdn as LiveDNS names it, or an error if it cannot be a
// domain name (it goes into URL paths).
func checkZone(fqdn string) (string, error) {
	zone := zoneName(fqdn)
	if !strings.Contains(zone, ".") || strings.ContainsAny(zone, "/?#%@ \t") {
		return "", fmt.Errorf("gandi: %q is not a domain name", fqdn)
	}
	return zone, nil
}

// zoneName is a domain as LiveDNS names it: lowercase, no final dot.
func zoneName(fqdn string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(fqdn)), ".")
}

func domainURL(fqdn string) string { return apiBase + "/domains/" + url.PathEscape(fqdn) }

func recordsURL(fqdn string) string { return domainURL(fqdn) + "/records" }

// rrsetURL names one rrset. "@" needs no escaping in a path segment, and
// Gandi decodes "%40" and "@" alike.
func rrsetURL(fqdn, name, typ string) string {
	return recordsURL(fqdn) + "/" + url.PathEscape(name) + "/" + url.PathEscape(typ)
}
