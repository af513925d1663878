package steps

import (
	"context"
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/templates"
)

// port25Probe is what the droplet tries: the providers Cloudron's own
// probe uses (cloudron.md §9), 5 s each as there.
var port25Probe = templates.Port25Check{Hosts: []string{"smtp.gmail.com", "smtp.mail.yahoo.com"}, Timeout: 5}

// EnableRelayCommand is what the organizer runs to send through Mailgun.
const EnableRelayCommand = "chapterctl mail enable --relay mailgun"

// testOutbound finds out whether the server may send mail itself, and
// records it: DigitalOcean's API does not say whether an account blocks
// port 25 (all new ones do), so the droplet tries it; and Cloudron's mail
// status says whether a blocklist lists the server's IP (it checks that
// only while Cloudron sends directly).
func (Mail) testOutbound(ctx context.Context, env *Env, client *cloudron.Client, relay cloudron.Relay) error {
	blocked, err := port25Blocked(ctx, env)
	if err != nil {
		return err
	}
	var listed []string
	if relay.Provider == "" || relay.Provider == "cloudron-smtp" {
		st, err := client.MailStatus(ctx, env.Config.Domain)
		switch {
		case err != nil:
			// Mail works without knowing: doctor's blocklist check asks again.
			env.Log.Warn("mail status unreadable; blocklists not checked", "err", err)
		case st.Blocklists.Checked && !st.Blocklists.OK:
			listed = st.Blocklists.Listed
		}
	}
	if err := env.Record(mailBlocklisted, strings.Join(listed, ",")); err != nil {
		return err
	}
	result := "open"
	if blocked {
		result = "blocked"
	}
	return env.Record(mailPort25, result)
}

// port25Blocked runs the connection test on the droplet over the pinned
// SSH connection.
func port25Blocked(ctx context.Context, env *Env) (bool, error) {
	script, err := templates.Render("port25-check.sh.tmpl", port25Probe)
	if err != nil {
		return false, err
	}
	conn, err := dropletSSH(ctx, env)
	if err != nil {
		return false, errMailStep("test outbound port 25: %w", err)
	}
	defer conn.Close()
	out, _, err := runRemoteScript(ctx, conn, script)
	if err != nil {
		return false, errMailStep("test outbound port 25: %w", err)
	}
	switch parseKeyValues(out)["port25"] {
	case "open":
		return false, nil
	case "blocked":
		return true, nil
	}
	return false, errMailStep("test outbound port 25: the droplet's answer is unreadable: %q", strings.TrimSpace(out))
}

// relayAdvice is the one sentence the organizer hears when the server
// cannot send and no relay is set: mail still arrives, so it is a warning,
// not a failure, and never a relay chosen on their behalf.
func relayAdvice(cfg *chapter.Config, port25, blocklisted, ip string) string {
	if cfg.Mail.Relay != chapter.RelayNone {
		return ""
	}
	switch {
	case port25 == "blocked":
		return fmt.Sprintf("Outgoing mail cannot leave the server (DigitalOcean blocks port 25 on this account; incoming mail works): run %q to send through Mailgun.", EnableRelayCommand)
	case blocklisted != "":
		return fmt.Sprintf("The server's address %s is on the blocklists %s, so other servers may refuse its mail: run %q to send through Mailgun.",
			ip, strings.ReplaceAll(blocklisted, ",", ", "), EnableRelayCommand)
	}
	return ""
}

func currentAdvice(env *Env) string {
	return relayAdvice(env.Config, env.Output(mailStepID, mailPort25), env.Output(mailStepID, mailBlocklisted),
		env.Output(dropletStepID, dropletIPv4))
}
