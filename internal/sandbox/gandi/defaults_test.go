package gandi

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestNewDomainIsANewRegistrationServingTheDefaultZone(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	dom := NewDomain("Example.ORG.", now)
	if dom.FQDN != "example.org" || !slices.Equal(dom.Nameservers, []string{"ns-203.gandi.net", "ns-51.gandi.net", "ns-1.gandi.net"}) ||
		!dom.Expires.Equal(now.AddDate(1, 0, 0)) || !dom.AutomaticSnapshots {
		t.Errorf("domain = %+v", dom)
	}
	if !reflect.DeepEqual(dom.Records, DefaultZone("example.org")) {
		t.Errorf("records = %+v", dom.Records)
	}
	served, ok := dom.ServedAt(now)
	if !ok || !reflect.DeepEqual(served, dom.Records) {
		t.Errorf("the default zone is not served from the start: %v %+v", ok, served)
	}
	for _, rr := range DefaultZone("example.org") {
		if rr.TTL != 10800 {
			t.Errorf("%s %s TTL %d, want 10800", rr.Name, rr.Type, rr.TTL)
		}
	}
}

func TestIsRegistrarDefault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rr   world.RRSet
		want bool
	}{
		{"parking A", world.RRSet{Name: "@", Type: "A", Values: []string{"217.70.184.38"}}, true},
		{"Gandi Mail MX, values reordered, TTL changed", world.RRSet{Name: "@", Type: "MX", TTL: 300,
			Values: []string{"50 fb.mail.gandi.net.", "10 spool.mail.gandi.net."}}, true},
		{"Gandi SPF", world.RRSet{Name: "@", Type: "TXT", Values: []string{`"v=spf1 include:_mailcust.gandi.net ?all"`}}, true},
		{"Gandi SPF sent unquoted", world.RRSet{Name: "@", Type: "txt", Values: []string{"v=spf1 include:_mailcust.gandi.net ?all"}}, true},
		{"www CNAME by absolute name", world.RRSet{Name: "www.example.org.", Type: "CNAME", Values: []string{"webredir.vip.gandi.net."}}, true},
		{"submission SRV", world.RRSet{Name: "_submission._tcp", Type: "SRV", Values: []string{"0 1 465 mail.gandi.net."}}, true},
		{"SPF with another value beside", world.RRSet{Name: "@", Type: "TXT",
			Values: []string{`"v=spf1 include:_mailcust.gandi.net ?all"`, `"google-site-verification=x"`}}, false},
		{"Google MX", world.RRSet{Name: "@", Type: "MX", Values: []string{"1 smtp.google.com."}}, false},
		{"www to a web host", world.RRSet{Name: "www", Type: "CNAME", Values: []string{"example.github.io."}}, false},
		{"the server", world.RRSet{Name: "my", Type: "A", Values: []string{"203.0.113.10"}}, false},
		{"a name outside the zone", world.RRSet{Name: "www.example.net.", Type: "CNAME", Values: []string{"webredir.vip.gandi.net."}}, false},
	}
	for _, tt := range tests {
		if got := IsRegistrarDefault("example.org", tt.rr); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
