package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/steps"
)

type PlanOptions struct {
	IO   *ui.IOStreams
	F    *Factory
	JSON bool
}

func NewCmdPlan(f *Factory, runF func(context.Context, *PlanOptions) error) *cobra.Command {
	opts := &PlanOptions{IO: f.IO, F: f}
	c := &cobra.Command{
		Use:   "plan",
		Short: "Show what init or upgrade would change, changing nothing",
		Long: `Show, step by step, what "chapterctl init" or "chapterctl upgrade" would create,
change or remove to make the world match chapter.yaml. Each step looks at the
world as it is; nothing is changed.`,
		Example: `  chapterctl plan
  chapterctl plan --json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return planRun(c.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.JSON, "json", false, "print the plan as JSON")
	return c
}

// planView is the JSON form of a plan.
type planView struct {
	Steps   []plannedStep  `json:"steps"`
	Summary map[string]int `json:"summary"`
	// Versions: a set-up chapter's Cloudron and apps, now and offered.
	Versions []steps.Version `json:"versions,omitempty"`
	// StateMigration: "state schema 1 → 2" when the state file needs one.
	StateMigration string `json:"state_migration,omitempty"`
}

type plannedStep struct {
	ID     string       `json:"id"`
	Title  string       `json:"title"`
	Change steps.Change `json:"change"`
}

func planRun(ctx context.Context, opts *PlanOptions) error {
	// A set-up chapter's plan is upgrade's: the updates, then init's steps.
	run, head, err := openUpgradeRun(ctx, opts.F, "plan", false)
	if err != nil {
		return err
	}
	defer run.Close()
	plans, err := run.Runner.Plan(ctx)
	if err != nil {
		return err
	}
	view := newPlanView(plans)
	view.Versions, view.StateMigration = head.versions, head.migrationJSON()
	if opts.JSON {
		return opts.IO.WriteJSON(view)
	}
	head.print(opts.IO)
	printPlan(opts.IO, view)
	return nil
}

func newPlanView(plans []steps.Planned) planView {
	view := planView{Steps: []plannedStep{}, Summary: map[string]int{}}
	for _, p := range plans {
		view.Steps = append(view.Steps, plannedStep{ID: p.Step.ID(), Title: p.Step.Title(), Change: p.Change})
		for _, item := range p.Change.Items {
			view.Summary[item.Action.String()]++
		}
	}
	return view
}

func printPlan(io *ui.IOStreams, view planView) {
	var rows [][]string
	for _, s := range view.Steps {
		if s.Change.IsEmpty() {
			rows = append(rows, []string{" ", s.ID, "up to date", ""})
		}
		for _, item := range s.Change.Items {
			rows = append(rows, []string{item.Action.Symbol(), s.ID, item.Resource, item.Detail})
		}
	}
	fmt.Fprint(io.Out, io.Table([]string{"", "STEP", "RESOURCE", "DETAIL"}, rows))
	fmt.Fprintln(io.Out, planSummary(view.Summary))
}

// planSummary is the closing line, e.g. "Plan: 2 to create, 1 to update."
func planSummary(counts map[string]int) string {
	phrases := []struct{ action, phrase string }{
		{"create", "to create"}, {"adopt", "to record"}, {"update", "to update"},
		{"replace", "to replace"}, {"delete", "to delete"}, {"check", "to check"}, {"unknown", "not computed"},
	}
	var parts []string
	for _, p := range phrases {
		if n := counts[p.action]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, p.phrase))
		}
	}
	if len(parts) == 0 {
		return "No changes: the world matches chapter.yaml."
	}
	return "Plan: " + strings.Join(parts, ", ") + "."
}
