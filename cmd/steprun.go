package cmd

import (
	"context"
	"fmt"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/debuglog"
	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/gandi"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/steps"
)

// stepRun is everything a command needs to run steps: the world reached,
// the log opened, the runner built. Close releases it all.
type stepRun struct {
	Runner *steps.Runner
	conn   *worldConn
	log    *debuglog.Log
	// release lets go of a folder lock the command took for the run.
	release func()
}

func (s *stepRun) Close() {
	s.log.Close()
	if s.conn != nil {
		s.conn.Close()
	}
	if s.release != nil {
		s.release()
	}
}

// newStepRun connects to the world (the sandbox, or the real providers
// with the organizer's tokens) and builds the runner for list.
func newStepRun(ctx context.Context, f *Factory, cfg *chapter.Config, command string, list []steps.Step, conn *worldConn) (*stepRun, error) {
	// A damaged state is the first thing to hear about, before any
	// provider is reached.
	if _, _, err := state.Open(f.Dir.StateFile()); err != nil {
		return nil, err
	}
	redactor := f.Redactor()
	log, err := f.OpenLog(redactor)
	if err != nil {
		return nil, err
	}
	run := &stepRun{log: log, conn: conn}
	if conn == nil {
		if run.conn, err = connectWorld(ctx, f); err != nil {
			log.Close()
			return nil, err
		}
	}
	doToken, gandiToken, err := providerTokens(f)
	if err != nil {
		run.Close()
		return nil, err
	}
	switch {
	case doToken == "":
		run.Close()
		return nil, inputErrorf("no DigitalOcean token: set DIGITALOCEAN_ACCESS_TOKEN (a token with read and write scope)")
	case gandiToken == "":
		run.Close()
		return nil, inputErrorf("no Gandi token: set GANDI_BEARER_TOKEN (a personal access token with 'Manage domain name technical configurations')")
	}
	stored, err := secrets.Load(f.Dir.SecretsFile())
	if err != nil {
		run.Close()
		return nil, err
	}
	c := run.conn
	progress := f.IO.NewStepProgress()
	run.Runner = &steps.Runner{
		Dir: f.Dir, Steps: list, Config: cfg, Log: log.Logger, Report: stepReporter{progress},
		Command: command, Redact: redactor.Redact, AddSecret: func(s string) { redactor.Add(s) }, Now: f.Now,
		Progress: progress, Secrets: stored,
		Providers: &steps.Providers{
			DigitalOcean: digitalocean.New(doToken, c.Dialer, c.Roots, digitalocean.WithLogger(log.Logger), digitalocean.WithVersion(Version())),
			Gandi:        gandi.New(gandiToken, c.Dialer, c.Roots),
			DNS:          &dnsq.Querier{Dialer: c.Dialer},
			Dialer:       c.Dialer,
			Roots:        c.Roots,
			Cloudron: func(baseURL string, opts cloudron.Options) *cloudron.Client {
				if opts.Logger == nil {
					opts.Logger = log.Logger
				}
				return cloudron.New(baseURL, c.Dialer, opts)
			},
			Mailgun: mailgunAccess(f, stored, c),
		},
	}
	return run, nil
}

// stepReporter shows the runner's progress with the ui package.
type stepReporter struct{ p *ui.StepProgress }

func (r stepReporter) StepStarted(s steps.Step, c steps.Change) {
	items := make([]string, len(c.Items))
	for i, item := range c.Items {
		items[i] = fmt.Sprintf("%s %s", item.Action.Symbol(), item.Resource)
	}
	r.p.Started(s.Title(), items)
}

func (r stepReporter) StepFinished(s steps.Step, c steps.Change, err error) {
	r.p.Finished(s.Title(), !c.IsEmpty(), err)
}
