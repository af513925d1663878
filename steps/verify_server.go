package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/checks"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// checkServer asks Cloudron for its own mail status and checks the TLS
// certificate of the dashboard and every installed app, all at once. It
// shows every verdict and returns the failures, one sentence each with
// the fix.
func (v *Verify) checkServer(ctx context.Context, env *Env, served []dnsq.Expectation) []string {
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
			st, err := v.settledMailStatus(ctx, env, client, served)
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

// settledMailStatus asks Cloudron for its mail status until its resolver
// sees the records the authoritative servers were just found to serve
// (served): Cloudron caches answers for up to 5 minutes (cloudron.md), so
// a record written moments ago is still the old one there. At the bound
// the last status stands, and its stale records warn.
func (v *Verify) settledMailStatus(ctx context.Context, env *Env, client *cloudron.Client, served []dnsq.Expectation) (cloudron.MailStatus, error) {
	started := time.Now()
	var pace pollPace
	for {
		st, err := client.MailStatus(ctx, env.Config.Domain)
		stale := staleMailRecords(st, served)
		if err != nil || stale == "" || time.Since(started) >= v.waitLimit() {
			return st, err
		}
		env.Progress.Waiting(fmt.Sprintf("Cloudron's resolver to see %s (it caches answers up to 5 minutes)", stale), time.Since(started))
		if pace.sleep(ctx) != nil {
			return st, nil // cut short: the last status stands
		}
	}
}

// staleMailRecords names the records Cloudron's status finds wrong while
// it sees something the authoritative servers no longer serve: an old
// answer in its cache, which time fixes. A record it sees as served is
// wrong in the zone itself, and waiting would change nothing; nor would it
// for the reverse name (DigitalOcean's, not the zone's).
func staleMailRecords(st cloudron.MailStatus, served []dnsq.Expectation) string {
	var names []string
	for _, c := range st.Checks {
		if c.OK || c.Name == "ptr" || c.ErrorMessage != "" {
			continue
		}
		i := slices.IndexFunc(served, func(e dnsq.Expectation) bool {
			return strings.EqualFold(e.Name, c.FQDN) && dns.TypeToString[e.Type] == c.Type
		})
		if i >= 0 && !seesServed(c.Value, served[i].Values) {
			names = append(names, c.FQDN+" "+c.Type)
		}
	}
	return strings.Join(names, ", ")
}

// seesServed tells whether the value Cloudron reports (one record's text,
// or several joined by spaces) is what is served: one of the values, or
// all of them, compared word by word in any order.
func seesServed(seen string, values []string) bool {
	words := func(s string) []string {
		f := strings.Fields(strings.ToLower(strings.ReplaceAll(s, `"`, "")))
		slices.Sort(f)
		return f
	}
	want := words(seen)
	for _, v := range values {
		if slices.Equal(words(v), want) {
			return true
		}
	}
	return slices.Equal(words(strings.Join(values, " ")), want)
}
