package cmd

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

func tokenFactory(t *testing.T, env map[string]string) *Factory {
	io, _, _, _ := ui.Test()
	dir := workdir.Dir{Root: t.TempDir()}
	dir.Ensure()
	return &Factory{IO: io, Now: time.Now, Getenv: func(k string) string { return env[k] }, Dir: dir}
}

func TestCollectTokensChecksEachAndStoresNothingUnasked(t *testing.T) {
	checked := map[string]string{}
	list := []providerToken{
		{Name: "DigitalOcean token", Env: "DIGITALOCEAN_ACCESS_TOKEN", Secret: secrets.DigitalOceanToken, Help: "h",
			Check: func(_ context.Context, tok string) error { checked["do"] = tok; return nil }},
		{Name: "Gandi token", Env: "GANDI_BEARER_TOKEN", Secret: secrets.GandiToken, Help: "h",
			Check: func(_ context.Context, tok string) error { checked["gandi"] = tok; return nil }},
	}
	f := tokenFactory(t, map[string]string{"DIGITALOCEAN_ACCESS_TOKEN": "dop_v1_env", "GANDI_BEARER_TOKEN": "pat_env"})
	got, err := collectTokens(context.Background(), f, list)
	if err != nil {
		t.Fatal(err)
	}
	if got[secrets.DigitalOceanToken] != "dop_v1_env" || checked["do"] != "dop_v1_env" || checked["gandi"] != "pat_env" {
		t.Fatalf("tokens %v, checked %v", got, checked)
	}
	if _, err := os.Stat(f.Dir.SecretsFile()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("tokens from the environment were stored without asking")
	}
}

func TestCollectTokensWithoutATerminalNamesTheVariable(t *testing.T) {
	list := []providerToken{{Name: "Gandi token", Env: "GANDI_BEARER_TOKEN", Secret: secrets.GandiToken, Help: "a PAT",
		Check: func(context.Context, string) error { return nil }}}
	_, err := collectTokens(context.Background(), tokenFactory(t, nil), list)
	if err == nil || !strings.Contains(err.Error(), "set GANDI_BEARER_TOKEN") || exitCode(err) != exitInput {
		t.Fatalf("error = %v", err)
	}
}

func TestCollectTokensRefusesAWrongTokenAtOnce(t *testing.T) {
	list := []providerToken{{Name: "DigitalOcean token", Env: "DIGITALOCEAN_ACCESS_TOKEN", Secret: secrets.DigitalOceanToken, Help: "h",
		Check: func(context.Context, string) error {
			return errors.New("DigitalOcean refused the token (401): check DIGITALOCEAN_ACCESS_TOKEN")
		}}}
	f := tokenFactory(t, map[string]string{"DIGITALOCEAN_ACCESS_TOKEN": "dop_v1_wrong"})
	_, err := collectTokens(context.Background(), f, list)
	if err == nil || !strings.Contains(err.Error(), "refused the token") || strings.Contains(err.Error(), "dop_v1_wrong") || exitCode(err) != exitInput {
		t.Fatalf("error = %v", err)
	}
}
