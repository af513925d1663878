package checks

import (
	"context"

	"github.com/miekg/dns"
)

var domainBlocklists = []string{"dbl.spamhaus.org", "multi.surbl.org"}

// DBL is domain.dbl: the domain is on no domain blocklist (mail naming
// it, or links to it, is refused).
var DBL = Def{Key: "domain.dbl", Name: "The domain is on no spam blocklist", Area: AreaMail,
	Impact: "mail from or mentioning the chapter's domain is refused",
	Needs:  []string{"host.ssh"}, Limit: sshLimit,
	Look: func(ctx context.Context, env *Env) Result {
		var qs []listQuestion
		major := map[string]bool{}
		for _, zone := range domainBlocklists {
			qs = append(qs, listQuestion{zone: zone, qname: dns.Fqdn(env.Domain() + "." + zone), domainList: true})
			major[zone] = true
		}
		answers, err := askFromServer(ctx, env, qs)
		if err != nil {
			return hostUnknown(err)
		}
		out := judgeFromServer(qs, answers, major)
		r := judgeListings(env.Domain(), out)
		if r.Status == Fail {
			r.Fix = "request a review of " + env.Domain() + " at https://check.spamhaus.org/ and at surbl.org's lookup page"
		}
		return r
	}}
