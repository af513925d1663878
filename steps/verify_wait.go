package steps

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/checks"
	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/waitx"
)

// Polls start quick, as a sandbox zone is published in milliseconds, and
// slow down to the pace of a real push.
const (
	firstPoll = 25 * time.Millisecond
	maxPoll   = 2 * time.Second
)

// pollPace is the pause between verify's polls: doubling from firstPoll
// up to maxPoll.
type pollPace struct{ next time.Duration }

// sleep waits for the next pause (or until ctx ends, with its error).
func (p *pollPace) sleep(ctx context.Context) error {
	if p.next == 0 {
		p.next = firstPoll
	}
	err := waitx.Sleep(ctx, p.next)
	p.next = min(p.next*2, maxPoll)
	return err
}

// waitLimit bounds each of verify's waits.
func (v *Verify) waitLimit() time.Duration {
	if v.Wait > 0 {
		return v.Wait
	}
	return defaultAuthoritativeWait
}

// waitAuthoritative asks the authoritative servers, and only them (a
// resolver asked before they serve a name would cache its absence for
// hours), until every record set is served as expected. At the bound it
// fails naming each record still wrong, with what is served and what is
// wanted.
func (v *Verify) waitAuthoritative(ctx context.Context, env *Env, servers []string, exps []dnsq.Expectation) error {
	bounded, cancel := context.WithTimeout(ctx, v.waitLimit())
	defer cancel()
	started := time.Now()
	var pace pollPace
	var last []dnsq.Result
	for {
		results := env.Providers.DNS.VerifyAuthoritative(bounded, servers, exps)
		if bounded.Err() == nil {
			last = results // a round the bound cut short proves nothing
		}
		pending := notServed(last)
		if len(pending) == 0 && last != nil {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if bounded.Err() != nil {
			return notServedError(pending, env.Now(), time.Since(started))
		}
		env.Progress.Waiting(fmt.Sprintf("the authoritative servers to serve %s", recordNames(pending)), time.Since(started))
		pace.sleep(bounded) // the bound ending the sleep ends the loop above
	}
}

func notServed(results []dnsq.Result) []dnsq.Result {
	var out []dnsq.Result
	for _, r := range results {
		if !r.AuthoritativeOK {
			out = append(out, r)
		}
	}
	return out
}

// recordNames lists a few record sets by name and type, for a progress line.
func recordNames(results []dnsq.Result) string {
	const shown = 3
	var names []string
	for i, r := range results {
		if i == shown {
			names = append(names, fmt.Sprintf("and %d more", len(results)-shown))
			break
		}
		verdict := checks.JudgeRecord(r, time.Time{})
		names = append(names, verdict.Name+" "+verdict.Type)
	}
	return strings.Join(names, ", ")
}

// notServedError says, for each record set the authoritative servers do
// not serve at the end of the wait, what they serve instead.
func notServedError(pending []dnsq.Result, now time.Time, waited time.Duration) error {
	if len(pending) == 0 {
		return fmt.Errorf("verify: the authoritative servers did not answer within %s; check this computer's network connection, then run \"chapterctl init\" again",
			waited.Round(time.Second))
	}
	details := make([]string, len(pending))
	for i, r := range pending {
		details[i] = checks.JudgeRecord(r, now).Result.Detail
	}
	return fmt.Errorf("verify: after %s the authoritative servers still do not serve %d record sets as the chapter needs: %s; "+
		"run \"chapterctl dns apply\" to write them", waited.Round(time.Second), len(pending), strings.Join(details, "; "))
}
