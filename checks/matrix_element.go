package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// ElementConfig is matrix.element_config: Element points at this
// chapter's Synapse, under its server name.
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
		var cfg struct {
			Default struct {
				HS struct {
					BaseURL    string `json:"base_url"`
					ServerName string `json:"server_name"`
				} `json:"m.homeserver"`
			} `json:"default_server_config"`
		}
		fix := `run "chapterctl upgrade" to rewrite Element's settings`
		if ans.status != 200 || json.Unmarshal(ans.body, &cfg) != nil {
			return Result{Status: Fail, Detail: fmt.Sprintf("%s answered %d without a configuration", url, ans.status), Fix: fix}
		}
		got := cfg.Default.HS
		if strings.TrimSuffix(got.BaseURL, "/") != "https://"+hs || got.ServerName != matrixServerName(env) {
			return Result{Status: Fail, Detail: fmt.Sprintf("Element points at %s (%s), want https://%s (%s)", got.BaseURL, got.ServerName, hs, matrixServerName(env)), Fix: fix}
		}
		return pass("https://" + hs + " as " + got.ServerName)
	}}
