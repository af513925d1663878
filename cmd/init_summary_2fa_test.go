package cmd

import (
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/state"
)

// The secret and its otpauth:// address are printed by the run that
// enrolled the organizer; the QR code only on a terminal outside
// accessible mode; later runs say where the secret is.
func TestPrintTwoFactor(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	cfg := chapter.Default()
	cfg.Domain, cfg.Organizer.Username = "redrockdsa.org", "maria"
	for _, tt := range []struct {
		name             string
		tty, accessible  bool
		newSecret, by    string
		want, wantAbsent []string
	}{
		{name: "terminal", tty: true, newSecret: secret, by: "chapterctl",
			want: []string{"secret " + secret, "otpauth://totp/Cloudron%20my.redrockdsa.org%20%28maria%29?issuer=Cloudron&secret=" + secret,
				"authenticator app now", ".chapterctl/secrets.json", "█"}},
		{name: "accessible", tty: true, accessible: true, newSecret: secret, by: "chapterctl",
			want: []string{"secret " + secret, "otpauth://totp/"}, wantAbsent: []string{"█", "▀", "▄"}},
		{name: "pipe", newSecret: secret, by: "chapterctl",
			want: []string{"otpauth://totp/"}, wantAbsent: []string{"█", "▀", "▄"}},
		{name: "rerun", tty: true, by: "chapterctl",
			want: []string{"cloudron_admin_totp_secret"}, wantAbsent: []string{"otpauth://", "█"}},
		{name: "organizer's own", tty: true, by: "organizer",
			want: []string{"you set up in the dashboard"}, wantAbsent: []string{"otpauth://", "cloudron_admin_totp_secret"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			io, _, out, _ := ui.Test()
			io.SetTTY(tt.tty)
			io.Accessible = tt.accessible
			st := state.New()
			st.Step("platform-setup").SetOutput("admin_2fa", tt.by)
			printTwoFactor(io, &cfg, st, tt.newSecret)
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.wantAbsent {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}
