package cmd

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/gandi"
	"github.com/chapterctl/chapterctl/internal/sandbox"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/steps"
)

type InitOptions struct {
	IO         *ui.IOStreams
	F          *Factory
	Yes        bool
	Sandbox    bool
	WorldFile  string
	ConfigFile string
}

func NewCmdInit(f *Factory, runF func(context.Context, *InitOptions) error) *cobra.Command {
	opts := &InitOptions{IO: f.IO, F: f}
	c := &cobra.Command{
		Use:   "init",
		Short: "Set a chapter up: server, chat, email and DNS",
		Long: `Ask a few questions, show the plan, then create the chapter's server, install
Cloudron and the chat server, enable email and write the DNS records. Each step
saves its progress: if anything stops the run, run init again and it resumes.
With --sandbox it does the whole job against a simulated world, with no accounts.`,
		Example: `  # try it with no accounts
  chapterctl init --sandbox

  # from a script, with the answers in a file
  chapterctl init --yes --config chapter.yaml`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return initRun(c.Context(), opts)
		},
	}
	flags := c.Flags()
	flags.BoolVar(&opts.Yes, "yes", false, "accept the plan without asking (records not created by chapterctl are still never changed)")
	flags.BoolVar(&opts.Sandbox, "sandbox", false, "work against the simulated world kept in .chapterctl/sandbox")
	flags.StringVar(&opts.WorldFile, "world", "", "seed the sandbox world from the YAML `FILE` (with --sandbox)")
	flags.StringVar(&opts.ConfigFile, "config", "", "read the answers from the chapter.yaml-shaped `FILE` instead of asking")
	return c
}

func initRun(ctx context.Context, opts *InitOptions) error {
	if opts.WorldFile != "" && !opts.Sandbox {
		return inputErrorf("--world seeds the simulated world: use it with --sandbox")
	}
	sandboxed := opts.Sandbox || sandbox.Exists(opts.F.Dir)
	cfg, raw, err := initAnswers(opts)
	if err != nil {
		return err
	}
	if cfg == nil && !opts.IO.CanPrompt() {
		return &inputError{msg: errNoAnswers.Error()}
	}
	held, err := lockFolder(opts.F, "init")
	if err != nil {
		return err
	}
	defer held.Release()
	var conn *worldConn
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	cat := &providerCatalogue{}
	// The world is made, and the providers reached, as soon as the domain
	// is known: the questions after it are answered from them.
	onDomain := func(domain string) error {
		if sandboxed {
			if err := prepareSandbox(opts, domain); err != nil {
				return err
			}
		}
		if conn, err = connectWorld(ctx, opts.F); err != nil {
			return err
		}
		if !sandboxed {
			// The organizer's own tokens: checked at once, kept only if
			// they agree.
			tokens, err := collectTokens(ctx, opts.F, realProviderTokens(conn, domain))
			if err != nil {
				return err
			}
			opts.F.useTokens(tokens)
		}
		doToken, gandiToken, err := providerTokens(opts.F)
		if err != nil {
			return err
		}
		cat.do = digitalocean.New(doToken, conn.Dialer, conn.Roots)
		cat.gandi = gandi.New(gandiToken, conn.Dialer, conn.Roots)
		return nil
	}
	if cfg == nil {
		wz := &wizard{p: opts.IO.Prompter(), cat: cat, onDomain: onDomain}
		if cfg, err = wz.run(ctx, chapter.Default()); err != nil {
			return err
		}
		if raw, err = cfg.Marshal(); err != nil {
			return err
		}
	} else {
		if err := onDomain(cfg.Domain); err != nil {
			return err
		}
		if err := cat.CheckDomain(ctx, cfg.Domain); err != nil {
			return &inputError{msg: err.Error()}
		}
	}
	if err := mailgunKey(ctx, opts.F, cfg, conn); err != nil {
		return err
	}
	if err := writeChapter(opts.F, raw); err != nil {
		return err
	}
	run, err := newStepRun(ctx, opts.F, cfg, "init", steps.Init(), conn)
	conn = nil // run closes it now
	if err != nil {
		return err
	}
	defer run.Close()
	run.Runner.HoldsLock = true
	run.Runner.Options = steps.Options{Yes: opts.Yes, Interactive: opts.IO.CanPrompt()}
	// Learn the admin password and two-factor secret if this run makes
	// them: they are shown once.
	var once shownOnce
	teach := run.Runner.AddSecret
	run.Runner.AddSecret = func(s string) {
		teach(s)
		switch s {
		case run.Runner.Secrets[secrets.CloudronAdminPassword]:
			once.password = s
		case run.Runner.Secrets[secrets.CloudronAdminTOTPSecret]:
			once.totpSecret = s
		}
	}
	if err := planAndApply(ctx, opts.IO, run.Runner, opts.Yes); err != nil {
		return err
	}
	return printSummary(opts.IO, opts.F, cfg, once)
}

