package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/steps"
)

type UpgradeOptions struct {
	IO  *ui.IOStreams
	F   *Factory
	Yes bool
}

func NewCmdUpgrade(f *Factory, runF func(context.Context, *UpgradeOptions) error) *cobra.Command {
	opts := &UpgradeOptions{IO: f.IO, F: f}
	c := &cobra.Command{
		Use:   "upgrade",
		Short: "Update Cloudron and the apps, and bring the chapter back in line with chapter.yaml",
		Long: `Back the server up, update Cloudron and each app, then rerun the setup steps so
the world matches chapter.yaml again. Safe to run again at any point, even after
it was stopped half-way.`,
		Example: `  chapterctl upgrade
  chapterctl upgrade --yes`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return upgradeRun(c.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.Yes, "yes", false, "accept the upgrade plan without asking")
	return c
}

func upgradeRun(ctx context.Context, opts *UpgradeOptions) error {
	run, head, err := openUpgradeRun(ctx, opts.F, "upgrade", true)
	if err != nil {
		return err
	}
	defer run.Close()
	run.Runner.Options = steps.Options{Yes: opts.Yes, Interactive: opts.IO.CanPrompt()}
	head.print(opts.IO)
	if err := planAndApply(ctx, opts.IO, run.Runner, opts.Yes); err != nil {
		return err
	}
	fmt.Fprintln(opts.IO.Out, "The chapter is up to date and matches chapter.yaml.")
	return nil
}
