package worldfile

import (
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

func TestDesignExampleParsesAndBuilds(t *testing.T) {
	spec, err := Parse("world.yaml", []byte(`
gandi:
  domains:
    - fqdn: example.org
      nameservers: [ns-203.gandi.net, ns-51.gandi.net, ns-1.gandi.net]
      expires: 2027-11-25
      records:
        - {rrset_name: "@", rrset_type: TXT, rrset_ttl: 10800, rrset_values: ['"v=spf1 include:_spf.google.com ~all"']}
        - {rrset_name: www, rrset_type: CNAME, rrset_ttl: 10800, rrset_values: [example.github.io.]}
digitalocean:
  droplet_limit: 10
  smtp_blocked: true
  droplets: []
dnsbl:
  listed: [203.0.113.10]
cloudron:
  version: "9.0.15"
  latest: "9.1.2"
time_scale: 0.01
`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	d, err := Build(spec, "example.org", now)
	if err != nil {
		t.Fatal(err)
	}
	if d.TimeScale != 0.01 || d.Cloudron.Version != "9.0.15" || d.Cloudron.Latest != "9.1.2" {
		t.Errorf("scale %v cloudron %+v", d.TimeScale, d.Cloudron)
	}
	if len(d.DNSBL.Listed) != 1 || !d.DigitalOcean.SMTPBlocked || d.DigitalOcean.Account.DropletLimit != 10 {
		t.Errorf("dnsbl %v do %+v", d.DNSBL, d.DigitalOcean)
	}
	dom := d.DomainByFQDN("example.org")
	if dom == nil || len(dom.Records) != 2 || dom.Expires.Format(time.DateOnly) != "2027-11-25" {
		t.Fatalf("domain = %+v", dom)
	}
	if served, ok := dom.ServedAt(now); !ok || len(served) != 2 {
		t.Errorf("the seeded zone is not served as written: %v %v", served, ok)
	}
	if !strings.HasPrefix(d.Tokens.DigitalOcean, "dop_v1_") || !strings.HasPrefix(d.Tokens.Gandi, "pat_") {
		t.Errorf("tokens = %+v", d.Tokens)
	}
}

func TestDefaultWorldHoldsTheChapterDomainAsGandiCreatesIt(t *testing.T) {
	d, err := Build(nil, "redrockdsa.org", now)
	if err != nil {
		t.Fatal(err)
	}
	dom := d.DomainByFQDN("redrockdsa.org")
	if dom == nil || len(d.Gandi.Domains) != 1 {
		t.Fatalf("domains = %+v", d.Gandi.Domains)
	}
	var hasParkingA, hasGandiMX bool
	for _, r := range dom.Records {
		hasParkingA = hasParkingA || (r.Name == "@" && r.Type == "A")
		hasGandiMX = hasGandiMX || (r.Name == "@" && r.Type == "MX")
	}
	if !hasParkingA || !hasGandiMX {
		t.Errorf("the default zone lacks Gandi's defaults: %+v", dom.Records)
	}
	if d.TimeScale != DefaultTimeScale || !d.DigitalOcean.SMTPBlocked || d.Cloudron.Version != DefaultCloudronVersion {
		t.Errorf("defaults: %+v", d)
	}
	other, _ := Build(nil, "redrockdsa.org", now)
	if other.Tokens == d.Tokens {
		t.Error("two worlds issued the same tokens")
	}
}

func TestSectionsDefaultOnTheirOwn(t *testing.T) {
	spec, err := Parse("w.yaml", []byte("dnsbl:\n  listed: [example.org]\n"))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := Build(spec, "redrockdsa.org", now)
	if d.DomainByFQDN("redrockdsa.org") == nil || d.DNSBL.Listed[0] != "example.org" {
		t.Fatalf("world = %+v", d)
	}
	// With a gandi section, exactly the domains listed.
	spec, _ = Parse("w.yaml", []byte("gandi:\n  domains:\n    - fqdn: other.org\n"))
	d, _ = Build(spec, "redrockdsa.org", now)
	if len(d.Gandi.Domains) != 1 || d.Gandi.Domains[0].FQDN != "other.org" {
		t.Fatalf("domains = %+v", d.Gandi.Domains)
	}
}

func TestCloudronReleaseAndAppUpdates(t *testing.T) {
	spec, err := Parse("w.yaml", []byte("cloudron:\n  version: 9.0.15\n  latest: 9.1.0\n  app_updates: {org.matrix.synapse: 1.99.0}\n"))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := Build(spec, "redrockdsa.org", now)
	if d.Cloudron.Version != "9.0.15" || d.Cloudron.Latest != "9.1.0" || d.Cloudron.AppUpdates["org.matrix.synapse"] != "1.99.0" {
		t.Fatalf("cloudron = %+v", d.Cloudron)
	}
}

func TestStrictErrorsNameLineAndKey(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown top key", "gandi: {}\ntime_scal: 1\n", `w.yaml line 2: unknown key "time_scal"`},
		{"unknown nested key", "digitalocean:\n  droplet_limt: 3\n", `w.yaml line 2: unknown key "droplet_limt"`},
		{"wrong type", "digitalocean:\n  droplet_limit: many\n", "w.yaml line 2: "},
		{"syntax", "gandi: [\n", "w.yaml: "},
		{"bad scale", "time_scale: -1\n", "time_scale must be between 0 and 10"},
		{"bad date", "gandi:\n  domains:\n    - fqdn: a.org\n      expires: soon\n", `expires "soon" is not a date`},
		{"duplicate domain", "gandi:\n  domains:\n    - fqdn: a.org\n    - fqdn: a.org\n", "listed twice"},
		{"bad droplet status", "digitalocean:\n  droplets:\n    - {name: x, status: frozen}\n", "status must be active or off"},
		{"bad latest", "cloudron: {latest: next}\n", `cloudron latest "next" is not a version`},
		{"bad app id", "cloudron:\n  app_updates: {synapse: 1.99.0}\n", `"synapse" is not an App Store id`},
		{"bad app version", "cloudron:\n  app_updates: {org.matrix.synapse: newest}\n", `org.matrix.synapse: "newest" is not a version`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("w.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestExistingDropletsKeepTheirFields(t *testing.T) {
	spec, err := Parse("w.yaml", []byte("digitalocean:\n  droplets:\n    - {id: 77, name: web.other.org, tags: [web], ip: 198.51.100.5, status: off}\n"))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := Build(spec, "redrockdsa.org", now)
	dr := d.DropletByID(77)
	if dr == nil || dr.PublicIPv4 != "198.51.100.5" || dr.StatusAt(now) != "off" || dr.Tags[0] != "web" {
		t.Fatalf("droplet = %+v", dr)
	}
}
