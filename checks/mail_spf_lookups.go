package checks

import (
	"context"
	"fmt"

	"github.com/chapterctl/chapterctl/internal/dnsplan"
)

// SPFLookups is mail.spf_lookups: evaluating the SPF record may take at
// most 10 DNS lookups (RFC 7208 §4.6.4); past that it is a permerror.
var SPFLookups = Def{Key: "mail.spf_lookups", Name: "The SPF record stays within 10 DNS lookups", Area: AreaMail,
	Needs: []string{"mail.spf"}, Limit: 2 * dnsLimit,
	Look: func(ctx context.Context, env *Env) Result {
		txt, r, ok := apexTXT(ctx, env)
		if !ok {
			return r
		}
		spf := spfValues(txt)
		if len(spf) != 1 {
			return skip("there is not exactly one SPF record (mail.spf)")
		}
		lookup := func(domain string) (string, bool) {
			values, err := env.DNS.ResolveTXT(ctx, domain)
			if err != nil {
				return "", false
			}
			if s := spfValues(values); len(s) == 1 {
				return s[0], true
			}
			return "", false
		}
		n, complete := dnsplan.SPFLookups(spf[0], lookup)
		switch {
		case n > dnsplan.MaxSPFLookups:
			return Result{Status: Fail, Detail: fmt.Sprintf("evaluating the SPF record takes %d DNS lookups, more than the 10 receivers allow", n),
				Fix: "remove from the SPF record the senders (include:…) the chapter no longer uses, at Gandi"}
		case !complete:
			return unknown(fmt.Sprintf("at least %d lookups; an included record could not be read", n), "run \"chapterctl doctor\" again later")
		case n >= 9:
			return Result{Status: Warn, Detail: fmt.Sprintf("%d DNS lookups: close to the limit of 10", n),
				Fix: "remove from the SPF record the senders (include:…) the chapter no longer uses, at Gandi"}
		}
		return pass(fmt.Sprintf("%d DNS lookups", n))
	}}
