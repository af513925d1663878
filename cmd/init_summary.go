package cmd

import (
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/state"
)

// shownOnce are the secrets this run made, printed once in the summary.
type shownOnce struct {
	password   string
	totpSecret string
}

// printSummary tells the organizer where everything is. The admin password
// and two-factor secret are printed only by the run that made them (once);
// later runs say where they are kept.
func printSummary(io *ui.IOStreams, f *Factory, cfg *chapter.Config, once shownOnce) error {
	_, st, err := state.Open(f.Dir.StateFile())
	if err != nil {
		return err
	}
	out := io.Out
	where := ""
	if st.Sandbox {
		where = " (in the sandbox)"
	}
	fmt.Fprintf(out, "\n%s Your chapter's server is ready%s.\n", io.Mark(ui.MarkOK), where)
	fmt.Fprintf(out, "  Dashboard  https://%s/   user %s\n", cfg.Hostname(), cfg.Organizer.Username)
	if once.password != "" {
		fmt.Fprintf(out, "  Password   %s\n             (shown once; kept in .chapterctl/secrets.json: put it in your password manager)\n", once.password)
	} else {
		fmt.Fprintf(out, "  Password   in .chapterctl/secrets.json (%s)\n", secrets.CloudronAdminPassword)
	}
	printTwoFactor(io, cfg, st, once.totpSecret)
	switch cfg.Chat {
	case chapter.ChatMatrix:
		fmt.Fprintf(out, "  Chat       https://chat.%s/ (Element); user ids look like @%s:%s\n", cfg.Domain, cfg.Organizer.Username, matrixServerName(cfg))
	default:
		fmt.Fprintf(out, "  Chat       https://chat.%s/\n", cfg.Domain)
	}
	fmt.Fprintf(out, "  SSH        ssh -i .chapterctl/id_ed25519 -o UserKnownHostsFile=.chapterctl/known_hosts root@%s\n", cfg.Hostname())
	printFederation(io, cfg, st)
	printMailSettings(io, cfg, st)
	return nil
}

// printFederation says which Matrix servers this chapter federates with,
// as Synapse runs now. An allow-list works only both ways: each partner
// must list this chapter too.
func printFederation(io *ui.IOStreams, cfg *chapter.Config, st *state.State) {
	policy := st.Output("chat", "federation")
	if policy == "" || cfg.Chat != chapter.ChatMatrix && cfg.Chat != "" {
		return
	}
	fmt.Fprintf(io.Out, "  Federation %s\n", policy)
	if cfg.Federation == chapter.FederationAllowlist {
		fmt.Fprintf(io.Out, "\n%s Federation works only both ways: ask the admins of %s to add %s to federation_domain_whitelist in their homeserver.yaml.\n",
			io.Mark(ui.MarkWarn), strings.Join(cfg.FederationAllow, ", "), st.Output("chat", "server_name"))
	}
}

func matrixServerName(cfg *chapter.Config) string {
	if cfg.MatrixServerName == chapter.MatrixServerNameSubdomain {
		return "matrix." + cfg.Domain
	}
	return cfg.Domain
}
