package checks

import (
	"context"
	"fmt"
	"strings"
)

// TLSValid is tls.cert: every HTTPS name presents a certificate a browser
// accepts (a trusted chain, the right name, in its validity dates).
var TLSValid = Def{Key: TLSCheckID, Name: "Every app's certificate is valid", Area: AreaTLS,
	Impact: "browsers and phones refuse to open the chat and webmail",
	Needs:  []string{"dns.a", "dns.apps"}, Limit: apiLimit,
	Look: func(ctx context.Context, env *Env) Result {
		certs, err := certificates(ctx, env)
		if err != nil {
			return cloudronUnknown(err)
		}
		var names []string
		for _, c := range certs {
			if c.leaf == nil {
				return c.result
			}
			names = append(names, c.host)
		}
		return pass(fmt.Sprintf("valid for %s", strings.Join(names, ", ")))
	}}

// TLSExpiry is tls.expiry: no certificate is close to its end; Cloudron
// renews 30 days ahead, so 14 days left means renewal has been failing.
var TLSExpiry = Def{Key: "tls.expiry", Name: "No certificate is about to expire", Area: AreaTLS,
	Impact: "soon browsers and phones refuse to open the chat and webmail",
	Needs:  []string{TLSCheckID}, Limit: apiLimit,
	Look: func(ctx context.Context, env *Env) Result {
		certs, err := certificates(ctx, env)
		if err != nil {
			return cloudronUnknown(err)
		}
		worst := Result{Status: Pass}
		first := ""
		for _, c := range certs {
			if c.leaf == nil {
				return unknown(c.host+": no valid certificate to read the expiry of", "see tls.cert")
			}
			r := JudgeExpiry(c.host, c.leaf, env.now())
			if r.Status == Fail || (r.Status == Warn && worst.Status == Pass) {
				worst = r
			}
			if first == "" || c.leaf.NotAfter.Format("2006-01-02") < first {
				first = c.leaf.NotAfter.Format("2006-01-02")
			}
		}
		if worst.Status == Pass {
			return pass("the first to end does so on " + first + "; Cloudron renews them 30 days ahead")
		}
		return worst
	}}
