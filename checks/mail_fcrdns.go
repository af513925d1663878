package checks

import (
	"context"
	"fmt"
	"slices"

	"github.com/miekg/dns"
)

// FCrDNS is mail.fcrdns: the reverse name leads back to the address
// (forward-confirmed reverse DNS), as receivers check.
var FCrDNS = Def{Key: "mail.fcrdns", Name: "The reverse name leads back to the server (FCrDNS)", Area: AreaMail,
	Needs: []string{"mail.ptr", "dns.a"}, Limit: dnsLimit,
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
		if len(names) == 0 {
			return Result{Status: Fail, Detail: ip + " has no reverse name", Fix: "see mail.ptr"}
		}
		a, err := askResolver(ctx, env, names[0], dns.TypeA)
		if err != nil {
			return dnsUnknown(names[0], err)
		}
		if slices.Contains(a.Values, ip) {
			return pass(fmt.Sprintf("%s → %s → %s", ip, names[0], ip))
		}
		return Result{Status: Fail, Detail: fmt.Sprintf("%s's reverse name %s resolves to %s, not back to %s", ip, names[0], Values("A", a.Values, "nothing"), ip),
			Fix: fmt.Sprintf("rename the droplet in DigitalOcean to exactly %s, then run \"chapterctl dns apply\"", env.ServerHost())}
	}}
