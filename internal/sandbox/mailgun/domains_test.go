package mailgun

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestRegionsHaveSeparateDomainSets(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	f.createDomain(t, EUHost, "mg.redrockdsa.org", nil)

	tests := []struct {
		host       string
		wantStatus int
		wantListed bool
	}{
		{EUHost, http.StatusOK, true},
		{USHost, http.StatusNotFound, false},
	}
	for _, tt := range tests {
		got := f.send(t, http.MethodGet, tt.host, "/v4/domains/mg.redrockdsa.org", nil, noBody)
		if got.status != tt.wantStatus {
			t.Errorf("GET on %s: status %d, want %d: %s", tt.host, got.status, tt.wantStatus, got.body)
		}
		if tt.wantStatus == http.StatusNotFound && got.message(t) != "Domain not found" {
			t.Errorf("GET on %s: message %q", tt.host, got.message(t))
		}
		list := f.send(t, http.MethodGet, tt.host, "/v4/domains", nil, noBody).json(t)
		if listed := list["total_count"].(float64) == 1; listed != tt.wantListed {
			t.Errorf("list on %s: %v, want listed %v", tt.host, list, tt.wantListed)
		}
	}
	// Names are global: the US region cannot take an EU domain's name.
	dup := f.send(t, http.MethodPost, USHost, "/v4/domains", url.Values{"name": {"mg.redrockdsa.org"}}, multipartF)
	if dup.status != http.StatusBadRequest || dup.message(t) == "" {
		t.Errorf("duplicate across regions: %d %s, want 400 with a message", dup.status, dup.body)
	}
}

func TestRefusesAnythingButTheAccountKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	tests := []struct{ name, user, key string }{
		{"no auth", "", ""},
		{"wrong key", "api", "key-wrong"},
		{"wrong user", "admin", testKey},
		{"empty key", "api", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := f.sendAs(t, tt.user, tt.key, http.MethodGet, USHost, "/v4/domains", nil, noBody)
			if got.status != http.StatusUnauthorized || got.message(t) != "Invalid private key" {
				t.Errorf("got %d %s, want 401 Invalid private key", got.status, got.body)
			}
		})
	}
}

func TestCreateDomainValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	f.createDomain(t, USHost, "taken.example.org", nil)
	tests := []struct {
		name    string
		form    url.Values
		message string // "" when any message will do
	}{
		{"missing name", url.Values{"smtp_password": {"secret123"}}, "Missing parameter 'name'"},
		{"short password", url.Values{"name": {"a.example.org"}, "smtp_password": {"abcd"}},
			"Password is too short. It must be between 5 and 32 characters."},
		{"long password", url.Values{"name": {"a.example.org"}, "smtp_password": {strings.Repeat("x", 33)}}, ""},
		{"duplicate", url.Values{"name": {"taken.example.org"}}, ""},
		{"boolean not a string boolean", url.Values{"name": {"a.example.org"}, "wildcard": {"1"}}, ""},
		{"bad key size", url.Values{"name": {"a.example.org"}, "dkim_key_size": {"512"}}, ""},
		{"selector with a dot", url.Values{"name": {"a.example.org"}, "dkim_selector": {"foo.bar"}}, ""},
		{"bad spam action", url.Values{"name": {"a.example.org"}, "spam_action": {"delete-all"}}, ""},
	}
	for _, tt := range tests {
		for _, enc := range []string{multipartF, urlencoded} {
			t.Run(tt.name+"/"+enc, func(t *testing.T) {
				got := f.send(t, http.MethodPost, USHost, "/v4/domains", tt.form, enc)
				if got.status != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %s", got.status, got.body)
				}
				if msg := got.message(t); msg == "" || (tt.message != "" && msg != tt.message) {
					t.Errorf("message %q, want %q", msg, tt.message)
				}
			})
		}
	}
	var count int
	f.w.Read(func(d *world.Data) { count = len(d.Mailgun.Domains) })
	if count != 1 {
		t.Errorf("%d domains after refused creates, want 1", count)
	}
}

func TestCreateReadsBothFormEncodingsAndStringBooleans(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	for i, enc := range []string{multipartF, urlencoded} {
		name := []string{"mp.example.org", "ue.example.org"}[i]
		form := url.Values{"name": {name}, "dkim_key_size": {"1024"}, "wildcard": {"true"},
			"require_tls": {"false"}, "spam_action": {"tag"}, "web_scheme": {"https"}}
		got := f.send(t, http.MethodPost, USHost, "/v4/domains", form, enc)
		if got.status != http.StatusOK {
			t.Fatalf("%s: %d %s", enc, got.status, got.body)
		}
		dom := got.json(t)["domain"].(map[string]any)
		if dom["wildcard"] != true || dom["require_tls"] != false || dom["spam_action"] != "tag" || dom["web_scheme"] != "https" {
			t.Errorf("%s: domain %v does not reflect the form", enc, dom)
		}
	}
}