// planAndApply shows the plan, asks to go ahead unless yes, and applies it.
func planAndApply(ctx context.Context, io *ui.IOStreams, runner *steps.Runner, yes bool) error {
	plans, err := runner.Plan(ctx)
	if err != nil {
		return err
	}
	view := newPlanView(plans)
	printPlan(io, view)
	if len(view.Summary) == 0 {
		return nil
	}
	printMonthlyCost(ctx, io, runner)
	if err := askConsents(io, runner, view); err != nil {
		return err
	}
	if !yes {
		if !io.CanPrompt() {
			return inputErrorf("review the plan above, then run again with --yes to apply it")
		}
		ok, err := io.Prompter().Confirm("Apply this plan?", "", false)
		if err != nil {
			return err
		}
		if !ok {
			return ui.ErrCancelled
		}
		// The organizer's yes to a plan that lists Gandi's defaults is the
		// consent --yes gives; conflicts still need their own yes.
		runner.Options.Yes = true
	}
	return runner.Apply(ctx)
}

// askConsents puts each conflict of the plan (someone else's record on a
// name chapterctl needs) to the organizer, one by one, when a person is
// there to answer; a yes is the same as --replace NAME/TYPE. Without a
// person, the run stops before applying anything, naming the flag.
func askConsents(io *ui.IOStreams, runner *steps.Runner, view planView) error {
	var refusals []string
	asked := map[string]bool{}
	for _, s := range view.Steps {
		for _, item := range s.Change.Items {
			if item.NeedsConsent == "" || asked[item.NeedsConsent] || slices.Contains(runner.Options.Replace, item.NeedsConsent) {
				continue // asked already (two steps can need one name)
			}
			asked[item.NeedsConsent] = true
			if !io.CanPrompt() {
				// Stop before anything is created, not half-way through,
				// naming every conflict at once.
				refusals = append(refusals, fmt.Sprintf("%s (%s): %s", item.Resource, s.ID, item.Detail))
				continue
			}
			ok, err := io.Prompter().Confirm(fmt.Sprintf("Replace %s?", item.NeedsConsent), item.Detail, false)
			if err != nil {
				return err
			}
			if !ok {
				return inputErrorf("%s was kept as it is; chapterctl needs that name: choose another setup, or rerun with --replace %s", item.NeedsConsent, item.NeedsConsent)
			}
			runner.Options.Replace = append(runner.Options.Replace, item.NeedsConsent)
		}
	}
	if len(refusals) > 0 {
		return inputErrorf("%s", strings.Join(refusals, "\n"))
	}
	return nil
}

// printMonthlyCost says what the droplet will cost, from DigitalOcean's own
// price list (never a number written here). A failed lookup only leaves
// the line out: the plan itself is what matters.
func printMonthlyCost(ctx context.Context, io *ui.IOStreams, runner *steps.Runner) {
	if runner.Providers == nil || runner.Providers.DigitalOcean == nil {
		return
	}
	sizes, err := runner.Providers.DigitalOcean.Sizes(ctx, runner.Config.Region)
	if err != nil {
		return
	}
	for _, size := range sizes {
		if size.Slug == runner.Config.Size {
			fmt.Fprintf(io.Out, "Monthly cost: $%.2f for the droplet (%s, billed hourly while it exists).\n",
				size.PriceMonthly, size.Slug)
			return
		}
	}
}
