package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
)

// PTR is mail.ptr: the server's address has my.<domain> as its reverse
// name, which DigitalOcean sets from the droplet's name.
var PTR = Def{Key: "mail.ptr", Name: "The server's address has its name as reverse DNS (PTR)", Area: AreaMail,
	Impact: "mail members send is likely to be refused as spam",
	Limit:  dnsLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if !mailEnabled(env) {
			return skip("email is off in chapter.yaml")
		}
		ip := env.IPv4()
		if ip == "" {
			return skip("no droplet is recorded yet")
		}
		names, r, ok := reverseNames(ctx, env, ip)
		if !ok {
			return r
		}
		want := dns.Fqdn(env.ServerHost())
		if len(names) == 1 && strings.EqualFold(names[0], want) {
			return pass(fmt.Sprintf("%s → %s", ip, env.ServerHost()))
		}
		return Result{Status: Fail, Detail: fmt.Sprintf("%s has the reverse name %s, want %s", ip, Values("PTR", names, "nothing"), env.ServerHost()),
			Fix: fmt.Sprintf("rename the droplet in DigitalOcean to exactly %s (DigitalOcean sets the reverse name from the droplet's name)", env.ServerHost())}
	}}

func reverseNames(ctx context.Context, env *Env, ip string) ([]string, Result, bool) {
	arpa, err := dns.ReverseAddr(ip)
	if err != nil {
		return nil, unknown(ip+" is not an address", ""), false
	}
	a, err := askResolver(ctx, env, arpa, dns.TypePTR)
	if err != nil {
		return nil, dnsUnknown("the reverse name of "+ip, err), false
	}
	if a.Kind != dnsq.Found {
		return nil, Result{}, true
	}
	return a.Values, Result{}, true
}