func TestCreateReturnsUnverifiedDomainAndTheRecordsToPublish(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	tests := []struct {
		host, name, keySize string
		wantBits            int
		wantTracking        string
		wantMX              []string
	}{
		{USHost, "mg.us.example.org", "1024", 1024, "mailgun.org", []string{"mxa.mailgun.org", "mxb.mailgun.org"}},
		{EUHost, "mg.eu.example.org", "2048", 2048, "eu.mailgun.org", []string{"mxa.eu.mailgun.org", "mxb.eu.mailgun.org"}},
		{USHost, "default.example.org", "", defaultDKIMKeySize, "mailgun.org", []string{"mxa.mailgun.org", "mxb.mailgun.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := f.createDomain(t, tt.host, tt.name, url.Values{"dkim_key_size": {tt.keySize}})
			if body["message"] != "Domain DNS records have been created" || domainState(t, body) != "unverified" {
				t.Errorf("message %v, state %v", body["message"], domainState(t, body))
			}
			dom := body["domain"].(map[string]any)
			if _, err := time.Parse(time.RFC1123, dom["created_at"].(string)); err != nil || dom["smtp_login"] != "postmaster@"+tt.name {
				t.Errorf("created_at %v (%v), smtp_login %v", dom["created_at"], err, dom["smtp_login"])
			}
			spf := recordFor(t, body, "TXT", tt.name)
			if spf["name"] != tt.name || spf["value"] != "v=spf1 include:mailgun.org ~all" {
				t.Errorf("SPF record %v", spf)
			}
			checkDKIMKey(t, recordFor(t, body, "TXT", "._domainkey."+tt.name), tt.wantBits)
			if cname := recordFor(t, body, "CNAME", "email."+tt.name); cname["value"] != tt.wantTracking {
				t.Errorf("tracking CNAME %v, want %s", cname, tt.wantTracking)
			}
			checkMX(t, records(t, body, "receiving_dns_records"), tt.wantMX)
			for _, kind := range []string{"sending_dns_records", "receiving_dns_records"} {
				for _, r := range records(t, body, kind) {
					if r["valid"] != "unknown" || r["is_active"] != false || len(r["cached"].([]any)) != 0 {
						t.Errorf("%s record %v: want valid unknown, inactive, cached []", kind, r)
					}
				}
			}
		})
	}
}

func checkDKIMKey(t *testing.T, dkim map[string]any, wantBits int) {
	t.Helper()
	value := dkim["value"].(string)
	encoded, ok := strings.CutPrefix(value, "k=rsa; p=")
	if !ok {
		t.Fatalf("DKIM value %q", value)
	}
	der, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	if rsaKey, ok := key.(*rsa.PublicKey); !ok || rsaKey.N.BitLen() != wantBits {
		t.Errorf("DKIM key %T of %d bits, want RSA %d", key, rsaKey.N.BitLen(), wantBits)
	}
	selector, _, _ := strings.Cut(dkim["name"].(string), ".")
	if !validSelector(selector) {
		t.Errorf("selector %q", selector)
	}
}

func checkMX(t *testing.T, mx []map[string]any, wantHosts []string) {
	t.Helper()
	if len(mx) != len(wantHosts) {
		t.Fatalf("receiving records %v, want %v", mx, wantHosts)
	}
	for i, r := range mx {
		if r["record_type"] != "MX" || r["priority"] != "10" || r["value"] != wantHosts[i] {
			t.Errorf("MX record %v, want priority \"10\" and %s", r, wantHosts[i])
		}
	}
}

func TestChosenSelectorAndDKIMHost(t *testing.T) {
	t.Parallel()
	data := &world.Data{Schema: world.SchemaVersion, TimeScale: 0.001,
		Gandi: world.Gandi{Domains: []*world.Domain{{FQDN: "redrockdsa.org"}}}}
	f := newFixture(t, data, world.Options{})
	tests := []struct {
		form     url.Values
		wantName string
	}{
		{url.Values{"name": {"mg.redrockdsa.org"}, "dkim_selector": {"chapter"}}, "chapter._domainkey.mg.redrockdsa.org"},
		{url.Values{"name": {"m2.redrockdsa.org"}, "dkim_selector": {"s2"}, "force_root_dkim_host": {"true"}}, "s2._domainkey.redrockdsa.org"},
	}
	for _, tt := range tests {
		body := f.createDomain(t, USHost, tt.form.Get("name"), tt.form)
		if got := recordFor(t, body, "TXT", "._domainkey.")["name"]; got != tt.wantName {
			t.Errorf("DKIM record name %v, want %s", got, tt.wantName)
		}
	}
}

