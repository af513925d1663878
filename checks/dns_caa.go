package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
)

// CAA is dns.caa: a CAA record at the domain must allow Let's Encrypt,
// which issues every certificate Cloudron uses (RFC 8659).
var CAA = Def{Key: "dns.caa", Name: "Let's Encrypt may issue the certificates (CAA)", Area: AreaDNS,
	Impact: "certificates cannot renew: in weeks browsers and phones refuse the chat and webmail",
	Needs:  []string{"dns.nameservers"}, Limit: dnsLimit,
	Look: func(ctx context.Context, env *Env) Result {
		a, err := askAuthoritative(ctx, env, env.Domain(), dns.TypeCAA)
		if err != nil {
			return dnsUnknown(env.Domain()+" CAA", err)
		}
		if a.Kind != dnsq.Found || len(a.Values) == 0 {
			return pass("no CAA record: any authority may issue")
		}
		issuers := 0
		for _, v := range a.Values {
			f := strings.Fields(v)
			if len(f) == 3 && (f[1] == "issue" || f[1] == "issuewild") {
				issuers++
				if strings.Trim(f[2], `"`) == "letsencrypt.org" || strings.HasPrefix(strings.Trim(f[2], `"`), "letsencrypt.org;") {
					return pass("CAA allows letsencrypt.org")
				}
			}
		}
		if issuers == 0 {
			return pass("CAA sets no issuer restriction")
		}
		return Result{Status: Fail, Detail: fmt.Sprintf("the CAA records %s allow other authorities, not Let's Encrypt", strings.Join(a.Values, ", ")),
			Fix: `add the CAA record 0 issue "letsencrypt.org" at Gandi (or delete the CAA records), so certificates can renew`}
	}}
