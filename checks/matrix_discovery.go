package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"slices"

	"github.com/miekg/dns"
)

// Discovery is matrix.discovery: other servers, following the spec's
// order (well-known first), arrive at this droplet on port 443.
var Discovery = Def{Key: "matrix.discovery", Name: "Other Matrix servers find yours", Area: AreaChat,
	Needs: []string{TLSCheckID, "dns.apps", "matrix.wellknown_server"}, Limit: 2 * httpLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if !isMatrix(env) {
			return skip("the chat is not Matrix")
		}
		hs, r, ok := synapseHost(ctx, env)
		if !ok {
			return r
		}
		target, port := hs, "443"
		if name := matrixServerName(env); name != hs {
			url := "https://" + name + "/.well-known/matrix/server"
			ans, err := fetch(ctx, env, url)
			if err != nil {
				return webUnknown(url, err)
			}
			var doc struct {
				Server string `json:"m.server"`
			}
			if ans.status != 200 || json.Unmarshal(ans.body, &doc) != nil || doc.Server == "" {
				return Result{Status: Fail, Detail: "no .well-known delegation: other servers would try " + name + ":8448, where nothing listens",
					Fix: `run "chapterctl upgrade", then "chapterctl doctor" again`}
			}
			h, p, err := net.SplitHostPort(doc.Server)
			if err != nil {
				h, p = doc.Server, "8448"
			}
			target, port = h, p
		}
		a, err := askResolver(ctx, env, target, dns.TypeA)
		if err != nil {
			return dnsUnknown(target, err)
		}
		if !slices.Contains(a.Values, env.IPv4()) || port != "443" {
			return Result{Status: Fail, Detail: fmt.Sprintf("discovery leads to %s:%s (%s), not the server at %s:443", target, port, Values("A", a.Values, "no address"), env.IPv4()),
				Fix: `run "chapterctl dns apply", then "chapterctl doctor" again`}
		}
		return pass(fmt.Sprintf("resolves to %s:443 (%s)", env.IPv4(), target))
	}}
