package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// WellKnownClient is matrix.wellknown_client: apps find the homeserver
// from the short name (https://<server name>/.well-known/matrix/client),
// and its base_url answers /_matrix/client/versions.
var WellKnownClient = Def{Key: "matrix.wellknown_client", Name: "Matrix apps find the server from the short name", Area: AreaChat,
	Impact: "members' phone apps cannot find the chat server from the chapter's name",
	Needs:  []string{"platform.status", TLSCheckID}, Limit: 2 * httpLimit,
	Look: func(ctx context.Context, env *Env) Result {
		_, url, ans, r, ok := fetchWellKnown(ctx, env, "client")
		if !ok {
			return r
		}
		fix := `run "chapterctl upgrade" to publish .well-known/matrix/client again`
		var doc struct {
			HS struct {
				BaseURL string `json:"base_url"`
			} `json:"m.homeserver"`
		}
		if ans.status != 200 || json.Unmarshal(ans.body, &doc) != nil || doc.HS.BaseURL == "" {
			return Result{Status: Fail, Detail: fmt.Sprintf("%s answered %d without m.homeserver.base_url", url, ans.status), Fix: fix}
		}
		versions := strings.TrimSuffix(doc.HS.BaseURL, "/") + "/_matrix/client/versions"
		v, err := fetch(ctx, env, versions)
		if err != nil {
			return webUnknown(versions, err)
		}
		var list struct {
			Versions []string `json:"versions"`
		}
		if v.status != 200 || json.Unmarshal(v.body, &list) != nil || len(list.Versions) == 0 {
			return Result{Status: Fail, Detail: fmt.Sprintf("%s answered %d without a versions list", versions, v.status), Fix: fix}
		}
		if r := corsAndType(url, ans); r.Status != Pass {
			return r
		}
		return pass(fmt.Sprintf("base_url %s answers (client API up to %s)", doc.HS.BaseURL, list.Versions[len(list.Versions)-1]))
	}}
