package dnssim

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func withDroplets(d *world.Data) {
	d.DigitalOcean.Droplets = []*world.Droplet{
		{ID: 1, Name: "my.example.org", PublicIPv4: "203.0.113.10", PublicIPv6: "2001:db8:0:1::10"},
		{ID: 2, Name: "ubuntu-s-1vcpu-2gb-fra1-01", PublicIPv4: "203.0.113.11"},
	}
}

func TestPTROfDroplets(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0.001, withDroplets)
	auth, resolver := serve(t, NewAuthoritative(w)), serve(t, NewResolver(w, ResolverOptions{}))
	tests := []struct {
		ip    string
		rcode int
		ptr   string
	}{
		{"203.0.113.10", dns.RcodeSuccess, "my.example.org."}, // the name is an FQDN
		{"2001:db8:0:1::10", dns.RcodeSuccess, "my.example.org."},
		{"203.0.113.11", dns.RcodeNameError, ""}, // a bare host name makes no PTR
		{"203.0.113.12", dns.RcodeNameError, ""}, // no droplet there
		{"198.51.100.7", dns.RcodeNameError, ""},
		{"8.8.8.8", dns.RcodeRefused, ""}, // not the world's
	}
	for _, tt := range tests {
		arpa, _ := dns.ReverseAddr(tt.ip)
		r := ask(t, auth, arpa, dns.TypePTR, false)
		if r.Rcode != tt.rcode {
			t.Errorf("%s: %s, want %s", tt.ip, dns.RcodeToString[r.Rcode], dns.RcodeToString[tt.rcode])
			continue
		}
		if tt.rcode == dns.RcodeNameError && (soaIn(r.Ns) == nil || soaIn(r.Ns).Ns != "ns1.digitalocean.com.") {
			t.Errorf("%s: authority %v, want DigitalOcean's SOA", tt.ip, r.Ns)
		}
		if tt.ptr == "" {
			continue
		}
		for _, m := range []*dns.Msg{r, ask(t, resolver, arpa, dns.TypePTR, true)} {
			if len(m.Answer) != 1 || m.Answer[0].(*dns.PTR).Ptr != tt.ptr {
				t.Errorf("%s: answer %v, want PTR %s", tt.ip, m.Answer, tt.ptr)
			}
		}
	}
}
