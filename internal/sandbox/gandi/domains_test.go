package gandi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestDomainHasGandisShapeWithAbsoluteHrefs(t *testing.T) {
	s := newSim(t)
	var dom map[string]any
	s.call(t, "GET", "domains/example.org", "").expect(t, http.StatusOK).json(t, &dom)
	want := map[string]any{
		"fqdn":                "example.org",
		"automatic_snapshots": true,
		"domain_href":         "https://api.gandi.net/v5/livedns/domains/example.org",
		"domain_keys_href":    "https://api.gandi.net/v5/livedns/domains/example.org/keys",
		"domain_records_href": "https://api.gandi.net/v5/livedns/domains/example.org/records",
	}
	for k, v := range want {
		if dom[k] != v {
			t.Errorf("%s = %v, want %v", k, dom[k], v)
		}
	}

	// libdns/gandi builds every later URL from domain_records_href.
	records, err := s.provider(t, testToken).GetRecords(context.Background(), "example.org.")
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 11 { // the default zone's values
		t.Errorf("GetRecords returned %d records, want the 11 values of the default zone", len(records))
	}
}

func TestDomainsTheTokenCannotReach(t *testing.T) {
	t.Parallel()
	s := newSimWith(t, simConfig{setup: func(d *world.Data) {
		d.Gandi.Domains = append(d.Gandi.Domains, NewDomain("other.org", d.Gandi.Domains[0].Expires))
		d.Gandi.TokenDomains = []string{"example.org"}
	}})
	tests := []struct {
		path   string
		status int
		object string
	}{
		{"domains/absent.org", 404, "HTTPNotFound"},
		{"domains/absent.org/records/@/A", 404, "HTTPNotFound"},
		{"domains/other.org", 403, "HTTPForbidden"},
		{"domains/other.org/records", 403, "HTTPForbidden"},
	}
	for _, tt := range tests {
		var body errorBody
		s.call(t, "GET", tt.path, "").expect(t, tt.status).json(t, &body)
		if body.Code != tt.status || body.Object != tt.object {
			t.Errorf("GET %s: body %+v, want code %d object %s", tt.path, body, tt.status, tt.object)
		}
	}
	var listed []domainOut
	s.call(t, "GET", "domains", "").expect(t, 200).json(t, &listed)
	if len(listed) != 1 || listed[0].FQDN != "example.org" {
		t.Errorf("domain list shows what the token cannot reach: %+v", listed)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	s := newSimWith(t, simConfig{setup: func(d *world.Data) { d.Gandi.LegacyAPIKeys = []string{"legacy-key"} }})
	tests := []struct {
		name          string
		authorization string
		status        int
		coded         bool
	}{
		{"the world's PAT", "Bearer " + testToken, 200, false},
		{"scheme in lower case", "bearer " + testToken, 200, false},
		{"a legacy API key", "Apikey legacy-key", 200, false},
		{"another PAT", "Bearer pat_other", 401, true},
		{"an unknown API key", "Apikey nope", 401, true},
		{"no header", "", 401, false},
		{"a bare token", testToken, 401, false},
		{"an empty bearer", "Bearer ", 401, false},
		{"another scheme", "Basic dXNlcjpwYXNz", 401, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.call(t, "GET", "domains/example.org", "", "Authorization", tt.authorization).expect(t, tt.status)
			if tt.status == 200 {
				return
			}
			code, hasCode := errorCode(t, r)
			if hasCode != tt.coded || (hasCode && code != 401) {
				t.Errorf("body %s: has code %v (%d), want coded=%v", r.body, hasCode, code, tt.coded)
			}
		})
	}
}

// libdns/gandi prints the body's code, not the status: a wrong token says
// 401, a missing one says 0 (caddy-dns/gandi#11).
func TestLibdnsSeesAccessFailuresAsGandiReportsThem(t *testing.T) {
	s := newSimWith(t, simConfig{setup: func(d *world.Data) {
		d.Gandi.Domains = append(d.Gandi.Domains, NewDomain("other.org", d.Gandi.Domains[0].Expires))
		d.Gandi.TokenDomains = []string{"example.org"}
	}})
	tests := []struct{ token, zone, want string }{
		{"pat_wrong", "example.org", "LiveDNS returned a 401 (The server could not verify"},
		{"", "example.org", "LiveDNS returned a 0 (You must provide an access token"},
		{testToken, "absent.org.", "LiveDNS returned a 404 (The resource could not be found.)"},
		{testToken, "other.org.", "LiveDNS returned a 403 (Access was denied to this resource.)"},
	}
	for _, tt := range tests {
		_, err := s.provider(t, tt.token).GetRecords(context.Background(), tt.zone)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("token %q, zone %s: error %v, want it to start %q", tt.token, tt.zone, err, tt.want)
		}
	}
}

func TestNameservers(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	var ns []string
	s.call(t, "GET", "domains/example.org/nameservers", "").expect(t, 200).json(t, &ns)
	if !slices.Equal(ns, DefaultNameservers) {
		t.Errorf("nameservers = %v, want %v", ns, DefaultNameservers)
	}
	// With NS records at the apex, those are the domain's name servers.
	s.call(t, "PUT", "domains/example.org/records/@/NS",
		`{"rrset_values":["ns1.example.net.","ns2.example.net."]}`).expect(t, 201)
	s.call(t, "GET", "domains/example.org/nameservers", "").expect(t, 200).json(t, &ns)
	if !slices.Equal(ns, []string{"ns1.example.net", "ns2.example.net"}) {
		t.Errorf("nameservers with apex NS = %v", ns)
	}
}

func TestPatchAutomaticSnapshots(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	r := s.call(t, "PATCH", "domains/example.org", `{"automatic_snapshots":false}`)
	if r.status/100 != 2 || !strings.Contains(r.body, `"message"`) {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	var dom domainOut
	s.call(t, "GET", "domains/example.org", "").expect(t, 200).json(t, &dom)
	if dom.AutomaticSnapshots {
		t.Error("automatic_snapshots still on")
	}
	// Without automatic snapshots a write leaves no snapshot behind.
	s.call(t, "PUT", "domains/example.org/records/my/A", `{"rrset_values":["203.0.113.10"]}`).expect(t, 201)
	s.domain(func(dom *world.Domain) {
		if len(dom.Snapshots) != 0 {
			t.Errorf("snapshots taken with automatic_snapshots off: %d", len(dom.Snapshots))
		}
	})
}
