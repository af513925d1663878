package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/chapterctl/chapterctl/cmd/ui"
)

// SandboxOptions serve every sandbox subcommand; each uses the fields it needs.
type SandboxOptions struct {
	IO    *ui.IOStreams
	F     *Factory
	JSON  bool
	Fault string // break and heal
}

type sandboxRunF func(context.Context, string, *SandboxOptions) error

func NewCmdSandbox(f *Factory) *cobra.Command {
	return newCmdSandbox(f, nil)
}

// sandboxRun dispatches to the subcommand's run function.
func sandboxRun(ctx context.Context, name string, opts *SandboxOptions) error {
	switch name {
	case "faults":
		return sandboxFaultsRun(opts)
	case "break", "heal":
		return sandboxChangeRun(name, opts)
	case "journal":
		return sandboxJournalRun(opts)
	case "world":
		return sandboxWorldRun(opts)
	case "serve":
		return sandboxServeRun(ctx, opts)
	}
	return inputErrorf("unknown command \"chapterctl sandbox %s\"; run \"chapterctl sandbox --help\"", name)
}

func newCmdSandbox(f *Factory, runF sandboxRunF) *cobra.Command {
	c := &cobra.Command{
		Use:   "sandbox <command>",
		Short: "Look into and break the simulated world of a sandbox chapter",
		Long: `A chapter set up with "chapterctl init --sandbox" lives in a simulated world:
DigitalOcean, Gandi, the server, Cloudron and DNS, all on this machine. These
commands show that world, keep it running for other tools, and break it on
purpose to see how chapterctl copes.`,
		Example: `  chapterctl sandbox world
  chapterctl sandbox break dkim-missing && chapterctl doctor`,
	}
	sub := func(use, short, long, example string, args cobra.PositionalArgs, jsonFlag bool) *cobra.Command {
		opts := &SandboxOptions{IO: f.IO, F: f}
		s := &cobra.Command{
			Use: use, Short: short, Long: long, Example: example, Args: args,
			RunE: func(cc *cobra.Command, args []string) error {
				if len(args) > 0 {
					opts.Fault = args[0]
				}
				if runF == nil {
					runF = sandboxRun
				}
				return runF(cc.Context(), cc.Name(), opts)
			},
		}
		if jsonFlag {
			s.Flags().BoolVar(&opts.JSON, "json", false, "print as JSON")
		}
		return s
	}
	c.AddCommand(
		sub("faults", "List the faults the sandbox can inject",
			"List every named fault, whether it is active, and what it does.",
			"  chapterctl sandbox faults\n  chapterctl sandbox faults --json", cobra.NoArgs, true),
		sub("break FAULT", "Turn a fault on in the simulated world",
			"Turn on the named fault (see \"chapterctl sandbox faults\"), e.g. a missing DKIM record or a rate limit.",
			"  chapterctl sandbox break dkim-missing", cobra.ExactArgs(1), false),
		sub("heal [FAULT]", "Turn one fault, or every fault, off",
			"Turn the named fault off, or every active fault when none is named.",
			"  chapterctl sandbox heal dkim-missing\n  chapterctl sandbox heal", cobra.MaximumNArgs(1), false),
		sub("journal", "Print every request the simulated world received",
			"Print .chapterctl/sandbox/journal.jsonl: one line per request, with whether it changed the world.",
			"  chapterctl sandbox journal", cobra.NoArgs, false),
		sub("world", "Show the simulated world as it is now",
			"Show the droplets, keys, firewalls, DNS zones and Cloudron of the simulated world.",
			"  chapterctl sandbox world\n  chapterctl sandbox world --json", cobra.NoArgs, true),
		sub("serve", "Keep the simulated world running for other clients",
			`Start the simulators and keep them running until interrupted, printing where
each listens, so that dig, ssh, curl or the providers' own CLIs can be pointed at them.`,
			"  chapterctl sandbox serve --json", cobra.NoArgs, true),
	)
	return c
}
