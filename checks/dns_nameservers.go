package checks

import (
	"context"
	"fmt"
	"strings"
)

// Nameservers is dns.nameservers: the domain is delegated to Gandi's
// LiveDNS, whose zone chapterctl writes, and its servers answer.
var Nameservers = Def{Key: "dns.nameservers", Name: "The domain uses Gandi's LiveDNS", Area: AreaDNS,
	Impact: "every record chapterctl writes is invisible: chat, email and the dashboard stop working",
	Limit:  apiLimit,
	Look: func(ctx context.Context, env *Env) Result {
		servers, err := authoritative(ctx, env)
		if err != nil {
			return dnsUnknown(env.Domain()+"'s nameservers", err)
		}
		if env.Gandi == nil {
			return pass(fmt.Sprintf("%s is served by %d nameservers (no Gandi token to compare with)", env.Domain(), len(servers)))
		}
		dom, err := env.Gandi.Domain(ctx, env.Domain())
		if err != nil {
			return unknown("Gandi's API did not answer: "+err.Error(), "check the Gandi token (chapterctl.tokens), then run \"chapterctl doctor\" again")
		}
		if !dom.UsesLiveDNS {
			return Result{Status: Fail, Detail: fmt.Sprintf("%s uses the nameservers %s, not Gandi's LiveDNS", env.Domain(), strings.Join(dom.Nameservers, ", ")),
				Fix: "in Gandi → Domain → Nameservers, choose LiveDNS again"}
		}
		return pass(fmt.Sprintf("LiveDNS: %s", strings.Join(dom.Nameservers, ", ")))
	}}
