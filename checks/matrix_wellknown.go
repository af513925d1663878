package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"strings"
)

// WellKnownServer is matrix.wellknown_server: https://<server name>/
// .well-known/matrix/server delegates federation to Synapse on 443.
var WellKnownServer = Def{Key: "matrix.wellknown_server", Name: "Matrix federation delegation (.well-known/matrix/server)", Area: AreaChat,
	Impact: "other chapters' Matrix servers cannot reach yours: no federation",
	Needs:  []string{"platform.status", TLSCheckID}, Limit: httpLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if !isMatrix(env) {
			return skip("the chat is not Matrix")
		}
		hs, r, ok := synapseHost(ctx, env)
		if !ok {
			return r
		}
		name := matrixServerName(env)
		if name == hs {
			return skip("the server name is Synapse's own host: no delegation needed")
		}
		url := "https://" + name + "/.well-known/matrix/server"
		ans, err := fetch(ctx, env, url)
		if err != nil {
			return webUnknown(url, err)
		}
		fix := fmt.Sprintf("run \"chapterctl upgrade\" to publish .well-known/matrix/server again (it must say %s:443)", hs)
		if ans.status >= 300 && ans.status < 400 {
			return Result{Status: Fail, Detail: fmt.Sprintf("%s redirects (%d): Matrix federation does not follow redirects", url, ans.status), Fix: fix}
		}
		var doc struct {
			Server string `json:"m.server"`
		}
		if ans.status != 200 || json.Unmarshal(ans.body, &doc) != nil || doc.Server == "" {
			return Result{Status: Fail, Detail: fmt.Sprintf("%s answered %d without an m.server", url, ans.status), Fix: fix}
		}
		if doc.Server != hs+":443" {
			if _, _, err := net.SplitHostPort(doc.Server); err != nil {
				return Result{Status: Warn, Detail: fmt.Sprintf("m.server is %q without a port, which means 8448, where nothing listens", doc.Server), Fix: fix}
			}
			return Result{Status: Fail, Detail: fmt.Sprintf("m.server is %q, want %s:443", doc.Server, hs), Fix: fix}
		}
		if r := corsAndType(url, ans); r.Status != Pass {
			return r
		}
		return pass("m.server " + doc.Server)
	}}

// corsAndType: Element in a browser fetches the well-known documents
// cross-origin, so they need JSON's type and CORS (SYN reverse_proxy.md).
func corsAndType(url string, ans webAnswer) Result {
	mt, _, _ := mime.ParseMediaType(ans.header.Get("Content-Type"))
	switch {
	case mt != "application/json":
		return Result{Status: Warn, Detail: fmt.Sprintf("%s has the type %q, not application/json", url, mt),
			Fix: `run "chapterctl upgrade" to publish the Matrix documents again`}
	case strings.TrimSpace(ans.header.Get("Access-Control-Allow-Origin")) != "*":
		return Result{Status: Warn, Detail: url + " has no Access-Control-Allow-Origin: * header: Element in a browser cannot read it",
			Fix: `run "chapterctl upgrade" to publish the Matrix documents again`}
	}
	return Result{Status: Pass}
}
