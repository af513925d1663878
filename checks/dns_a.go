package checks

import (
	"context"
	"fmt"
	"slices"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
)

// ServerA is dns.a: my.<domain> must point at the droplet. Everything on
// the server (dashboard, mail, certificates, apps) hangs on it.
var ServerA = Def{Key: "dns.a", Name: "The server's name (my.<domain>) points at it", Area: AreaDNS,
	Impact: "nobody can reach the chapter's server by name: chat, email and the dashboard are all down",
	Needs:  []string{"dns.nameservers"}, Limit: dnsLimit,
	Look: func(ctx context.Context, env *Env) Result {
		return judgeA(ctx, env, env.ServerHost())
	}}

// judgeA asks the authoritative servers for host's A record and wants the
// droplet's address.
func judgeA(ctx context.Context, env *Env, host string) Result {
	ip := env.IPv4()
	if ip == "" {
		return skip("no droplet is recorded yet")
	}
	a, err := askAuthoritative(ctx, env, host, dns.TypeA)
	if err != nil {
		return dnsUnknown(host, err)
	}
	if a.Kind == dnsq.Found && slices.Equal(a.Values, []string{ip}) {
		return pass(fmt.Sprintf("%s A %s at Gandi's servers", host, ip))
	}
	return Result{Status: Fail,
		Detail: fmt.Sprintf("%s serves %s at Gandi's servers, want A %s", host, Values("A", a.Values, a.Kind.String()), ip),
		Fix:    fmt.Sprintf("run \"chapterctl dns apply\" to put the record back (%s A %s)", host, ip)}
}
