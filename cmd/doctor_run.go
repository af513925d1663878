package cmd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/checks"
	"github.com/chapterctl/chapterctl/cmd/ui"
)

// doctorTimeout bounds a check that names no timeout of its own.
const doctorTimeout = 20 * time.Second

// doctorView is `doctor --json` (DESIGN.md; stable: add, never rename).
type doctorView struct {
	Checks  []doctorCheck  `json:"checks"`
	Summary map[string]int `json:"summary"`
}

type doctorCheck struct {
	ID           string     `json:"id"`
	Status       string     `json:"status"`
	Title        string     `json:"title"`
	Area         string     `json:"area"`
	Detail       string     `json:"detail"`
	Fix          string     `json:"fix"`
	Cause        *string    `json:"cause"`
	RecheckAfter *time.Time `json:"recheck_after"`
	Impact       string     `json:"impact,omitempty"`
	DurationMS   int64      `json:"duration_ms"`
}

func doctorRun(ctx context.Context, opts *DoctorOptions) error {
	if opts.List {
		return doctorList(opts)
	}
	// A wrong --check is a usage error, told before anything is reached.
	if _, err := selectChecks(checks.All(nil), opts.Checks); err != nil {
		return err
	}
	conn, release, err := doctorConnect(ctx, opts.F)
	if err != nil {
		return err
	}
	defer release()
	env, exps, err := doctorEnv(opts.F, conn)
	if err != nil {
		return err
	}
	list, err := selectChecks(checks.All(exps), opts.Checks)
	if err != nil {
		return err
	}
	if !opts.JSON {
		env.Waiting = func(c checks.Check, waited time.Duration) {
			fmt.Fprintf(opts.IO.ErrOut, "still waiting on %s (%s)…\n", c.ID(), waited.Round(time.Second))
		}
	}
	ran := checks.Fold(checks.Run(ctx, env, list, doctorTimeout))
	view := newDoctorView(checks.Arrange(ran))
	if opts.JSON {
		if err := opts.IO.WriteJSON(view); err != nil {
			return err
		}
	} else {
		printDoctor(opts.IO, ran, view, opts.F.Now())
	}
	return doctorOutcome(view, opts.Strict)
}

// selectChecks keeps the ids asked for with --check, and the checks they
// depend on (their verdicts explain the asked ones'), in list order.
func selectChecks(all []checks.Check, ids []string) ([]checks.Check, error) {
	if len(ids) == 0 {
		return all, nil
	}
	byID := map[string]checks.Check{}
	for _, c := range all {
		byID[c.ID()] = c
	}
	keep := map[string]bool{}
	var add func(id string)
	add = func(id string) {
		if keep[id] {
			return
		}
		keep[id] = true
		if d, ok := byID[id].(interface{ DependsOn() []string }); ok {
			for _, dep := range d.DependsOn() {
				add(dep)
			}
		}
	}
	for _, id := range ids {
		if _, ok := byID[id]; !ok {
			return nil, inputErrorf(`doctor has no check %q: "chapterctl doctor --list" lists the ids`, id)
		}
		add(id)
	}
	var out []checks.Check
	for _, c := range all {
		if keep[c.ID()] {
			out = append(out, c)
		}
	}
	return out, nil
}

func newDoctorView(outcomes []checks.Outcome) doctorView {
	view := doctorView{Checks: []doctorCheck{}, Summary: map[string]int{"pass": 0, "warn": 0, "fail": 0, "skip": 0, "unknown": 0}}
	for _, o := range outcomes {
		r := o.Result
		c := doctorCheck{ID: o.Check.ID(), Status: string(r.Status), Title: o.Check.Title(), Area: checks.AreaOf(o.Check),
			Detail: r.Detail, Fix: r.Fix, RecheckAfter: timeOrNil(r.RecheckAfter), DurationMS: o.Took.Milliseconds()}
		if r.Cause != "" {
			cause := r.Cause
			c.Cause = &cause
		}
		if r.Status == checks.Fail {
			c.Impact = checks.Impact(o.Check)
		}
		view.Summary[c.Status]++
		view.Checks = append(view.Checks, c)
	}
	return view
}

