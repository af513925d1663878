package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/checks"
)

// Verify checks, without changing anything, that the world serves what
// the chapter needs: each record set of the dns-records step's list at the
// domain's authoritative servers (waiting, bounded, until they serve it)
// and then at public resolvers; Cloudron's own mail status; the apps'
// certificates. Its judgments are the checks package's, which doctor
// shares.
//
// It fails only on what is wrong where it matters: an authoritative
// server serving a record wrongly at the end of the wait, a certificate
// that is invalid or about to expire, a broken reverse name or relay
// login. Resolvers still holding old answers are reported with the time
// they will have caught up; they are propagation, not a fault.
type Verify struct {
	// Wait bounds each wait: for the authoritative servers, then for
	// Cloudron's resolver to catch up; zero means defaultAuthoritativeWait.
	Wait time.Duration
}

// defaultAuthoritativeWait: Gandi pushes a change to its servers within
// seconds (reference/timings.md §4: p95 5 s); five minutes is a server in
// trouble, or a record that nobody is going to write.
const defaultAuthoritativeWait = 5 * time.Minute

// Outputs of the verify step.
const (
	verifiedDigest = "verified_sha256" // digest of the record list found served
	verifiedAt     = "verified_at"     // RFC 3339, when the check passed
	propagatingOut = "propagating"     // the "still propagating" lines, "; "-joined
	recheckOut     = "recheck_after"   // RFC 3339, when stale resolvers have caught up; "" when none
)

// NewVerify returns the verify step.
func NewVerify() Step { return &Verify{} }

func (*Verify) ID() string    { return "verify" }
func (*Verify) Title() string { return "Records and certificates verified" }

// Plan has one check to make until the record list dns-records recorded
// has been found served; then nothing, so a rerun of init asks nothing
// more of the world (`dns verify` and doctor look again on demand).
func (v *Verify) Plan(_ context.Context, env *Env) (Change, error) {
	expected := env.Output(expectedFromStep, expectedOutput)
	if expected != "" && env.Done(v.ID()) && env.Output(v.ID(), verifiedDigest) == expectedDigest(expected) {
		return Change{}, nil
	}
	item := Item{Action: Check, Resource: "DNS records, mail status and certificates of " + env.Config.Domain,
		Detail: "each record at the authoritative servers, then at public resolvers"}
	if expected == "" {
		item.Detail = "the records dns-records will write"
	}
	return Change{Items: []Item{item}}, nil
}

func (v *Verify) Apply(ctx context.Context, env *Env, _ Change) error {
	expected := env.Output(expectedFromStep, expectedOutput)
	exps, err := ParseExpected(expected)
	if err != nil {
		return err
	}
	q := env.Providers.DNS
	servers, err := q.Authoritative(ctx, env.Config.Domain)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if err := v.waitAuthoritative(ctx, env, servers, exps); err != nil {
		return err
	}

	// The authoritative servers serve every record now, the relay's
	// included: only now can Mailgun verify the sending domain.
	if err := verifyRelayDomain(ctx, env); err != nil {
		return err
	}

	now := env.Now()
	var failures []string
	var propagating []string
	var recheck time.Time
	for _, r := range q.Verify(ctx, servers, nil, exps, now) {
		verdict := checks.JudgeRecord(r, now)
		env.Progress.Line(recordLine(verdict))
		if verdict.Result.Status == checks.Fail {
			failures = append(failures, verdict.Result.Detail)
		}
		for _, s := range verdict.Stale {
			propagating = append(propagating, fmt.Sprintf("%s %s at %s, recheck after %s",
				verdict.Name, verdict.Type, s.Resolver, checks.ClockTime(s.Until, now)))
		}
		if verdict.Result.RecheckAfter.After(recheck) {
			recheck = verdict.Result.RecheckAfter
		}
	}
	for _, line := range propagating {
		env.Progress.Line("still propagating: " + line)
	}
	failures = append(failures, v.checkServer(ctx, env, exps)...)
	if len(failures) > 0 {
		return fmt.Errorf("verify: %s", strings.Join(failures, "; "))
	}
	return v.record(env, expected, propagating, recheck)
}

// record keeps the outcome; the digest last, so that a run killed before
// it verifies again.
func (v *Verify) record(env *Env, expected string, propagating []string, recheck time.Time) error {
	recheckText := ""
	if !recheck.IsZero() {
		recheckText = recheck.UTC().Format(time.RFC3339)
	}
	return errors.Join(
		env.Record(verifiedAt, env.Now().UTC().Format(time.RFC3339)),
		env.Record(propagatingOut, strings.Join(propagating, "; ")),
		env.Record(recheckOut, recheckText),
		env.Record(verifiedDigest, expectedDigest(expected)),
	)
}

// recordLine is one line of the per-record table the step shows.
func recordLine(v checks.RecordVerdict) string {
	auth := "✓"
	if !v.AuthoritativeOK {
		auth = "✗ " + checks.Values(v.Type, v.Served, v.ServedKind)
	}
	asked := len(v.Agreeing) + len(v.Stale) + len(v.Unanswered)
	return fmt.Sprintf("%s %s %s: authoritative %s, resolvers agreeing %d/%d",
		statusMark(v.Result.Status), v.Name, v.Type, auth, len(v.Agreeing), asked)
}

// statusMark is a verdict's sign, as doctor shows it.
func statusMark(s checks.Status) string {
	switch s {
	case checks.Pass:
		return "✓"
	case checks.Warn:
		return "!"
	case checks.Fail:
		return "✗"
	case checks.Skip:
		return "–"
	}
	return "?"
}
