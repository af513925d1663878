package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
)

// MX is mail.mx: the domain's mail goes to the server, and only there.
var MX = Def{Key: "mail.mx", Name: "Incoming mail goes to the server (MX)", Area: AreaMail,
	Impact: "members cannot receive email",
	Needs:  []string{"dns.nameservers"}, Limit: dnsLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if !mailEnabled(env) {
			return skip("email is off in chapter.yaml")
		}
		a, err := askAuthoritative(ctx, env, env.Domain(), dns.TypeMX)
		if err != nil {
			return dnsUnknown(env.Domain()+" MX", err)
		}
		want := dns.Fqdn(env.ServerHost())
		var hosts []string
		if a.Kind == dnsq.Found {
			for _, v := range a.Values {
				f := strings.Fields(v)
				hosts = append(hosts, f[len(f)-1])
			}
		}
		if len(hosts) == 1 && strings.EqualFold(hosts[0], want) {
			return pass("MX " + strings.TrimSuffix(want, "."))
		}
		if len(hosts) == 0 {
			return Result{Status: Fail, Detail: env.Domain() + " has no MX record: other servers do not know where to deliver its mail",
				Fix: fmt.Sprintf("run \"chapterctl dns apply\" to restore the MX record (expected %s)", env.ServerHost())}
		}
		return Result{Status: Fail, Detail: fmt.Sprintf("%s's MX points at %s, want only %s", env.Domain(), Values("MX", a.Values, ""), env.ServerHost()),
			Fix: fmt.Sprintf("run \"chapterctl dns apply\" to restore the MX record (expected %s)", env.ServerHost())}
	}}
