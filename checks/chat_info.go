package checks

import (
	"context"
	"encoding/json"
	"fmt"
)

// ChatInfo is chat.info: the chat server answers its own health or info
// endpoint (Synapse /health, Rocket.Chat /api/info, Mattermost's ping).
var ChatInfo = Def{Key: "chat.info", Name: "The chat server answers its health endpoint", Area: AreaChat,
	Impact: "members cannot chat",
	Needs:  []string{"chat.app", TLSCheckID}, Limit: httpLimit,
	Look: func(ctx context.Context, env *Env) Result {
		chat := "matrix"
		if env.Config != nil && env.Config.Chat != "" {
			chat = env.Config.Chat
		}
		store, path := synapseStore, "/health"
		switch chat {
		case "rocketchat":
			store, path = rocketChatStore, "/api/info"
		case "mattermost":
			store, path = mattermostStore, "/api/v4/system/ping"
		}
		a, found, err := appByStore(ctx, env, store)
		if err != nil {
			return cloudronUnknown(err)
		}
		if !found {
			return skip("the chat app is not installed (chat.app)")
		}
		url := "https://" + a.FQDN + path
		ans, err := fetch(ctx, env, url)
		if err != nil {
			return webUnknown(url, err)
		}
		fix := fmt.Sprintf("restart %s in the Cloudron dashboard (https://%s/)", a.Title, env.ServerHost())
		if ans.status != 200 {
			return Result{Status: Fail, Detail: fmt.Sprintf("%s answered %d", url, ans.status), Fix: fix}
		}
		switch chat {
		case "rocketchat":
			var info struct {
				Success bool   `json:"success"`
				Version string `json:"version"`
			}
			if json.Unmarshal(ans.body, &info) != nil || !info.Success {
				return Result{Status: Fail, Detail: url + " did not answer success", Fix: fix}
			}
			return pass("Rocket.Chat " + info.Version + " answers")
		case "mattermost":
			var ping struct {
				Status string `json:"status"`
			}
			if json.Unmarshal(ans.body, &ping) != nil || ping.Status != "OK" {
				return Result{Status: Fail, Detail: url + " did not answer OK", Fix: fix}
			}
		}
		return pass(url + " answers 200")
	}}