// doctorOutcome: exit 1 on any fail; --strict also on warn and unknown.
func doctorOutcome(view doctorView, strict bool) error {
	fails := view.Summary["fail"]
	if fails > 0 {
		return fmt.Errorf("doctor found %d %s; each says how to fix it", fails, plural(fails, "problem", "problems"))
	}
	if strict && view.Summary["warn"]+view.Summary["unknown"] > 0 {
		return fmt.Errorf("doctor found %d warnings and %d checks that could not tell (--strict)", view.Summary["warn"], view.Summary["unknown"])
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func doctorList(opts *DoctorOptions) error {
	rows := [][]string{}
	for _, c := range checks.All(nil) {
		rows = append(rows, []string{c.ID(), checks.AreaOf(c), c.Title()})
	}
	fmt.Fprint(opts.IO.Out, opts.IO.Table([]string{"ID", "AREA", "TITLE"}, rows))
	return nil
}

func doctorMark(s checks.Status) ui.Mark {
	switch s {
	case checks.Pass:
		return ui.MarkOK
	case checks.Warn:
		return ui.MarkWarn
	case checks.Fail:
		return ui.MarkFail
	case checks.Skip:
		return ui.MarkPending
	}
	return ui.MarkUnknown
}

// printDoctor shows problems first, each root cause with who it hurts
// and what follows from it, then every check by area in the list's fixed
// order.
func printDoctor(io *ui.IOStreams, ran []checks.Outcome, view doctorView, now time.Time) {
	outcomes := checks.Arrange(slices.Clone(ran))
	line := func(o checks.Outcome, indent string) {
		r := o.Result
		fmt.Fprintf(io.Out, "%s%s %s — %s\n", indent, io.Mark(doctorMark(r.Status)), o.Check.ID(), r.Detail)
		if r.Fix != "" && r.Status != checks.Pass {
			fmt.Fprintf(io.Out, "%s    fix: %s\n", indent, r.Fix)
		}
		if !r.RecheckAfter.IsZero() {
			fmt.Fprintf(io.Out, "%s    recheck after %s\n", indent, checks.ClockTime(r.RecheckAfter, now))
		}
	}
	problems := 0
	for _, o := range outcomes {
		if o.Result.Cause != "" || o.Result.Status == checks.Pass || o.Result.Status == checks.Skip {
			continue
		}
		if problems == 0 {
			fmt.Fprintln(io.Out, io.Bold("Problems"))
		}
		problems++
		if imp := checks.Impact(o.Check); imp != "" && o.Result.Status == checks.Fail {
			fmt.Fprintf(io.Out, "%s:\n", strings.ToUpper(imp[:1])+imp[1:])
		}
		line(o, "")
		var follow []string
		for _, f := range outcomes {
			if f.Result.Cause == o.Check.ID() {
				follow = append(follow, f.Check.ID())
			}
		}
		if len(follow) > 0 {
			fmt.Fprintf(io.Out, "    this also explains %d other %s: %s\n", len(follow), plural(len(follow), "check", "checks"), strings.Join(follow, ", "))
		}
	}
	if problems > 0 {
		fmt.Fprintln(io.Out)
	}
	var areas []string
	for _, o := range outcomes {
		if a := checks.AreaOf(o.Check); !slices.Contains(areas, a) {
			areas = append(areas, a)
		}
	}
	for _, area := range []string{checks.AreaChapterctl, checks.AreaDNS, checks.AreaServer, checks.AreaPlatform, checks.AreaTLS, checks.AreaMail, checks.AreaChat} {
		if !slices.Contains(areas, area) {
			continue
		}
		fmt.Fprintln(io.Out, io.Bold(area))
		for _, o := range ran {
			if checks.AreaOf(o.Check) != area {
				continue
			}
			r := o.Result
			text := o.Check.Title()
			switch {
			case r.Cause != "":
				text += " — follows from " + r.Cause
			case r.Status == checks.Pass || r.Status == checks.Skip:
				text += " — " + r.Detail
			default:
				text += " — see above"
			}
			fmt.Fprintf(io.Out, "  %s %s (%s)\n", io.Mark(doctorMark(r.Status)), text, o.Check.ID())
		}
	}
	s := view.Summary
	roots := 0
	for _, c := range view.Checks {
		if c.Status == "fail" && c.Cause == nil {
			roots++
		}
	}
	var recheck time.Time
	for _, o := range outcomes {
		if o.Result.RecheckAfter.After(recheck) {
			recheck = o.Result.RecheckAfter
		}
	}
	summary := fmt.Sprintf("%d passed, %d %s (%d root %s), %d %s, %d couldn't tell, %d skipped",
		s["pass"], s["fail"], plural(s["fail"], "problem", "problems"), roots, plural(roots, "cause", "causes"),
		s["warn"], plural(s["warn"], "warning", "warnings"), s["unknown"], s["skip"])
	if !recheck.IsZero() {
		summary += " — recheck after " + checks.ClockTime(recheck, now)
	}
	fmt.Fprintf(io.Out, "\n%s\n", summary)
}
