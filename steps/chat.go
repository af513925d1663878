package steps

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// chatApp is one Cloudron app the chat choice needs. key names its
// outputs: <key>_app_id once the install started, <key>_installed once it
// finished.
type chatApp struct {
	key, title, storeID, subdomain string
}

// Store ids: reference/chat-on-cloudron.md and cloudron.md §8. Surfer is a
// static site: the landing page on the bare domain that lets Cloudron serve
// the Matrix well-known documents there (chat-on-cloudron.md §2.3).
var (
	synapseApp    = chatApp{"synapse", "Synapse", "org.matrix.synapse", "matrix"}
	elementApp    = chatApp{"element", "Element", "im.riot.cloudronapp", "chat"}
	landingApp    = chatApp{"landing", "landing page (Surfer)", "io.cloudron.surfer", ""}
	rocketChatApp = chatApp{"rocketchat", "Rocket.Chat", "chat.rocket.cloudronapp", "chat"}
	mattermostApp = chatApp{"mattermost", "Mattermost", "org.mattermost.cloudronapp2", "chat"}
)

// Chat installs the chat server as Cloudron apps, publishes Matrix
// delegation on the bare domain, and makes Synapse run with chapter.yaml's
// federation policy and server name (chat_federation.go).
type Chat struct{}

// NewChat returns the chat step.
func NewChat() Step { return Chat{} }

func (Chat) ID() string    { return "chat" }
func (Chat) Title() string { return "Chat server apps" }

// apps lists what chapter.yaml asks for, in install order.
func (Chat) apps(cfg *chapter.Config) ([]chatApp, error) {
	switch cfg.Chat {
	case chapter.ChatRocketChat:
		return []chatApp{rocketChatApp}, nil
	case chapter.ChatMattermost:
		return []chatApp{mattermostApp}, nil
	case chapter.ChatMatrix, "":
	default:
		return nil, fmt.Errorf("chapter.yaml: chat %q is not one of matrix, rocketchat, mattermost", cfg.Chat)
	}
	switch cfg.MatrixServerName {
	case chapter.MatrixServerNameDomain:
		return []chatApp{synapseApp, elementApp, landingApp}, nil
	case chapter.MatrixServerNameSubdomain:
		return []chatApp{synapseApp, elementApp}, nil
	}
	return nil, &InputError{Field: "matrix_server_name", Msg: "chapter.yaml must set matrix_server_name to domain (@name:" + cfg.Domain +
		") or subdomain (@name:matrix." + cfg.Domain + "); it can never change later, so chapterctl will not choose it for you"}
}

// wellKnown is the delegation the bare domain serves, or nil when the
// server name is not the bare domain.
func (Chat) wellKnown(cfg *chapter.Config) map[string]string {
	if !isMatrix(cfg) || cfg.MatrixServerName != chapter.MatrixServerNameDomain {
		return nil
	}
	host := "matrix." + cfg.Domain
	return map[string]string{
		"matrix/server": fmt.Sprintf(`{"m.server":"%s:443"}`, host),
		"matrix/client": fmt.Sprintf(`{"m.homeserver":{"base_url":"https://%s"}}`, host),
	}
}

func (s Chat) Plan(ctx context.Context, env *Env) (Change, error) {
	apps, err := s.apps(env.Config)
	if err != nil {
		return Change{}, err
	}
	token := env.Secret(secrets.CloudronToken)
	if token == "" || env.Output(platformSetupStep, "api_token") == "" {
		var items []Item
		for _, a := range apps {
			items = append(items, Item{Action: Create, Resource: a.resource(env), Detail: "once Cloudron is set up"})
		}
		return s.withFederation(ctx, env, items)
	}
	client := dashboardCloudron(env, token)
	var items []Item
	for _, a := range apps {
		found, ok, err := client.AppBySubdomain(ctx, a.subdomain, env.Config.Domain)
		if err != nil {
			return Change{}, err
		}
		if item, todo, err := s.planApp(env, a, found, ok); err != nil || todo {
			if err != nil {
				return Change{}, err
			}
			items = append(items, item)
		}
	}
	if want := s.wellKnown(env.Config); want != nil {
		have, err := client.WellKnown(ctx, env.Config.Domain)
		if err != nil {
			return Change{}, err
		}
		if !containsDocs(have, want) {
			items = append(items, Item{Action: Update, Resource: "well-known documents of " + env.Config.Domain, Detail: "matrix/server, matrix/client"})
		}
	}
	return s.withFederation(ctx, env, items)
}

// withFederation adds Synapse's policy to the plan's items when it must
// change.
func (s Chat) withFederation(ctx context.Context, env *Env, items []Item) (Change, error) {
	if isMatrix(env.Config) {
		item, err := s.planFederation(ctx, env)
		if err != nil {
			return Change{}, err
		}
		if item != nil {
			items = append(items, *item)
		}
	}
	return Change{Items: items}, nil
}

// planApp compares one wanted app with what sits on its subdomain.
func (s Chat) planApp(env *Env, a chatApp, found cloudron.App, ok bool) (Item, bool, error) {
	item := Item{Resource: a.resource(env)}
	switch {
	case !ok:
		item.Action = Create
	case !strings.EqualFold(found.AppStoreID, a.storeID):
		return item, false, a.taken(env, found)
	case found.InstallationState == "error":
		item.Action, item.Detail = Replace, "its install failed: "+found.Error
	case env.Output(s.ID(), a.key+"_app_id") != found.ID:
		item.Action, item.Detail = Adopt, found.ID
	case found.Busy() || env.Output(s.ID(), a.key+"_installed") == "":
		item.Action, item.Detail = Update, "wait until "+found.InstallationState+" ends"
	default:
		return item, false, nil
	}
	return item, true, nil
}

