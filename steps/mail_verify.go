package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/mailgun"
	"github.com/chapterctl/chapterctl/internal/waitx"
)

// Mailgun re-checks DNS when asked (PUT …/verify). The records are already
// at the authoritative servers when this runs, but Mailgun's resolvers
// may hold an older negative answer: ask again for a while, slowly.
const (
	relayVerifyLimit     = 15 * time.Minute
	relayVerifyFirstWait = 10 * time.Second
	relayVerifyMaxWait   = 2 * time.Minute
)

// verifyRelayDomain asks Mailgun to verify the sending domain and waits
// until it is active (bounded, with progress). It does nothing unless the
// mail step set the relay up through Mailgun's API. The verify step calls
// it once the authoritative servers serve the records: asked earlier,
// Mailgun's resolvers would cache the records' absence.
func verifyRelayDomain(ctx context.Context, env *Env) error {
	if env.Output(mailStepID, mailRelay) != relayMailgunAPI {
		return nil
	}
	domain := env.Output(mailStepID, mailRelayDomain)
	api := relayAPI(env)
	if api == nil {
		env.Progress.Line("Mailgun's verification of " + domain + " not checked: set MAILGUN_API_KEY to check it")
		return nil
	}
	d, found, err := api.Domain(ctx, domain)
	if err != nil {
		return err
	}
	if found && d.Active() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, relayVerifyLimit)
	defer cancel()
	started, what := time.Now(), "Mailgun verifying "+domain
	for attempt := 1; ; attempt++ {
		d, err = api.VerifyDomain(ctx, domain)
		if err == nil && d.Active() {
			return nil
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		env.Progress.Waiting(what, time.Since(started))
		if waitx.Sleep(ctx, waitx.Backoff(relayVerifyFirstWait, relayVerifyMaxWait, attempt)) != nil {
			if parent := context.Cause(ctx); parent != nil && !errors.Is(parent, context.DeadlineExceeded) {
				return parent
			}
			return fmt.Errorf("mail: Mailgun has not verified %s after %s (%s); check the records with \"chapterctl dns verify\", then run \"chapterctl init\" again",
				domain, relayVerifyLimit, unverifiedRecords(d))
		}
	}
}

// unverifiedRecords says which sending records Mailgun found wrong, and
// what it found.
func unverifiedRecords(d mailgun.Domain) string {
	var bad []string
	for _, r := range d.Sending {
		if r.Valid == "valid" {
			continue
		}
		found := "nothing"
		if len(r.Cached) > 0 {
			found = strings.Join(r.Cached, " | ")
		}
		bad = append(bad, fmt.Sprintf("%s %s is %s, found %s", r.Type, r.Name, orNone(r.Valid), found))
	}
	if len(bad) == 0 {
		return "no record reported wrong"
	}
	return strings.Join(bad, "; ")
}
