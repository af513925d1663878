package cmd

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/mailgun"
	"github.com/chapterctl/chapterctl/internal/state"
)

// imapWarning is the guide's rule: mail protocols have no second factor.
const imapWarning = "IMAP and SMTP have no second factor: every mail user needs a unique password from a password manager."

// printMailSettings tells the organizer how mail apps connect, and what is
// left for them about outgoing mail. Cloudron's mail server answers at the
// dashboard's name (cloudron.md §9), IMAP on 993 (TLS) and submission on
// 587 (STARTTLS) (cloudron-operations.md §1).
func printMailSettings(io *ui.IOStreams, cfg *chapter.Config, st *state.State) {
	if !cfg.Mail.Enabled {
		return
	}
	out, host := io.Out, cfg.Hostname()
	fmt.Fprintf(out, "\nEmail for %s\n", cfg.Domain)
	switch cfg.Webmail {
	case chapter.WebmailRoundcube:
		fmt.Fprintf(out, "  Webmail    https://webmail.%s/ (Roundcube)\n", cfg.Domain)
	case chapter.WebmailSOGo:
		fmt.Fprintf(out, "  Webmail    https://webmail.%s/ (SOGo)\n", cfg.Domain)
	}
	fmt.Fprintf(out, "  IMAP       %s port 993 (TLS)\n", host)
	fmt.Fprintf(out, "  SMTP       %s port 587 (STARTTLS)\n", host)
	fmt.Fprintf(out, "  Username   the full address (%s@%s); password: the mailbox owner's Cloudron password\n",
		cfg.Organizer.Username, cfg.Domain)
	boxes := []string{cfg.Organizer.Username + "@" + cfg.Domain}
	for _, b := range cfg.Mail.Mailboxes {
		if b != cfg.Organizer.Username {
			boxes = append(boxes, b+"@"+cfg.Domain)
		}
	}
	fmt.Fprintf(out, "  Mailboxes  %s\n", strings.Join(boxes, ", "))
	if len(cfg.Mail.Lists) > 0 {
		var lists []string
		for _, name := range slices.Sorted(maps.Keys(cfg.Mail.Lists)) {
			lists = append(lists, name+"@"+cfg.Domain)
		}
		fmt.Fprintf(out, "  Lists      %s\n", strings.Join(lists, ", "))
	}
	switch st.Output("mail", "relay") {
	case "mailgun-api", "mailgun-smtp":
		fmt.Fprintf(out, "  Outgoing   through Mailgun (%s:%d)\n", mailgun.SMTPHost(cfg.Mail.RelayRegion), mailgun.SMTPPort)
	}
	fmt.Fprintf(out, "%s %s\n", io.Mark(ui.MarkWarn), imapWarning)
	for _, note := range []string{st.Output("mail", "relay_advice"), st.Output("mail", "relay_manual")} {
		if note != "" {
			fmt.Fprintf(out, "%s %s\n", io.Mark(ui.MarkWarn), note)
		}
	}
}
