package checks

import (
	"context"
	"fmt"
	"strings"
)

// SPF is mail.spf: exactly one SPF record (two is a permerror, RFC 7208
// §4.5, and receivers then treat the mail as unauthenticated) that
// allows the server or the relay.
var SPF = Def{Key: "mail.spf", Name: "One SPF record that allows the server", Area: AreaMail,
	Impact: "mail members send is likely to land in spam or be refused",
	Needs:  []string{"dns.nameservers"}, Limit: dnsLimit,
	Look: func(ctx context.Context, env *Env) Result {
		txt, r, ok := apexTXT(ctx, env)
		if !ok {
			return r
		}
		spf := spfValues(txt)
		switch len(spf) {
		case 0:
			return Result{Status: Fail, Detail: env.Domain() + " publishes no SPF record: receivers cannot tell the server may send its mail", Fix: dnsApplyFix}
		case 1:
		default:
			return Result{Status: Fail, Detail: fmt.Sprintf("%s publishes %d SPF records (%s); receivers then ignore all of them", env.Domain(), len(spf), strings.Join(spf, " | ")),
				Fix: `run "chapterctl dns apply": it merges them into one and keeps your other senders`}
		}
		if !strings.Contains(spf[0], "a:"+env.ServerHost()) && !strings.Contains(spf[0], env.IPv4()) && !strings.Contains(spf[0], "include:") {
			return Result{Status: Fail, Detail: fmt.Sprintf("the SPF record %q does not name the server (a:%s)", spf[0], env.ServerHost()), Fix: dnsApplyFix}
		}
		return pass(spf[0])
	}}
