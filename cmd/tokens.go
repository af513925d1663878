package cmd

import (
	"context"
	"fmt"

	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/gandi"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// providerToken is one credential the real providers need.
type providerToken struct {
	Name   string // what a person calls it
	Env    string // the environment variable that may hold it
	Secret string // its key in secrets.json
	Help   string // where to make one
	// Check makes one read-only call with the token, so a wrong one is
	// caught before anything is created.
	Check func(ctx context.Context, token string) error
}

// collectTokens finds each token (the environment, then secrets.json, then
// a hidden prompt on a terminal), checks it at once, and offers to keep the
// ones that were typed. Nothing is stored without a yes.
func collectTokens(ctx context.Context, f *Factory, list []providerToken) (map[string]string, error) {
	stored, err := secrets.Load(f.Dir.SecretsFile())
	if err != nil {
		return nil, err
	}
	found := map[string]string{}
	var typed []providerToken
	for _, tok := range list {
		value := knownToken(f, stored, tok.Env, tok.Secret)
		if value == "" {
			if !f.IO.CanPrompt() {
				return nil, inputErrorf("no %s: set %s (%s)", tok.Name, tok.Env, tok.Help)
			}
			if value, err = f.IO.Prompter().Secret(tok.Name, tok.Help+"; or set "+tok.Env); err != nil {
				return nil, inputErrorf("no %s: set %s (%s)", tok.Name, tok.Env, tok.Help)
			}
			typed = append(typed, tok)
		}
		if err := tok.Check(ctx, value); err != nil {
			return nil, &inputError{msg: err.Error()}
		}
		found[tok.Secret] = value
	}
	if len(typed) > 0 {
		keep, err := f.IO.Prompter().Confirm("Keep the tokens you typed in .chapterctl/secrets.json (readable by you only)?",
			"later commands then need not ask; otherwise set the environment variables each time", false)
		if err != nil {
			return nil, err
		}
		if keep {
			for _, tok := range typed {
				stored[tok.Secret] = found[tok.Secret]
			}
			if err := secrets.Save(f.Dir.SecretsFile(), stored); err != nil {
				return nil, fmt.Errorf("keep the tokens: %w", err)
			}
		}
	}
	return found, nil
}

// knownToken is a token the organizer already gave: the environment
// variable env first (their own, current), else key in secrets.json.
func knownToken(f *Factory, stored secrets.Secrets, env, key string) string {
	if value := f.Getenv(env); value != "" {
		return value
	}
	return stored[key]
}

// use makes the tokens of this run the ones the steps get, whether or not
// they were stored.
func (f *Factory) useTokens(tokens map[string]string) { f.tokens = tokens }

// realProviderTokens are the tokens init needs on the real providers,
// each checked with a read-only call through conn.
func realProviderTokens(conn *worldConn, domain string) []providerToken {
	return []providerToken{
		{Name: "DigitalOcean token", Env: "DIGITALOCEAN_ACCESS_TOKEN", Secret: secrets.DigitalOceanToken,
			Help: "a personal access token with read and write scope, from DigitalOcean's API page",
			Check: func(ctx context.Context, token string) error {
				return digitalocean.New(token, conn.Dialer, conn.Roots).CheckToken(ctx)
			}},
		{Name: "Gandi token", Env: "GANDI_BEARER_TOKEN", Secret: secrets.GandiToken,
			Help: "a personal access token with 'Manage domain name technical configurations', from Gandi's account settings",
			Check: func(ctx context.Context, token string) error {
				return gandi.New(token, conn.Dialer, conn.Roots).CheckToken(ctx, domain)
			}},
	}
}
