package dnssim

import (
	"errors"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestLookupHost(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, func(d *world.Data) {
		d.Gandi.Domains = append(d.Gandi.Domains, &world.Domain{FQDN: "new.example"})
		late := &world.Domain{FQDN: "late.example", Records: []world.RRSet{{Name: "@", Type: "A", Values: []string{"203.0.113.60"}}}}
		late.Publish(time.Now().Add(time.Hour))
		d.Gandi.Domains = append(d.Gandi.Domains, late)
	})
	tests := []struct {
		name     string
		want     []string
		notFound bool
	}{
		{"my.example.org", []string{"203.0.113.10", "2001:db8::10"}, false},
		{"element.example.org", []string{"203.0.113.10", "2001:db8::10"}, false}, // through two CNAMEs
		{"example.org", []string{"203.0.113.10"}, false},
		{"203.0.113.7", []string{"203.0.113.7"}, false},
		{"ns-203.gandi.net", []string{NameserverIPv4, NameserverIPv6}, false}, // the zone's nameservers
		{"ns1.gandi.net", []string{NameserverIPv4, NameserverIPv6}, false},
		{"webredir.vip.gandi.net", nil, true},
		{"nope.example.org", nil, true},
		{"www.example.org", nil, true}, // a CNAME out of the world
		{"api.example.com", nil, true},
		{"www.new.example", nil, false}, // not served yet: a temporary failure
		{"late.example", nil, false},
	}
	for _, tt := range tests {
		got, err := LookupHost(w, tt.name)
		if tt.want != nil {
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("%s: %v %v, want %v", tt.name, got, err, tt.want)
			}
			continue
		}
		var dnsErr *net.DNSError
		if !errors.As(err, &dnsErr) || dnsErr.IsNotFound != tt.notFound || dnsErr.IsTemporary == tt.notFound {
			t.Errorf("%s: %v %#v, want a DNSError with IsNotFound=%v", tt.name, got, err, tt.notFound)
		}
	}
}
