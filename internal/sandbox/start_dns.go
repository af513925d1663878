package sandbox

import (
	"context"
	"net"
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/dnssim"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// startDNS starts the authoritative server (answering for every Gandi
// nameserver name), one stand-in per public resolver address, and the
// blocklists, and routes UDP and TCP port 53 of each to its listener.
func (s *Sandbox) startDNS() error {
	auth := dnssim.NewAuthoritative(s.World)
	addr, err := s.serveDNS(auth)
	if err != nil {
		return err
	}
	s.endpoints.DNS.Authoritative = addr
	// The Gandi nameserver names resolve (in the simulated DNS) to these
	// addresses; the names themselves are routed too, for clients that
	// dial a name.
	for _, ns := range append(s.nameservers(), dnssim.NameserverIPv4, dnssim.NameserverIPv6) {
		s.routeDNS(ns, addr)
	}
	for i, ip := range PublicResolvers {
		raddr, err := s.serveDNS(dnssim.NewResolver(s.World, dnssim.ResolverOptions{Index: i}))
		if err != nil {
			return err
		}
		s.routeDNS(ip, raddr)
		s.endpoints.DNS.Resolvers = append(s.endpoints.DNS.Resolvers, raddr)
	}
	blocklists, err := s.serveDNS(dnssim.NewBlocklists(s.World))
	if err != nil {
		return err
	}
	s.endpoints.DNS.DNSBL = blocklists
	return nil
}

func (s *Sandbox) serveDNS(h dns.Handler) (string, error) {
	addr, stop, err := dnssim.Serve(h)
	if err != nil {
		return "", err
	}
	s.addStop(stop)
	return addr, nil
}

func (s *Sandbox) routeDNS(host, to string) {
	hp := net.JoinHostPort(host, "53")
	s.Net.Route("udp", hp, to)
	s.Net.Route("tcp", hp, to)
}

// nameservers are the authoritative server names of every zone in the
// world (the LiveDNS defaults and any a world file names).
func (s *Sandbox) nameservers() []string {
	seen := map[string]bool{}
	var names []string
	s.World.Read(func(d *world.Data) {
		for _, dom := range d.Gandi.Domains {
			for _, ns := range dom.Nameservers {
				ns = strings.TrimSuffix(strings.ToLower(ns), ".")
				if !seen[ns] {
					seen[ns] = true
					names = append(names, ns)
				}
			}
		}
	})
	return names
}

// worldDNS answers the simulators' own DNS questions in-process: the
// authoritative servers' view (what Cloudron's manual-DNS waits and
// Mailgun's verification see) or a resolver's (Cloudron's mail status).
type worldDNS struct {
	auth     *dnssim.Authoritative
	resolver *dnssim.Resolver
}

func newWorldDNS(w *world.World) *worldDNS {
	return &worldDNS{auth: dnssim.NewAuthoritative(w), resolver: dnssim.NewResolver(w, dnssim.ResolverOptions{})}
}

// answers returns the data of the records of type qtype at name.
func answers(m *dns.Msg, qtype uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range m.Answer {
		if rr.Header().Rrtype == qtype {
			out = append(out, rr)
		}
	}
	return out
}

func (d *worldDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	return rrStrings(d.auth.Lookup(dns.Fqdn(name), dns.TypeTXT), "TXT"), nil
}

func (d *worldDNS) LookupCNAME(_ context.Context, name string) (string, error) {
	for _, target := range rrStrings(d.auth.Lookup(dns.Fqdn(name), dns.TypeCNAME), "CNAME") {
		return strings.TrimSuffix(target, "."), nil
	}
	return "", nil
}

func (d *worldDNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	var out []*net.MX
	for _, rr := range answers(d.auth.Lookup(dns.Fqdn(name), dns.TypeMX), dns.TypeMX) {
		mx := rr.(*dns.MX)
		out = append(out, &net.MX{Host: mx.Mx, Pref: mx.Preference})
	}
	return out, nil
}
