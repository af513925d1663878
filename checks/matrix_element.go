package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/internal/chapter"
)

// ElementConfig is matrix.element_config: Element points at this
// chapter's Synapse, under its server name, and with an allow-list or
// closed federation makes new rooms local (default_federate false).
var ElementConfig = Def{Key: "matrix.element_config", Name: "Element points at the chapter's server", Area: AreaChat,
	Needs: []string{"chat.app", TLSCheckID}, Limit: httpLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if !isMatrix(env) {
			return skip("the chat is not Matrix")
		}
		el, found, err := appByStore(ctx, env, elementStore)
		if err != nil {
			return cloudronUnknown(err)
		}
		if !found {
			return skip("Element is not installed")
		}
		hs, r, ok := synapseHost(ctx, env)
		if !ok {
			return r
		}
		url := "https://" + el.FQDN + "/config.json"
		ans, err := fetch(ctx, env, url)
		if err != nil {
			return webUnknown(url, err)
		}
		restricted := env.Config != nil && (env.Config.Federation == chapter.FederationAllowlist || env.Config.Federation == chapter.FederationClosed)
		return judgeElementConfig(url, ans.status, ans.body, "https://"+hs, matrixServerName(env), restricted)
	}}

// judgeElementConfig reads Element's /config.json. A homeserver other
// than the chapter's fails (people would sign in elsewhere); new rooms
// federating by default while chapter.yaml restricts federation only
// warns: Synapse's allow-list still refuses other servers.
func judgeElementConfig(url string, status int, body []byte, baseURL, serverName string, restricted bool) Result {
	var cfg struct {
		Default struct {
			HS struct {
				BaseURL    string `json:"base_url"`
				ServerName string `json:"server_name"`
			} `json:"m.homeserver"`
		} `json:"default_server_config"`
		Federate *bool `json:"default_federate"`
	}
	fix := `run "chapterctl upgrade" to rewrite Element's settings`
	if status != 200 || json.Unmarshal(body, &cfg) != nil {
		return Result{Status: Fail, Detail: fmt.Sprintf("%s answered %d without a configuration", url, status), Fix: fix}
	}
	got := cfg.Default.HS
	if strings.TrimSuffix(got.BaseURL, "/") != baseURL || got.ServerName != serverName {
		return Result{Status: Fail, Detail: fmt.Sprintf("Element points at %s (%s), want %s (%s)", got.BaseURL, got.ServerName, baseURL, serverName), Fix: fix}
	}
	local := cfg.Federate != nil && !*cfg.Federate
	if restricted && !local {
		return Result{Status: Warn, Detail: "Element makes new rooms federated by default (default_federate is not false), " +
			"but chapter.yaml restricts federation", Fix: fix}
	}
	detail := baseURL + " as " + got.ServerName
	if local {
		detail += ", new rooms local by default"
	}
	return pass(detail)
}
