package dnssim

import (
	"net"
	"net/netip"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// LookupHost resolves name to its addresses (IPv4 first, then IPv6) from
// the authoritative data as published now, following CNAMEs from zone to
// zone: what the sandbox dialer uses to reach an app by name, so a record
// that is wrong or not yet published fails the connection as it would for
// real. No resolver cache is involved. Errors are *net.DNSError, as the
// system resolver's are.
func LookupHost(w *world.World, name string) ([]string, error) {
	if addr, err := netip.ParseAddr(name); err == nil {
		return []string{addr.String()}, nil
	}
	auth := NewAuthoritative(w)
	var addrs []string
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		m, state := auth.ask(name, qtype)
		for range maxChain {
			target, ok := danglingCNAME(m, qtype)
			if state != served || m.Rcode != dns.RcodeSuccess || !ok {
				break
			}
			var next *dns.Msg
			next, state = auth.ask(target, qtype)
			m.Answer, m.Rcode = append(m.Answer, next.Answer...), next.Rcode
		}
		switch state {
		case outside:
			return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
		case unserved:
			return nil, &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
		}
		for _, rr := range m.Answer {
			switch rr := rr.(type) {
			case *dns.A:
				addrs = append(addrs, rr.A.String())
			case *dns.AAAA:
				addrs = append(addrs, rr.AAAA.String())
			}
		}
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return addrs, nil
}
