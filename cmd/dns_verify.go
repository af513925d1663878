package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/checks"
	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/steps"
)

// dnsVerifyView is the JSON shape of `dns verify --json` (stable: fields
// may be added, never renamed). Statuses are doctor's: pass, warn (the
// authoritative servers serve it, a resolver still has an old answer),
// fail, unknown (a server gave no answer).
type dnsVerifyView struct {
	Domain       string             `json:"domain"`
	CheckedAt    time.Time          `json:"checked_at"`
	Records      []dnsVerifyRecord  `json:"records"`
	Summary      map[string]int     `json:"summary"`
	RecheckAfter *time.Time         `json:"recheck_after"`
	Propagating  []dnsVerifyPending `json:"propagating"`
}

type dnsVerifyRecord struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Status string   `json:"status"`
	Want   []string `json:"want"`
	// Served is what a wrong authoritative server serves (absent when
	// they are right); Answer is how it answered (found, NXDOMAIN, no
	// data, timeout…).
	Served        []string   `json:"served,omitempty"`
	Answer        string     `json:"answer,omitempty"`
	Authoritative bool       `json:"authoritative_ok"`
	Agreeing      []string   `json:"resolvers_agreeing"`
	Unanswered    []string   `json:"resolvers_unanswered"`
	Detail        string     `json:"detail"`
	Fix           string     `json:"fix,omitempty"`
	RecheckAfter  *time.Time `json:"recheck_after"`
}

// dnsVerifyPending is one resolver still serving an old answer.
type dnsVerifyPending struct {
	Name     string    `json:"name"`
	Type     string    `json:"type"`
	Resolver string    `json:"resolver"`
	Serves   []string  `json:"serves"`
	Until    time.Time `json:"until"`
}

// dnsVerifyRun asks the domain's authoritative servers, then the public
// resolvers where those serve a record, about every record set of the
// list dns-records recorded, once. It changes nothing, but takes the
// folder lock as plan does: in the sandbox it runs the world, which it
// saves when it stops, and a verify must not read a zone halfway through
// another chapterctl's writes.
func dnsVerifyRun(ctx context.Context, opts *DNSVerifyOptions) error {
	cfg, err := loadChapter(opts.F)
	if err != nil {
		return err
	}
	held, err := lockFolder(opts.F, "dns verify")
	if err != nil {
		return err
	}
	defer held.Release()
	_, st, err := state.Open(opts.F.Dir.StateFile())
	if err != nil {
		return err
	}
	exps, err := steps.ParseExpected(st.Output("dns-records", "expected"))
	if errors.Is(err, steps.ErrNoExpected) {
		return &inputError{msg: err.Error()}
	}
	if err != nil {
		return err
	}
	conn, err := connectWorld(ctx, opts.F)
	if err != nil {
		return err
	}
	defer conn.Close()
	now := opts.F.Now()
	verdicts, err := checks.VerifyRecords(ctx, &dnsq.Querier{Dialer: conn.Dialer}, cfg.Domain, exps, now)
	if err != nil {
		return err
	}
	view := newDNSVerifyView(cfg.Domain, verdicts, now)
	if opts.JSON {
		if err := opts.IO.WriteJSON(view); err != nil {
			return err
		}
	} else {
		printDNSVerify(opts.IO, view, now)
	}
	return dnsVerifyOutcome(view)
}

func newDNSVerifyView(domain string, verdicts []checks.RecordVerdict, now time.Time) dnsVerifyView {
	view := dnsVerifyView{Domain: domain, CheckedAt: now.UTC(), Records: []dnsVerifyRecord{}, Propagating: []dnsVerifyPending{},
		Summary: map[string]int{"pass": 0, "warn": 0, "fail": 0, "unknown": 0}}
	for _, v := range verdicts {
		rec := dnsVerifyRecord{Name: v.Name, Type: v.Type, Status: string(v.Result.Status), Want: v.Want, Authoritative: v.AuthoritativeOK,
			Agreeing: nonNil(v.Agreeing), Unanswered: nonNil(v.Unanswered), Detail: v.Result.Detail, Fix: v.Result.Fix,
			RecheckAfter: timeOrNil(v.Result.RecheckAfter)}
		if !v.AuthoritativeOK {
			rec.Served, rec.Answer = nonNil(v.Served), v.ServedKind
		}
		for _, s := range v.Stale {
			view.Propagating = append(view.Propagating, dnsVerifyPending{Name: v.Name, Type: v.Type, Resolver: s.Resolver,
				Serves: nonNil(s.Serves), Until: s.Until.UTC()})
		}
		if r := v.Result.RecheckAfter; !r.IsZero() && (view.RecheckAfter == nil || r.After(*view.RecheckAfter)) {
			view.RecheckAfter = timeOrNil(r)
		}
		view.Summary[rec.Status]++
		view.Records = append(view.Records, rec)
	}
	return view
}

