package checks

import (
	"context"
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
)

// Helpers the mail record checks share.

func mailEnabled(env *Env) bool { return env.Config != nil && env.Config.Mail.Enabled }

func relayed(env *Env) bool {
	return env.Config != nil && env.Config.Mail.Relay != "" && env.Config.Mail.Relay != "none"
}

// apexTXT is the domain's TXT values at the authoritative servers.
func apexTXT(ctx context.Context, env *Env) ([]string, Result, bool) {
	a, err := askAuthoritative(ctx, env, env.Domain(), dns.TypeTXT)
	if err != nil {
		return nil, dnsUnknown(env.Domain()+" TXT", err), false
	}
	if a.Kind != dnsq.Found {
		return nil, Result{}, true
	}
	return a.Values, Result{}, true
}

// spfValues are the v=spf1 values among TXT values (RFC 7208 §4.5: the
// version tag, then a space or the end).
func spfValues(txt []string) []string {
	var out []string
	for _, v := range txt {
		l := strings.ToLower(v)
		if l == "v=spf1" || strings.HasPrefix(l, "v=spf1 ") {
			out = append(out, v)
		}
	}
	return out
}

const dnsApplyFix = `run "chapterctl dns apply" to write the chapter's records again`
