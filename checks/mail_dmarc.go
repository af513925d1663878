package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
)

// DMARC is mail.dmarc: one DMARC policy that tells receivers to refuse
// mail faking the domain (RFC 7489).
var DMARC = Def{Key: "mail.dmarc", Name: "A DMARC policy protects the domain", Area: AreaMail,
	Needs: []string{"dns.nameservers"}, Limit: dnsLimit,
	Look: func(ctx context.Context, env *Env) Result {
		name := "_dmarc." + env.Domain()
		a, err := askAuthoritative(ctx, env, name, dns.TypeTXT)
		if err != nil {
			return dnsUnknown(name, err)
		}
		var policies []string
		if a.Kind == dnsq.Found {
			for _, v := range a.Values {
				if strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "v=dmarc1") {
					policies = append(policies, v)
				}
			}
		}
		switch {
		case len(policies) == 0:
			return Result{Status: Fail, Detail: name + " has no DMARC policy: anyone can send mail that looks like it is from the chapter", Fix: dnsApplyFix}
		case len(policies) > 1:
			return Result{Status: Fail, Detail: fmt.Sprintf("%s has %d DMARC policies; receivers then ignore them", name, len(policies)), Fix: dnsApplyFix}
		}
		p := dmarcTag(policies[0], "p")
		switch p {
		case "reject", "quarantine":
			return pass(policies[0])
		case "none":
			return Result{Status: Warn, Detail: "the DMARC policy is p=none: mail faking the domain is still delivered",
				Fix: `run "chapterctl dns apply" to publish the chapter's policy (p=reject)`}
		}
		return Result{Status: Fail, Detail: fmt.Sprintf("the DMARC policy %q has no valid p= tag", policies[0]), Fix: dnsApplyFix}
	}}

func dmarcTag(record, tag string) string {
	for part := range strings.SplitSeq(record, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), tag) {
			return strings.ToLower(strings.TrimSpace(v))
		}
	}
	return ""
}
