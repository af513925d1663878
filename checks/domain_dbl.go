package checks

import (
	"context"
	"sync"
)

var domainBlocklists = []string{"dbl.spamhaus.org", "multi.surbl.org"}

// DBL is domain.dbl: the domain is on no domain blocklist (mail naming
// it, or links to it, is refused).
var DBL = Def{Key: "domain.dbl", Name: "The domain is on no spam blocklist", Area: AreaMail,
	Impact: "mail from or mentioning the chapter's domain is refused",
	Limit:  dnsLimit,
	Look: func(ctx context.Context, env *Env) Result {
		resolver := resolvers(env)[0]
		out := make([]listing, len(domainBlocklists))
		var wg sync.WaitGroup
		for i, zone := range domainBlocklists {
			wg.Go(func() {
				l, err := env.DNS.DomainBlocklisted(ctx, resolver, env.Domain(), zone)
				out[i] = listing{zone: zone, major: true, listed: l.Listed, unknown: l.Unknown || err != nil, reason: l.Reason}
			})
		}
		wg.Wait()
		r := judgeListings(env.Domain(), out)
		if r.Status == Fail {
			r.Fix = "request a review of " + env.Domain() + " at https://check.spamhaus.org/ and at surbl.org's lookup page"
		}
		return r
	}}
