package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/dnsplan"
	"github.com/chapterctl/chapterctl/steps"
)

func dnsApplyRun(ctx context.Context, opts *DNSApplyOptions) error {
	for _, r := range opts.Replace {
		if name, typ, ok := strings.Cut(r, "/"); !ok || name == "" || typ == "" || strings.Contains(typ, "/") {
			return inputErrorf("--replace %q is not NAME/TYPE: name the record set as the plan shows it, e.g. --replace @/MX", r)
		}
	}
	if opts.Restore != "" {
		return dnsRestoreRun(ctx, opts)
	}
	if !opts.Yes && !opts.IO.CanPrompt() {
		return inputErrorf(`dns apply changes the zone at Gandi: review "chapterctl dns plan", then rerun with --yes ` +
			"(records that are not chapterctl's still need --replace NAME/TYPE)")
	}
	run, view, err := planRecords(ctx, opts.F, "dns apply", steps.Options{Yes: opts.Yes, Replace: opts.Replace, Interactive: opts.IO.CanPrompt()})
	if err != nil {
		return err
	}
	defer run.Close()
	if !view.Complete {
		return inputErrorf(`Cloudron is not set up yet, so the records it expects are unknown: run "chapterctl init" first`)
	}
	printRecordChanges(opts.IO, view.Changes)
	if !opts.Yes {
		if err := confirmRecords(opts.IO, run.Runner, view); err != nil {
			return err
		}
	}
	return run.Runner.Apply(ctx)
}

// confirmRecords asks about each conflict, one by one, then about the
// whole plan; a yes to the plan consents to Gandi's defaults as --yes does.
func confirmRecords(io *ui.IOStreams, runner *steps.Runner, view dnsPlanView) error {
	for _, c := range view.Changes {
		if c.Action != dnsplan.Conflict {
			continue
		}
		ok, err := io.Prompter().Confirm(fmt.Sprintf("Replace %s?", c.Key), c.Reason, false)
		if err != nil {
			return err
		}
		if ok {
			runner.Options.Replace = append(runner.Options.Replace, c.Key.String())
		}
	}
	ok, err := io.Prompter().Confirm("Write these records at Gandi?", "the zone is backed up first", false)
	if err != nil {
		return err
	}
	if !ok {
		return ui.ErrCancelled
	}
	runner.Options.Yes = true
	return nil
}
