package checks

import (
	"context"
	"fmt"
	"strings"
)

// chatStores are the chat packages, by chapter.yaml's chat.
var chatStores = map[string][]string{
	"matrix": {synapseStore, elementStore}, "rocketchat": {rocketChatStore}, "mattermost": {mattermostStore},
}

// ChatApp is chat.app: the chat apps are installed, running and healthy.
var ChatApp = Def{Key: "chat.app", Name: "The chat app is running and healthy", Area: AreaChat,
	Impact: "members cannot chat",
	Needs:  []string{"platform.status"}, Limit: apiLimit,
	Look: func(ctx context.Context, env *Env) Result {
		chat := "matrix"
		if env.Config != nil && env.Config.Chat != "" {
			chat = env.Config.Chat
		}
		list, err := apps(ctx, env)
		if err != nil {
			return cloudronUnknown(err)
		}
		var ok []string
		for _, store := range chatStores[chat] {
			found := false
			for _, a := range list {
				if a.AppStoreID != store {
					continue
				}
				found = true
				if a.InstallationState != "installed" || a.RunState != "running" || a.Health != "healthy" {
					return Result{Status: Fail,
						Detail: fmt.Sprintf("%s (%s) is %s, %s, health %q", a.Title, a.FQDN, a.InstallationState, a.RunState, a.Health),
						Fix:    fmt.Sprintf("open %s in the Cloudron dashboard (https://%s/) and press Restart; its logs there say why it stopped", a.Title, env.ServerHost())}
				}
				ok = append(ok, a.Title)
			}
			if !found {
				return Result{Status: Fail, Detail: fmt.Sprintf("the %s app (%s) is not installed", chat, store), Fix: `run "chapterctl init" to install it`}
			}
		}
		return pass(strings.Join(ok, ", ") + " running and healthy")
	}}
