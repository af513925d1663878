package sandbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/dnssim"
	"github.com/chapterctl/chapterctl/internal/sandbox/droplet"
	"github.com/chapterctl/chapterctl/internal/sandbox/mailgun"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// cloudronDeps is what a simulated Cloudron sees of the rest of the world.
type cloudronDeps struct {
	s         *Sandbox
	dropletID int
	dns       *worldDNS
	// unbound is the box's own resolver; Cloudron caps its cache at 300 s
	// and absences at 30 s.
	unbound *dnssim.Resolver
}

func (c *cloudronDeps) SettleMachine() { droplet.Settle(c.s.World, c.dropletID) }

func (c *cloudronDeps) LookupAuthoritative(_ context.Context, name, qtype string) ([]string, error) {
	if qtype == "A" {
		addrs, err := dnssim.LookupHost(c.s.World, name)
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		var v4 []string
		for _, a := range addrs {
			if !strings.Contains(a, ":") {
				v4 = append(v4, a)
			}
		}
		return v4, nil
	}
	return rrStrings(c.dns.auth.Lookup(dns.Fqdn(name), dns.StringToType[qtype]), qtype), nil
}

func (c *cloudronDeps) resolver() *dnssim.Resolver {
	if c.unbound == nil {
		c.unbound = dnssim.NewResolver(c.s.World, dnssim.ResolverOptions{MaxTTL: 300 * time.Second, MaxNegativeTTL: 30 * time.Second})
	}
	return c.unbound
}

func (c *cloudronDeps) LookupResolver(_ context.Context, name, qtype string) ([]string, error) {
	return rrStrings(c.resolver().Lookup(dns.Fqdn(name), dns.StringToType[qtype]), qtype), nil
}

func (c *cloudronDeps) PTR(_ context.Context, ip string) ([]string, error) {
	rev, err := dns.ReverseAddr(ip)
	if err != nil {
		return nil, err
	}
	return rrStrings(c.resolver().Lookup(rev, dns.TypePTR), "PTR"), nil
}

func (c *cloudronDeps) Port25Blocked() bool {
	blocked := false
	c.s.World.Read(func(d *world.Data) { blocked = d.DigitalOcean.SMTPBlocked })
	return blocked
}

func (c *cloudronDeps) SMTPLogin(_ context.Context, host string, port int, user, pass string) error {
	if port != 587 && port != 2525 {
		return fmt.Errorf("connect to %s:%d timed out", host, port)
	}
	var err error
	c.s.World.Read(func(d *world.Data) { err = mailgun.CheckLogin(d, host, user, pass) })
	return err
}

func (c *cloudronDeps) IssueCertificate(_ context.Context, notBefore, notAfter time.Time, hosts ...string) (tls.Certificate, error) {
	return c.s.CA.IssueValid(notBefore, notAfter, hosts...)
}

// rrStrings renders the answers of type qtype as Cloudron's Deps want them:
// addresses, "<pref> <host>" for MX, TXT strings joined, names for NS/PTR.
func rrStrings(m *dns.Msg, qtype string) []string {
	var out []string
	for _, rr := range answers(m, dns.StringToType[qtype]) {
		switch v := rr.(type) {
		case *dns.A:
			out = append(out, v.A.String())
		case *dns.AAAA:
			out = append(out, v.AAAA.String())
		case *dns.MX:
			out = append(out, fmt.Sprintf("%d %s", v.Preference, v.Mx))
		case *dns.TXT:
			out = append(out, strings.Join(v.Txt, ""))
		case *dns.NS:
			out = append(out, v.Ns)
		case *dns.PTR:
			out = append(out, strings.TrimSuffix(v.Ptr, "."))
		case *dns.CNAME:
			out = append(out, v.Target)
		}
	}
	return out
}
