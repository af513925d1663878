package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/chapterctl/chapterctl/cmd/ui"
)

func NewCmdDNS(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "dns <command>",
		Short: "Plan, write and verify the chapter's DNS records on their own",
		Example: `  chapterctl dns plan
  chapterctl dns apply
  chapterctl dns verify`,
	}
	c.AddCommand(NewCmdDNSPlan(f, nil), NewCmdDNSApply(f, nil), NewCmdDNSVerify(f, nil))
	return c
}

type DNSPlanOptions struct {
	IO   *ui.IOStreams
	F    *Factory
	JSON bool
}

func NewCmdDNSPlan(f *Factory, runF func(context.Context, *DNSPlanOptions) error) *cobra.Command {
	opts := &DNSPlanOptions{IO: f.IO, F: f}
	c := &cobra.Command{
		Use:   "plan",
		Short: "Show how the zone differs from the records the chapter needs",
		Long: `Compare the zone at Gandi with the records Cloudron and the chat server need,
record set by record set, and show what "dns apply" would write. Changes nothing.`,
		Example: `  chapterctl dns plan
  chapterctl dns plan --json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return dnsPlanRun(c.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.JSON, "json", false, "print the differences as JSON")
	return c
}

type DNSApplyOptions struct {
	IO      *ui.IOStreams
	F       *Factory
	Yes     bool
	Replace []string
	Restore string
}

func NewCmdDNSApply(f *Factory, runF func(context.Context, *DNSApplyOptions) error) *cobra.Command {
	opts := &DNSApplyOptions{IO: f.IO, F: f}
	c := &cobra.Command{
		Use:   "apply",
		Short: "Write the records the chapter needs, keeping every other record",
		Long: `Back the zone up to .chapterctl/backups, then write only the record sets that
differ. Records chapterctl did not create are kept: an SPF record is merged into
one, and Gandi's own default records are replaced with --yes; someone else's
record that conflicts with a needed one is changed only when named with
--replace (or agreed to on a terminal). Conflicts left are named, exit 1.

With --restore, make the zone equal to a backup instead: the zone as it is now
is backed up first.`,
		Example: `  chapterctl dns apply
  chapterctl dns apply --replace @/MX
  chapterctl dns apply --restore .chapterctl/backups/20261125T140200Z-redrockdsa.org.json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return dnsApplyRun(c.Context(), opts)
		},
	}
	flags := c.Flags()
	flags.BoolVar(&opts.Yes, "yes", false, "accept the changes without asking (conflicting records still need --replace)")
	flags.StringArrayVar(&opts.Replace, "replace", nil, "allow replacing the conflicting record set `NAME/TYPE` (repeatable)")
	flags.StringVar(&opts.Restore, "restore", "", "put the zone back as the backup `FILE` records it")
	return c
}

type DNSVerifyOptions struct {
	IO   *ui.IOStreams
	F    *Factory
	JSON bool
}

func NewCmdDNSVerify(f *Factory, runF func(context.Context, *DNSVerifyOptions) error) *cobra.Command {
	opts := &DNSVerifyOptions{IO: f.IO, F: f}
	c := &cobra.Command{
		Use:   "verify",
		Short: "Check that the authoritative servers and public resolvers serve the records",
		Long: `Ask the domain's authoritative servers for each record, then, once they serve
it, several public resolvers; say which are right, and when a stale resolver
will have forgotten its old answer.`,
		Example: `  chapterctl dns verify
  chapterctl dns verify --json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return dnsVerifyRun(c.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.JSON, "json", false, "print the results as JSON")
	return c
}
