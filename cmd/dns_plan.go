package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/dnsplan"
	"github.com/chapterctl/chapterctl/steps"
)

// dnsPlanView is `dns plan --json` (docs/dns.md; fields are only added).
type dnsPlanView struct {
	Domain string `json:"domain"`
	// Complete is false before Cloudron is set up: the plan then holds
	// only the conflicts and Gandi's defaults on the names it will need.
	Complete bool             `json:"complete"`
	Changes  []dnsplan.Change `json:"changes"`
}

// planRecords runs the dns-records step's plan under the lock.
func planRecords(ctx context.Context, f *Factory, command string, opts steps.Options) (*stepRun, dnsPlanView, error) {
	cfg, err := loadChapter(f)
	if err != nil {
		return nil, dnsPlanView{}, err
	}
	rec := steps.NewDNSRecords()
	run, err := newStepRun(ctx, f, cfg, command, []steps.Step{rec}, nil)
	if err != nil {
		return nil, dnsPlanView{}, err
	}
	run.Runner.Options = opts
	if _, err := run.Runner.Plan(ctx); err != nil {
		run.Close()
		return nil, dnsPlanView{}, err
	}
	changes, provisional := rec.Changes()
	if changes == nil {
		changes = []dnsplan.Change{}
	}
	return run, dnsPlanView{Domain: cfg.Domain, Complete: !provisional, Changes: changes}, nil
}

func dnsPlanRun(ctx context.Context, opts *DNSPlanOptions) error {
	run, view, err := planRecords(ctx, opts.F, "dns plan", steps.Options{})
	if err != nil {
		return err
	}
	defer run.Close()
	if opts.JSON {
		return opts.IO.WriteJSON(view)
	}
	printRecordChanges(opts.IO, view.Changes)
	if !view.Complete {
		fmt.Fprintln(opts.IO.Out, "Cloudron is not set up yet: only the records in the way are shown; run \"chapterctl init\" to set it up.")
	}
	return nil
}

// printRecordChanges shows a DNS plan as a table, then why each change
// that needs a decision needs it, and a count.
func printRecordChanges(io *ui.IOStreams, changes []dnsplan.Change) {
	var rows [][]string
	counts := map[dnsplan.Action]int{}
	var notes []string
	for _, c := range changes {
		counts[c.Action]++
		after := cellValues(c.Wanted)
		if c.Action == dnsplan.Keep {
			after = "(same)"
		}
		rows = append(rows, []string{string(c.Action), c.Type + " " + c.Name, string(c.Owner), cellValues(c.Current), after})
		if c.Action == dnsplan.Conflict || c.Owner == dnsplan.OwnerGandiDefault && c.Writes() {
			notes = append(notes, fmt.Sprintf("%s %s: %s", c.Type, c.Name, c.Reason))
		}
	}
	fmt.Fprint(io.Out, io.Table([]string{"ACTION", "RECORD SET", "OWNER", "NOW", "AFTER"}, rows))
	for _, n := range notes {
		fmt.Fprintln(io.Out, "  "+n)
	}
	var parts []string
	for _, a := range []dnsplan.Action{dnsplan.Create, dnsplan.Update, dnsplan.Delete, dnsplan.Conflict, dnsplan.Keep} {
		if n := counts[a]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, a))
		}
	}
	if len(parts) == 0 {
		parts = []string{"nothing to do"}
	}
	fmt.Fprintln(io.Out, "DNS: "+strings.Join(parts, ", ")+".")
}

// cellValues is values for a table cell, "-" for none.
func cellValues(values []string) string {
	if len(values) == 0 {
		return "-"
	}
	return dnsplan.Abbrev(values, 40)
}