func printDNSVerify(io *ui.IOStreams, view dnsVerifyView, now time.Time) {
	rows := make([][]string, len(view.Records))
	for i, r := range view.Records {
		auth := "✓"
		if !r.Authoritative {
			auth = "✗ " + checks.Values(r.Type, r.Served, r.Answer) + ", want " + checks.Values(r.Type, r.Want, "nothing")
		}
		resolvers := ""
		if r.Authoritative {
			asked := len(r.Agreeing) + len(r.Unanswered)
			for _, p := range view.Propagating {
				if p.Name == r.Name && p.Type == r.Type {
					asked++
				}
			}
			resolvers = fmt.Sprintf("%d/%d agree", len(r.Agreeing), asked)
		}
		if r.RecheckAfter != nil {
			resolvers += ", recheck after " + checks.ClockTime(*r.RecheckAfter, now)
		}
		rows[i] = []string{io.Mark(statusMark(r.Status)), r.Name, r.Type, auth, resolvers}
	}
	fmt.Fprint(io.Out, io.Table([]string{"", "NAME", "TYPE", "AUTHORITATIVE", "PUBLIC RESOLVERS"}, rows))
	for _, p := range view.Propagating {
		fmt.Fprintf(io.Out, "still propagating: %s %s at %s, recheck after %s\n", p.Name, p.Type, p.Resolver, checks.ClockTime(p.Until, now))
	}
	total := len(view.Records)
	switch bad := view.Summary["fail"] + view.Summary["unknown"]; {
	case bad > 0:
		fmt.Fprintf(io.Out, "%d of %d record sets are not served as the chapter needs.\n", bad, total)
	case view.Summary["warn"] > 0:
		fmt.Fprintf(io.Out, "All %d record sets are served by the authoritative servers; some public resolvers catch up by %s.\n",
			total, checks.ClockTime(*view.RecheckAfter, now))
	default:
		fmt.Fprintf(io.Out, "All %d record sets are served by the authoritative servers and the public resolvers.\n", total)
	}
}

// dnsVerifyOutcome is exit 1 when any record set is wrong at the
// authoritative servers, or could not be checked there: one sentence
// naming each, with what is served against what is wanted.
func dnsVerifyOutcome(view dnsVerifyView) error {
	var wrong, unknown []string
	for _, r := range view.Records {
		switch r.Status {
		case string(checks.Fail):
			wrong = append(wrong, fmt.Sprintf("%s %s (serves %s, want %s)", r.Name, r.Type,
				checks.Values(r.Type, r.Served, r.Answer), checks.Values(r.Type, r.Want, "nothing")))
		case string(checks.Unknown):
			unknown = append(unknown, fmt.Sprintf("%s %s (%s)", r.Name, r.Type, r.Answer))
		}
	}
	var parts []string
	if len(wrong) > 0 {
		parts = append(parts, fmt.Sprintf("%d record sets are wrong at the authoritative servers: %s; run \"chapterctl dns apply\" to write them",
			len(wrong), strings.Join(wrong, ", ")))
	}
	if len(unknown) > 0 {
		parts = append(parts, fmt.Sprintf("the authoritative servers gave no answer for %s; check the network, then run \"chapterctl dns verify\" again",
			strings.Join(unknown, ", ")))
	}
	if len(parts) == 0 {
		return nil
	}
	return errors.New(strings.Join(parts, "; "))
}

func statusMark(status string) ui.Mark {
	switch checks.Status(status) {
	case checks.Pass:
		return ui.MarkOK
	case checks.Warn:
		return ui.MarkWarn
	case checks.Fail:
		return ui.MarkFail
	}
	return ui.MarkUnknown
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// nonNil keeps JSON lists as [] rather than null, so scripts can iterate.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
