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
		hs, url, ans, r, ok := fetchWellKnown(ctx, env, "server")
		if !ok {
			return r
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

// fetchWellKnown starts both well-known checks: for a Matrix chat whose
// server name is not Synapse's own host, it fetches
// https://<server name>/.well-known/matrix/<doc>. Without ok, r is the
// result already (skip, or what stopped the fetch).
func fetchWellKnown(ctx context.Context, env *Env, doc string) (hs, url string, ans webAnswer, r Result, ok bool) {
	if !isMatrix(env) {
		return "", "", ans, skip("the chat is not Matrix"), false
	}
	if hs, r, ok = synapseHost(ctx, env); !ok {
		return "", "", ans, r, false
	}
	name := matrixServerName(env)
	if name == hs {
		return "", "", ans, skip("the server name is Synapse's own host: no delegation needed"), false
	}
	url = "https://" + name + "/.well-known/matrix/" + doc
	ans, err := fetch(ctx, env, url)
	if err != nil {
		return "", "", ans, webUnknown(url, err), false
	}
	return hs, url, ans, Result{}, true
}
