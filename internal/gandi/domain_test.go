package gandi

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestDomainAndToken(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(d *world.Data)
		token   string
		fqdn    string
		status  int    // 0: success
		errHas  string // in the user's sentence
		servers []string
		liveDNS bool
	}{
		{name: "ok", fqdn: "Example.org.", servers: []string{"ns-203.gandi.net", "ns-51.gandi.net", "ns-1.gandi.net"},
			liveDNS: true},
		{name: "name servers elsewhere", fqdn: testZone, servers: []string{"ada.ns.cloudflare.com", "bob.ns.cloudflare.com"},
			setup: func(d *world.Data) {
				d.DomainByFQDN(testZone).Nameservers = []string{"ada.ns.cloudflare.com", "bob.ns.cloudflare.com"}
			}},
		{name: "token refused", token: "pat_wrong-token-9876543210", fqdn: testZone, status: http.StatusUnauthorized,
			errHas: "Gandi refused the token: check GANDI_BEARER_TOKEN (a personal access token with 'Manage domain name technical configurations')"},
		{name: "not in the account", fqdn: "other.org", status: http.StatusNotFound,
			errHas: "Gandi has no domain other.org for this token (404): the domain is not in this account, or the token is limited to other domains"},
		{name: "token limited to other domains", fqdn: testZone, status: http.StatusForbidden,
			setup:  func(d *world.Data) { d.Gandi.TokenDomains = []string{"chapter.org"} },
			errHas: "Gandi has no domain example.org for this token (403)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var setup []func(d *world.Data)
			if tt.setup != nil {
				setup = append(setup, tt.setup)
			}
			e := newEnv(t, setup...)
			c := e.client
			if tt.token != "" {
				c = e.newClient(t, tt.token)
			}
			ctx := deadline(t)
			tokenErr := c.CheckToken(ctx, tt.fqdn)
			dom, domErr := c.Domain(ctx, tt.fqdn)
			for _, err := range []error{tokenErr, domErr} {
				checkStatus(t, err, tt.status, tt.errHas, tt.token)
			}
			if tt.status != 0 {
				return
			}
			if dom.FQDN != "example.org" || !slices.Equal(dom.Nameservers, tt.servers) || dom.UsesLiveDNS != tt.liveDNS {
				t.Errorf("Domain = %+v, want example.org on %v (LiveDNS %v)", dom, tt.servers, tt.liveDNS)
			}
		})
	}
}

// checkStatus checks an adapter error: nil when status is 0, else the
// user's sentence holding errHas, never the token, with Gandi's status and
// the kind of failure behind it.
func checkStatus(t *testing.T, err error, status int, errHas, token string) {
	t.Helper()
	if status == 0 {
		if err != nil {
			t.Fatalf("error %v, want success", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want Gandi's %d", status)
	}
	if !strings.Contains(err.Error(), errHas) {
		t.Errorf("error %q, want it to say %q", err, errHas)
	}
	for _, secret := range []string{testToken, token} {
		if secret != "" && strings.Contains(err.Error(), secret) {
			t.Errorf("the error shows the token: %q", err)
		}
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != status {
		t.Errorf("error %v does not carry Gandi's status %d", err, status)
	}
	kind := map[int]error{401: ErrUnauthorized, 403: ErrNoAccess, 404: ErrNoAccess, 429: ErrRateLimited,
		500: ErrUnavailable, 502: ErrUnavailable}[status]
	if !errors.Is(err, kind) {
		t.Errorf("errors.Is(%v, %v) is false", err, kind)
	}
}

func TestIsLiveDNSServer(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"ns-203.gandi.net": true, "ns-123-a.gandi.net": true,
		"a.dns.gandi.net": false, "ns1.example.net": false, "ns-1.gandi.net.evil.com": false,
	} {
		if got := isLiveDNSServer(host); got != want {
			t.Errorf("isLiveDNSServer(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestBadDomainNamesAreRefusedBeforeAnyRequest(t *testing.T) {
	e := newEnv(t)
	for _, fqdn := range []string{"", "localhost", "example.org/records", "a b.org"} {
		if err := e.client.CheckToken(deadline(t), fqdn); err == nil || !strings.Contains(err.Error(), "is not a domain name") {
			t.Errorf("CheckToken(%q): %v", fqdn, err)
		}
	}
	if n := len(e.requests(t)); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
