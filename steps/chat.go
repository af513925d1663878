package steps

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/sshx"
)

// chatApp is one Cloudron app the chat choice needs.
type chatApp = cloudronApp

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
		if item, todo, err := planApp(env, s.ID(), a, found, ok); err != nil || todo {
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

// withFederation adds Synapse's policy and Element's settings to the
// plan's items when they must change; both are read over one SSH
// connection, made only once an app is there to read.
func (s Chat) withFederation(ctx context.Context, env *Env, items []Item) (Change, error) {
	if !isMatrix(env.Config) {
		return Change{Items: items}, nil
	}
	var conn sshx.Runner
	if env.Done(dropletStepID) && (env.Output(s.ID(), synapseApp.key+"_installed") != "" || env.Output(s.ID(), elementApp.key+"_installed") != "") {
		client, err := dropletSSH(ctx, env)
		if err != nil {
			return Change{}, fmt.Errorf("chat: %w", err)
		}
		defer client.Close()
		conn = client
	}
	for _, plan := range []func(context.Context, *Env, sshx.Runner) (*Item, error){s.planFederation, s.planElement} {
		item, err := plan(ctx, env, conn)
		if err != nil {
			return Change{}, err
		}
		if item != nil {
			items = append(items, *item)
		}
	}
	return Change{Items: items}, nil
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
		if err := ensureApp(ctx, env, client, s.ID(), a); err != nil {
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
	if !isMatrix(env.Config) {
		return nil
	}
	conn, err := dropletSSH(ctx, env)
	if err != nil {
		return fmt.Errorf("chat: %w", err)
	}
	defer conn.Close()
	if err := s.applyFederation(ctx, env, client, conn); err != nil {
		return err
	}
	return s.applyElement(ctx, env, conn)
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
