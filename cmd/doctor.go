package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/chapterctl/chapterctl/cmd/ui"
)

type DoctorOptions struct {
	IO     *ui.IOStreams
	F      *Factory
	JSON   bool
	Checks []string
	Strict bool
	List   bool
}

func NewCmdDoctor(f *Factory, runF func(context.Context, *DoctorOptions) error) *cobra.Command {
	opts := &DoctorOptions{IO: f.IO, F: f}
	c := &cobra.Command{
		Use:   "doctor",
		Short: "Check a running chapter and say what to fix",
		Long: `Check everything a chapter depends on (DNS records, email delivery, certificates,
the chat server, the server's disk and memory, updates and backups) and explain
in plain words what is wrong and the exact command or step that fixes it.

Checks run at once, each with its own timeout. A problem that explains others
is shown first, with who it hurts; the checks that follow from it are marked
so. A check that could not tell (a resolver timed out, a blocklist refused to
answer) says so and is never counted as a pass or a fail.

Exit 0 when nothing fails, 1 when something does (with --strict also on
warnings and checks that could not tell). --list shows every check's id.`,
		Example: `  chapterctl doctor
  chapterctl doctor --check mail.spf --check mail.dkim
  chapterctl doctor --json
  chapterctl doctor --list`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return doctorRun(c.Context(), opts)
		},
	}
	flags := c.Flags()
	flags.BoolVar(&opts.JSON, "json", false, "print the results as JSON")
	flags.StringArrayVar(&opts.Checks, "check", nil, "run only the check `ID` (repeatable), e.g. mail.spf")
	flags.BoolVar(&opts.Strict, "strict", false, "also exit 1 on warnings and checks that could not tell")
	flags.BoolVar(&opts.List, "list", false, "list the checks' ids and titles, run nothing")
	return c
}
