package cmd

import (
	"fmt"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/state"
)

// printTwoFactor shows the organizer's two-factor secret once, by the run
// that enrolled them: the secret, its otpauth:// address and, on a
// terminal outside accessible mode, the QR code (a screen reader cannot
// read one). Later runs say where the secret is kept.
func printTwoFactor(io *ui.IOStreams, cfg *chapter.Config, st *state.State, newSecret string) {
	out := io.Out
	switch {
	case newSecret != "":
		fmt.Fprintf(out, "  2FA        on; secret %s\n", newSecret)
		fmt.Fprintf(out, "             %s\n", cloudron.TOTPURI(cfg.Hostname(), cfg.Organizer.Username, newSecret))
		fmt.Fprintf(out, "             Add it to your authenticator app now (the dashboard asks for its code at every login); it is kept in .chapterctl/secrets.json.\n")
		if io.IsStdoutTTY() && !io.Accessible {
			ui.QR(out, cloudron.TOTPURI(cfg.Hostname(), cfg.Organizer.Username, newSecret))
		}
	case st.Output("platform-setup", "admin_2fa") == "organizer":
		fmt.Fprintf(out, "  2FA        on, with the authenticator you set up in the dashboard\n")
	case st.Output("platform-setup", "admin_2fa") != "":
		fmt.Fprintf(out, "  2FA        on; the secret is in .chapterctl/secrets.json (%s)\n", secrets.CloudronAdminTOTPSecret)
	}
}
