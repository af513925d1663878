package mailgun

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

const verifyName = "mg.redrockdsa.org"

// verifyScenario is a state of DNS and what verification must make of it.
type verifyScenario struct {
	name      string
	publish   func(t *testing.T, dns *fakeDNS, created map[string]any)
	wantState string
	wantValid map[string]string // by purpose: spf, dkim, tracking, mx
}

var verifyScenarios = []verifyScenario{
	{"nothing published", func(*testing.T, *fakeDNS, map[string]any) {}, "unverified",
		map[string]string{"spf": "invalid", "dkim": "invalid", "tracking": "invalid", "mx": "invalid"}},
	{"SPF and DKIM suffice, without MX or tracking", func(t *testing.T, dns *fakeDNS, created map[string]any) {
		dns.publishSending(t, created)
	}, "active", map[string]string{"spf": "valid", "dkim": "valid", "tracking": "invalid", "mx": "invalid"}},
	{"SPF merged into an existing record", func(t *testing.T, dns *fakeDNS, created map[string]any) {
		dns.addTXT(verifyName, "google-site-verification=abc", "v=spf1 a:my.redrockdsa.org include:mailgun.org ~all")
		publishDKIM(t, dns, created)
	}, "active", map[string]string{"spf": "valid", "dkim": "valid"}},
	{"two SPF records are a permerror", func(t *testing.T, dns *fakeDNS, created map[string]any) {
		dns.publishSending(t, created)
		dns.addTXT(verifyName, "v=spf1 a:my.redrockdsa.org ~all")
	}, "unverified", map[string]string{"spf": "invalid", "dkim": "valid"}},
	{"DKIM value cut short", func(t *testing.T, dns *fakeDNS, created map[string]any) {
		dkim := recordFor(t, created, "TXT", "._domainkey.")
		dns.addTXT(verifyName, "v=spf1 include:mailgun.org ~all")
		dns.addTXT(dkim["name"].(string), dkim["value"].(string)[:100])
	}, "unverified", map[string]string{"spf": "valid", "dkim": "invalid"}},
	{"everything, MX and tracking too", func(t *testing.T, dns *fakeDNS, created map[string]any) {
		dns.publishSending(t, created)
		dns.edit(func(dns *fakeDNS) {
			dns.cname["email."+verifyName] = "mailgun.org."
			dns.mx[verifyName] = []*net.MX{{Host: "mxa.mailgun.org.", Pref: 10}, {Host: "mxb.mailgun.org.", Pref: 10}}
		})
	}, "active", map[string]string{"spf": "valid", "dkim": "valid", "tracking": "valid", "mx": "valid"}},
	{"resolver down", func(t *testing.T, dns *fakeDNS, created map[string]any) {
		dns.publishSending(t, created)
		dns.edit(func(dns *fakeDNS) { dns.broken = true })
	}, "unverified", map[string]string{"spf": "unknown", "dkim": "unknown"}},
}

func TestVerifyConsultsDNS(t *testing.T) {
	t.Parallel()
	for _, tt := range verifyScenarios {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil, world.Options{})
			tt.publish(t, f.dns, f.createDomain(t, USHost, verifyName, nil))
			got := f.send(t, http.MethodPut, USHost, "/v4/domains/"+verifyName+"/verify", nil, noBody)
			if got.status != http.StatusOK {
				t.Fatalf("verify: %d %s", got.status, got.body)
			}
			body := got.json(t)
			if body["message"] != "Domain DNS records have been updated" || domainState(t, body) != tt.wantState {
				t.Errorf("message %v, state %s, want %s", body["message"], domainState(t, body), tt.wantState)
			}
			checkValidity(t, body, tt.wantValid)
			// What verify found is kept: GET shows the same.
			later := f.send(t, http.MethodGet, USHost, "/v4/domains/"+verifyName, nil, noBody).json(t)
			if domainState(t, later) != tt.wantState {
				t.Errorf("GET after verify: state %s", domainState(t, later))
			}
			checkValidity(t, later, tt.wantValid)
		})
	}
}

func publishDKIM(t *testing.T, dns *fakeDNS, created map[string]any) {
	t.Helper()
	dkim := recordFor(t, created, "TXT", "._domainkey.")
	dns.addTXT(dkim["name"].(string), dkim["value"].(string))
}

// checkValidity compares each record's "valid" with want (by purpose) and
// checks that "cached" holds what DNS returned for valid records.
func checkValidity(t *testing.T, body map[string]any, want map[string]string) {
	t.Helper()
	all := append(records(t, body, "sending_dns_records"), records(t, body, "receiving_dns_records")...)
	for _, r := range all {
		purpose := purposeOf(r)
		wantValid, ok := want[purpose]
		if !ok {
			continue
		}
		if r["valid"] != wantValid || r["is_active"] != (wantValid == "valid") {
			t.Errorf("%s record %v: valid %v active %v, want %s", purpose, r["name"], r["valid"], r["is_active"], wantValid)
		}
		cached := r["cached"].([]any)
		if wantValid == "valid" && len(cached) == 0 {
			t.Errorf("%s record valid with nothing cached", purpose)
		}
	}
}

func purposeOf(r map[string]any) string {
	name, _ := r["name"].(string)
	switch {
	case r["record_type"] == "MX":
		return purposeMX
	case r["record_type"] == "CNAME":
		return purposeTracking
	case strings.Contains(name, "._domainkey."):
		return purposeDKIM
	}
	return purposeSPF
}

func TestVerifyFailsFaultKeepsDomainUnverified(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	const name = "mg.example.org"
	f.dns.publishSending(t, f.createDomain(t, USHost, name, nil))
	breakFault(t, f.w, FaultVerifyFails, "")
	for range 2 { // "never": not just the first time
		body := f.send(t, http.MethodPut, USHost, "/v4/domains/"+name+"/verify", nil, noBody).json(t)
		if domainState(t, body) != "unverified" {
			t.Fatalf("state %s with %s active", domainState(t, body), FaultVerifyFails)
		}
		checkValidity(t, body, map[string]string{"spf": "invalid", "dkim": "invalid"})
	}
	healFault(t, f.w, FaultVerifyFails)
	body := f.send(t, http.MethodPut, USHost, "/v4/domains/"+name+"/verify", nil, noBody).json(t)
	if domainState(t, body) != "active" {
		t.Errorf("state %s once healed, want active", domainState(t, body))
	}
}

func TestVerifyDemotesAnActiveDomainWhoseRecordsWent(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	const name = "mg.example.org"
	f.dns.publishSending(t, f.createDomain(t, USHost, name, nil))
	verify := func() string {
		return domainState(t, f.send(t, http.MethodPut, USHost, "/v4/domains/"+name+"/verify", nil, noBody).json(t))
	}
	if got := verify(); got != "active" {
		t.Fatalf("first verify: %s", got)
	}
	f.dns.edit(func(dns *fakeDNS) { delete(dns.txt, name) })
	if got := verify(); got != "unverified" {
		t.Errorf("verify after the SPF record went: %s, want unverified", got)
	}
}

func breakFault(t *testing.T, w *world.World, name, param string) {
	t.Helper()
	err := w.Update(t.Context(), "test.fault.break", func(d *world.Data) error {
		d.Faults[name] = param
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func healFault(t *testing.T, w *world.World, name string) {
	t.Helper()
	err := w.Update(t.Context(), "test.fault.heal", func(d *world.Data) error {
		delete(d.Faults, name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
