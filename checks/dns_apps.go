package checks

import (
	"context"
	"fmt"
	"strings"
)

// AppRecords is dns.apps: every installed app's host name points at the
// droplet (chat, Element, webmail…).
var AppRecords = Def{Key: "dns.apps", Name: "Every app's name points at the server", Area: AreaDNS,
	Impact: "members cannot open the apps whose names are missing",
	Needs:  []string{"dns.nameservers", "platform.status"}, Limit: apiLimit,
	Look: func(ctx context.Context, env *Env) Result {
		list, err := apps(ctx, env)
		if err != nil {
			return cloudronUnknown(err)
		}
		var bad, good []string
		var firstBad Result
		for _, a := range list {
			if a.FQDN == "" || a.FQDN == env.ServerHost() {
				continue
			}
			r := judgeA(ctx, env, a.FQDN)
			switch r.Status {
			case Pass:
				good = append(good, a.FQDN)
			case Unknown:
				return r
			default:
				bad = append(bad, a.FQDN)
				if firstBad.Status == "" {
					firstBad = r
				}
			}
		}
		if len(bad) > 0 {
			firstBad.Detail = fmt.Sprintf("%d app names do not point at the server: %s", len(bad), firstBad.Detail)
			return firstBad
		}
		if len(good) == 0 {
			return skip("no app has a name of its own")
		}
		return pass(strings.Join(good, ", ") + " point at the server")
	}}
