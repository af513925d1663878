package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/dnsq"
)

// DKIM is mail.dkim: the signing key Gandi serves is the one Cloudron
// signs with (its mail status says which).
var DKIM = Def{Key: "mail.dkim", Name: "The email signing key (DKIM) is published", Area: AreaMail,
	Impact: "mail members send fails DKIM and is likely to land in spam or be refused",
	Needs:  []string{"dns.nameservers", "platform.status"}, Limit: mailStatusLimit,
	Look: func(ctx context.Context, env *Env) Result {
		want, r, ok := dkimExpected(ctx, env)
		if !ok {
			return r
		}
		a, err := askAuthoritative(ctx, env, want.FQDN, dns.TypeTXT)
		if err != nil {
			return dnsUnknown(want.FQDN, err)
		}
		if a.Kind != dnsq.Found {
			return Result{Status: Fail, Detail: want.FQDN + " has no TXT record: receivers cannot check the server's signature", Fix: dnsApplyFix}
		}
		wantKey := dkimKey(want.Expected)
		for _, v := range a.Values {
			if dkimKey(v) == wantKey && wantKey != "" {
				return pass(fmt.Sprintf("%s serves the server's key", want.FQDN))
			}
		}
		return Result{Status: Fail, Detail: fmt.Sprintf("%s serves another key than the one the server signs with", want.FQDN), Fix: dnsApplyFix}
	}}

// dkimExpected is Cloudron's DKIM check: the name and the value it wants.
func dkimExpected(ctx context.Context, env *Env) (cloudron.MailCheck, Result, bool) {
	st, err := mailStatus(ctx, env)
	if err != nil {
		return cloudron.MailCheck{}, cloudronUnknown(err), false
	}
	c, ok := st.Check("dkim")
	if !ok || c.FQDN == "" {
		return c, skip("Cloudron does not report a DKIM key for " + env.Domain()), false
	}
	return c, Result{}, true
}

// dkimKey is the p= tag of a DKIM record, spaces removed.
func dkimKey(record string) string {
	for tag := range strings.SplitSeq(record, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(tag), "=")
		if ok && strings.TrimSpace(k) == "p" {
			return strings.Join(strings.Fields(v), "")
		}
	}
	return ""
}