func TestAutomaticSenderSecurityAsksForDKIMCNAMEs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	const name = "ass.example.org"
	body := f.createDomain(t, USHost, name, url.Values{"use_automatic_sender_security": {"true"}})
	var cnames []map[string]any
	for _, r := range records(t, body, "sending_dns_records") {
		if strings.Contains(r["name"].(string), "._domainkey.") {
			if r["record_type"] != "CNAME" {
				t.Errorf("DKIM record %v, want a CNAME", r)
			}
			cnames = append(cnames, r)
		}
	}
	if len(cnames) != 2 {
		t.Fatalf("%d DKIM CNAMEs, want 2", len(cnames))
	}
	f.dns.addTXT(name, "v=spf1 include:mailgun.org ~all")
	f.dns.edit(func(dns *fakeDNS) {
		for _, c := range cnames {
			dns.cname[c["name"].(string)] = c["value"].(string) + "."
		}
	})
	verified := f.send(t, http.MethodPut, USHost, "/v4/domains/"+name+"/verify", nil, noBody).json(t)
	if domainState(t, verified) != "active" {
		t.Errorf("state %s with SPF and both DKIM CNAMEs published", domainState(t, verified))
	}
}

func TestDeleteDomainFreesTheName(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	f.createDomain(t, USHost, "gone.example.org", nil)
	got := f.send(t, http.MethodDelete, USHost, "/v3/domains/gone.example.org", nil, noBody)
	if got.status != http.StatusOK || got.message(t) != "Domain will be deleted in the background" {
		t.Fatalf("delete: %d %s", got.status, got.body)
	}
	if again := f.send(t, http.MethodGet, USHost, "/v4/domains/gone.example.org", nil, noBody); again.status != http.StatusNotFound {
		t.Errorf("GET after delete: %d", again.status)
	}
	f.createDomain(t, USHost, "gone.example.org", nil)
}

func TestListDomainsPagesAndFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	for _, name := range []string{"a.example.org", "b.example.org", "c.example.net"} {
		f.createDomain(t, USHost, name, nil)
	}
	tests := []struct {
		query     string
		wantTotal float64
		wantNames []string
	}{
		{"?sort=name", 3, []string{"a.example.org", "b.example.org", "c.example.net"}},
		{"?sort=name&skip=1&limit=1", 3, []string{"b.example.org"}},
		{"?search=example.org&sort=name:desc", 2, []string{"b.example.org", "a.example.org"}},
		{"?state=active", 0, nil},
	}
	for _, tt := range tests {
		body := f.send(t, http.MethodGet, USHost, "/v4/domains"+tt.query, nil, noBody).json(t)
		var names []string
		for _, item := range body["items"].([]any) {
			names = append(names, item.(map[string]any)["name"].(string))
		}
		if body["total_count"] != tt.wantTotal || strings.Join(names, ",") != strings.Join(tt.wantNames, ",") {
			t.Errorf("%s: total %v items %v, want %v %v", tt.query, body["total_count"], names, tt.wantTotal, tt.wantNames)
		}
	}
	if got := f.send(t, http.MethodGet, USHost, "/v4/domains?limit=1001", nil, noBody); got.status != http.StatusBadRequest {
		t.Errorf("limit 1001: %d", got.status)
	}
}

func TestUnknownDomainIsNotFound(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	tests := []struct{ method, path string }{
		{http.MethodGet, "/v4/domains/nope.example.org"},
		{http.MethodPut, "/v4/domains/nope.example.org/verify"},
		{http.MethodDelete, "/v3/domains/nope.example.org"},
		{http.MethodGet, "/v3/domains/nope.example.org/credentials"},
		{http.MethodPost, "/v3/domains/nope.example.org/credentials?login=a@nope.example.org&password=secret123"},
		{http.MethodGet, "/v3/domains/nope.example.org/tracking"},
	}
	for _, tt := range tests {
		got := f.send(t, tt.method, USHost, tt.path, nil, noBody)
		if got.status != http.StatusNotFound || got.message(t) != "Domain not found" {
			t.Errorf("%s %s: %d %s, want 404 Domain not found", tt.method, tt.path, got.status, got.body)
		}
	}
	// A wrong path is a 404 without a JSON body.
	if got := f.send(t, http.MethodGet, USHost, "/v9/nothing", nil, noBody); got.status != http.StatusNotFound || got.body[0] == '{' {
		t.Errorf("wrong path: %d %s", got.status, got.body)
	}
}
