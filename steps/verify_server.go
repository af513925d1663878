package steps

import (
	"context"
	"fmt"
	"sync"

	"github.com/chapterctl/chapterctl/checks"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// checkServer asks Cloudron for its own mail status and checks the TLS
// certificate of the dashboard and every installed app, all at once. It
// shows every verdict and returns the failures, one sentence each with
// the fix.
func (v *Verify) checkServer(ctx context.Context, env *Env) []string {
	token := env.Secret(secrets.CloudronToken)
	if token == "" {
		return []string{errNoCloudronToken.Error()}
	}
	client := dashboardCloudron(env, token)
	hosts := []string{dashboardHost(env)}
	apps, err := client.Apps(ctx)
	if err != nil {
		return []string{fmt.Sprintf("list the apps to check their certificates: %v", err)}
	}
	for _, a := range apps {
		if a.InstallationState == "installed" && a.FQDN != hosts[0] {
			hosts = append(hosts, a.FQDN)
		}
	}

	now := env.Now()
	tls := make([]checks.Result, len(hosts))
	var mail []checks.MailFinding
	var mailErr error
	var wg sync.WaitGroup
	for i, host := range hosts {
		wg.Go(func() { tls[i] = checks.CheckTLS(ctx, env.Providers.Dialer, env.Providers.Roots, host, now) })
	}
	if env.Config.Mail.Enabled {
		wg.Go(func() {
			st, err := client.MailStatus(ctx, env.Config.Domain)
			mail, mailErr = checks.JudgeMailStatus(env.Config.Domain, st), err
		})
	}
	wg.Wait()

	var failures []string
	report := func(title string, r checks.Result) {
		line := fmt.Sprintf("%s %s: %s", statusMark(r.Status), title, r.Detail)
		if r.Status != checks.Pass && r.Fix != "" {
			line += " (" + r.Fix + ")"
		}
		env.Progress.Line(line)
		if r.Status == checks.Fail {
			failures = append(failures, r.Detail+": "+r.Fix)
		}
	}
	for _, r := range tls {
		report("certificate", r)
	}
	if mailErr != nil {
		// The status is Cloudron's own check: when it cannot be read, the
		// records and certificates above still stand.
		env.Progress.Line(fmt.Sprintf("? mail status: %v", mailErr))
	}
	for _, f := range mail {
		report(f.Title, f.Result)
	}
	return failures
}
