package cmd

import (
	"context"
	"errors"

	"github.com/chapterctl/chapterctl/checks"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/gandi"
	"github.com/chapterctl/chapterctl/internal/sandbox"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/steps"
)

// doctorEnv builds what the checks look through: the chapter, its state
// (unreadable is itself a finding of chapterctl.state, not a stop), and
// the clients, each with the token stored for it (none: its checks say
// they could not tell).
func doctorEnv(f *Factory, conn *worldConn) (*checks.Env, []dnsq.Expectation, error) {
	cfg, err := loadChapter(f)
	if err != nil {
		return nil, nil, err
	}
	env := &checks.Env{Dir: f.Dir, Config: cfg, Dialer: conn.Dialer, Roots: conn.Roots,
		DNS: &dnsq.Querier{Dialer: conn.Dialer}, Now: f.Now, RDAPBootstrap: checks.DefaultRDAPBootstrap}
	var exps []dnsq.Expectation
	if _, st, err := state.Open(f.Dir.StateFile()); err == nil {
		env.State = st
		exps, err = steps.ParseExpected(st.Output("dns-records", "expected"))
		if err != nil && !errors.Is(err, steps.ErrNoExpected) {
			return nil, nil, err
		}
	}
	stored, err := secrets.Load(f.Dir.SecretsFile())
	if err != nil {
		stored = secrets.Secrets{} // chapterctl.secrets-mode reports it
	}
	if tok := knownToken(f, stored, "DIGITALOCEAN_ACCESS_TOKEN", secrets.DigitalOceanToken); tok != "" {
		env.DigitalOcean = digitalocean.New(tok, conn.Dialer, conn.Roots, digitalocean.WithVersion(Version()))
	}
	if tok := knownToken(f, stored, "GANDI_BEARER_TOKEN", secrets.GandiToken); tok != "" {
		env.Gandi = gandi.New(tok, conn.Dialer, conn.Roots)
	}
	if tok := stored[secrets.CloudronToken]; tok != "" {
		env.Cloudron = cloudron.New("https://my."+cfg.Domain+"/", conn.Dialer, cloudron.Options{Roots: conn.Roots, Token: tok})
	}
	return env, exps, nil
}

// doctorConnect reaches the world. In the sandbox that starts the
// simulators, which save the world when they stop: like dns verify,
// doctor then holds the folder lock so it never saves over another
// command's changes. In the real world it changes nothing and takes no
// lock (DESIGN.md: read-only commands read what atomic writes keep whole).
func doctorConnect(ctx context.Context, f *Factory) (*worldConn, func(), error) {
	release := func() {}
	if sandbox.Exists(f.Dir) {
		held, err := lockFolder(f, "doctor")
		if err != nil {
			return nil, nil, err
		}
		release = func() { held.Release() }
	}
	conn, err := connectWorld(ctx, f)
	if err != nil {
		release()
		return nil, nil, err
	}
	return conn, func() { conn.Close(); release() }, nil
}
