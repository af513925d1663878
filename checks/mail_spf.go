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
		if why := spfMissing(spf[0], env.ServerHost(), env.IPv4(), relayed(env)); why != "" {
			return Result{Status: Fail, Detail: fmt.Sprintf("the SPF record %q %s", spf[0], why), Fix: dnsApplyFix}
		}
		return pass(spf[0])
	}}

// spfMissing says what an SPF record fails to allow, "" when it allows
// what the chapter sends through: the server by name (a:<host>, as
// Cloudron writes it), by address (ip4:) or as the MX; with the Mailgun
// relay, Mailgun's include.
func spfMissing(record, host, ip string, relay bool) string {
	terms := map[string]bool{}
	for _, f := range strings.Fields(strings.ToLower(record))[1:] {
		terms[strings.TrimLeft(f, "+")] = true
	}
	if relay {
		if !terms["include:mailgun.org"] {
			return "does not include mailgun.org: mail sent through the relay fails SPF"
		}
		return ""
	}
	if terms["a:"+strings.ToLower(host)] || terms["ip4:"+ip] || terms["ip4:"+ip+"/32"] || terms["mx"] {
		return ""
	}
	return fmt.Sprintf("does not allow the server (a:%s)", host)
}