func (s Chat) Apply(ctx context.Context, env *Env, _ Change) error {
	apps, err := s.apps(env.Config)
	if err != nil {
		return err
	}
	token := env.Secret(secrets.CloudronToken)
	if token == "" {
		return errNoCloudronToken
	}
	client := dashboardCloudron(env, token)
	for _, a := range apps {
		if err := s.ensureApp(ctx, env, client, a); err != nil {
			return err
		}
	}
	if want := s.wellKnown(env.Config); want != nil {
		have, err := client.WellKnown(ctx, env.Config.Domain)
		if err != nil {
			return err
		}
		if !containsDocs(have, want) {
			if err := client.SetWellKnown(ctx, env.Config.Domain, want); err != nil {
				return err
			}
		}
	}
	if isMatrix(env.Config) {
		return s.applyFederation(ctx, env, client)
	}
	return nil
}

// ensureApp installs a unless it is there, and waits until it runs. An
// app whose first install failed holds no data: it is removed and
// installed again. An app that once ran and is now broken is left for the
// organizer: removing it would lose the chapter's messages.
func (s Chat) ensureApp(ctx context.Context, env *Env, client *cloudron.Client, a chatApp) error {
	found, ok, err := client.AppBySubdomain(ctx, a.subdomain, env.Config.Domain)
	if err != nil {
		return fmt.Errorf("chat: %s: %w", a.resource(env), err)
	}
	if ok && !strings.EqualFold(found.AppStoreID, a.storeID) {
		return a.taken(env, found)
	}
	if ok && found.InstallationState == "error" {
		if env.Output(s.ID(), a.key+"_installed") != "" {
			return fmt.Errorf("chat: %s is in the error state (%s); repair it in the Cloudron dashboard, then run \"chapterctl init\" again",
				a.resource(env), found.Error)
		}
		if err := s.removeFailed(ctx, env, client, a, found); err != nil {
			return err
		}
		ok = false
	}
	id := found.ID
	if !ok {
		if id, err = s.install(ctx, env, client, a); err != nil {
			return err
		}
	} else if err := env.Record(a.key+"_app_id", id); err != nil {
		return err
	}
	started := time.Now()
	_, err = client.WaitApp(ctx, id, func(percent int, message string) {
		env.Progress.Waiting(fmt.Sprintf("%s: %d%% %s", a.resource(env), percent, message), time.Since(started))
	})
	if err != nil {
		return fmt.Errorf("chat: install %s: %w; run \"chapterctl init\" again to retry", a.resource(env), err)
	}
	return env.Record(a.key+"_installed", "true")
}

func (Chat) install(ctx context.Context, env *Env, client *cloudron.Client, a chatApp) (string, error) {
	id, _, err := client.InstallApp(ctx, cloudron.InstallRequest{AppStoreID: a.storeID, Subdomain: a.subdomain, Domain: env.Config.Domain})
	var exists *cloudron.AppExistsError
	if errors.As(err, &exists) {
		// Another process (or a lost answer) started it: take it if it is ours.
		if !strings.EqualFold(exists.App.AppStoreID, a.storeID) {
			return "", a.taken(env, exists.App)
		}
		id, err = exists.App.ID, nil
	}
	if err != nil {
		return "", fmt.Errorf("chat: install %s: %w", a.resource(env), err)
	}
	return id, env.Record(a.key+"_app_id", id)
}

func (Chat) removeFailed(ctx context.Context, env *Env, client *cloudron.Client, a chatApp, app cloudron.App) error {
	taskID, err := client.UninstallApp(ctx, app.ID)
	if err != nil {
		return fmt.Errorf("chat: remove the failed install of %s: %w", a.resource(env), err)
	}
	started := time.Now()
	_, err = client.WaitTask(ctx, taskID, func(percent int, message string) {
		env.Progress.Waiting(fmt.Sprintf("removing the failed %s: %d%% %s", a.resource(env), percent, message), time.Since(started))
	})
	if err != nil {
		return fmt.Errorf("chat: remove the failed install of %s: %w", a.resource(env), err)
	}
	return nil
}

func (a chatApp) fqdn(env *Env) string {
	return strings.TrimPrefix(a.subdomain+"."+env.Config.Domain, ".")
}

func (a chatApp) resource(env *Env) string { return a.title + " at " + a.fqdn(env) }

// taken: the subdomain holds someone else's app, which chapterctl never
// replaces on its own.
func (a chatApp) taken(env *Env, other cloudron.App) error {
	return fmt.Errorf("chat: %s already holds the app %s (%s), not %s; move or remove it in the Cloudron dashboard, then run \"chapterctl init\" again",
		a.fqdn(env), other.ID, other.AppStoreID, a.title)
}

// containsDocs tells whether have serves every document of want as is.
func containsDocs(have, want map[string]string) bool {
	for _, path := range slices.Sorted(maps.Keys(want)) {
		if strings.TrimSpace(have[path]) != want[path] {
			return false
		}
	}
	return true
}
