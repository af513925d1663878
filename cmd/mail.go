package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/chapterctl/chapterctl/cmd/ui"
)

func NewCmdMail(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:     "mail <command>",
		Short:   "Manage the chapter's email",
		Example: `  chapterctl mail enable --mailbox info`,
	}
	c.AddCommand(NewCmdMailEnable(f, nil))
	return c
}

type MailEnableOptions struct {
	IO        *ui.IOStreams
	F         *Factory
	Mailboxes []string
	Lists     []string
	CatchAll  []string
	Relay     string
}

func NewCmdMailEnable(f *Factory, runF func(context.Context, *MailEnableOptions) error) *cobra.Command {
	opts := &MailEnableOptions{IO: f.IO, F: f}
	c := &cobra.Command{
		Use:   "enable",
		Short: "Enable email for the chapter's domain",
		Long: `Enable Cloudron email for the domain: mailboxes, mailing lists, the catch-all,
webmail, and the DNS records mail needs. Flags add to chapter.yaml. When the
server cannot send on port 25, --relay mailgun sends through Mailgun instead:
with MAILGUN_API_KEY (or the key typed at a hidden prompt) chapterctl sets the
sending domain up itself; with only MAILGUN_SMTP_LOGIN and MAILGUN_SMTP_PASSWORD
it uses that login and prints the records to add at Mailgun. A list member is a
mailbox name or an outside address. At the end it prints the settings for mail
apps.`,
		Example: `  chapterctl mail enable
  chapterctl mail enable --mailbox info --list members=maria,info
  chapterctl mail enable --relay mailgun`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return mailEnableRun(c.Context(), opts)
		},
	}
	flags := c.Flags()
	flags.StringArrayVar(&opts.Mailboxes, "mailbox", nil, "add the mailbox `NAME` (repeatable)")
	flags.StringArrayVar(&opts.Lists, "list", nil, "add the mailing list `NAME=member,member` (repeatable)")
	flags.StringArrayVar(&opts.CatchAll, "catch-all", nil, "deliver mail for unknown addresses to the mailbox `NAME` (repeatable)")
	flags.StringVar(&opts.Relay, "relay", "", "send outgoing mail through `RELAY` (mailgun)")
	return c
}
