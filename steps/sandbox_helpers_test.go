package steps

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/debuglog"
	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/gandi"
	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// testChapter is the chapter the step tests set up.
func testChapter() *chapter.Config {
	cfg := chapter.Default()
	cfg.Domain = "redrockdsa.org"
	cfg.Organizer = chapter.Organizer{Username: "maria", Email: "maria@example.net", DisplayName: "Maria Lopez"}
	cfg.Region, cfg.Size = "nyc3", "s-2vcpu-4gb"
	cfg.MatrixServerName = chapter.MatrixServerNameDomain
	cfg.Mail.Mailboxes = []string{"maria"}
	return &cfg
}

// progressLog records what steps report.
type progressLog struct {
	mu    sync.Mutex
	waits map[string]int
	lines []string
}

func (p *progressLog) Waiting(what string, _ time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.waits == nil {
		p.waits = map[string]int{}
	}
	p.waits[what]++
}

func (p *progressLog) Line(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lines = append(p.lines, text)
}

// sandboxRun is a runner for list wired to a fresh sandbox world, the way
// cmd wires the real thing: the same adapters, the sandbox's dialer and CA.
type sandboxRun struct {
	*Runner
	Sandbox  *sandbox.Sandbox
	Progress *progressLog
}

func newSandboxRun(t *testing.T, cfg *chapter.Config, list ...Step) *sandboxRun {
	t.Helper()
	dir := workdir.Dir{Root: t.TempDir()}
	if err := dir.Ensure(); err != nil {
		t.Fatal(err)
	}
	if _, err := sandbox.Create(dir, nil, cfg.Domain, time.Now()); err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Start(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	// libdns/gandi uses http.DefaultClient; cmd points it at the world.
	old := http.DefaultTransport
	http.DefaultTransport = netx.Transport(sb.Dialer(), sb.RootCAs())
	t.Cleanup(func() { http.DefaultTransport = old })

	var tokens world.Tokens
	sb.World.Read(func(d *world.Data) { tokens = d.Tokens })
	redactor := debuglog.NewRedactor(tokens.DigitalOcean, tokens.Gandi)
	progress := &progressLog{}
	return &sandboxRun{Sandbox: sb, Progress: progress, Runner: &Runner{
		Dir: dir, Steps: list, Config: cfg, Log: debuglog.Discard(), Report: quietReport{},
		Command: "test", Redact: redactor.Redact, AddSecret: func(s string) { redactor.Add(s) }, Now: time.Now,
		Progress: progress, Options: Options{Yes: true},
		Secrets: secrets.Secrets{secrets.DigitalOceanToken: tokens.DigitalOcean, secrets.GandiToken: tokens.Gandi},
		Providers: &Providers{
			DigitalOcean: digitalocean.New(tokens.DigitalOcean, sb.Dialer(), sb.RootCAs()),
			Gandi:        gandi.New(tokens.Gandi, sb.Dialer(), sb.RootCAs()),
			DNS:          &dnsq.Querier{Dialer: sb.Dialer()},
			Dialer:       sb.Dialer(),
			Roots:        sb.RootCAs(),
			Cloudron: func(baseURL string, opts cloudron.Options) *cloudron.Client {
				return cloudron.New(baseURL, sb.Dialer(), opts)
			},
		},
	}}
}

// journal counts the world's journal lines by mutating or not.
func (s *sandboxRun) mutations(t *testing.T) []world.Entry {
	t.Helper()
	var out []world.Entry
	for _, e := range readJournal(t, s.Dir) {
		if e.Mutating {
			out = append(out, e)
		}
	}
	return out
}

type quietReport struct{}

func (quietReport) StepStarted(Step, Change)         {}
func (quietReport) StepFinished(Step, Change, error) {}

// breakFault switches a simulator fault on in the running world, as
// `chapterctl sandbox break` does.
func (s *sandboxRun) breakFault(t *testing.T, name, param string) {
	t.Helper()
	for _, f := range sandbox.Faults() {
		if f.Name != name {
			continue
		}
		err := s.Sandbox.World.Update(context.Background(), "", func(d *world.Data) error {
			if f.Break != nil {
				if err := f.Break(d, param); err != nil {
					return err
				}
			}
			d.Faults[name] = param
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("no fault %q", name)
}
