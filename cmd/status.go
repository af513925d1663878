package cmd

import (
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/steps"
)

type StatusOptions struct {
	IO   *ui.IOStreams
	F    *Factory
	JSON bool
}

func NewCmdStatus(f *Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IO, F: f}
	c := &cobra.Command{
		Use:   "status",
		Short: "Show each step and where the chapter stands",
		Long: `Show each step of the setup and its state (done, pending or failed), as the
last run recorded it. It reads the saved files only: it takes no lock, changes
nothing, and works while another chapterctl is running.`,
		Example: `  chapterctl status
  chapterctl status --json | jq '.steps[] | select(.state != "done")'`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return statusRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.JSON, "json", false, "print the status as JSON")
	return c
}

// statusView is the JSON contract of `status --json`; fields may be added,
// never renamed.
type statusView struct {
	Sandbox bool               `json:"sandbox"`
	Domain  string             `json:"domain,omitempty"`
	Steps   []steps.StepStatus `json:"steps"`
}

func statusRun(opts *StatusOptions) error {
	_, st, err := state.Open(opts.F.Dir.StateFile())
	if err != nil {
		return err
	}
	view := statusView{Sandbox: st.Sandbox, Steps: steps.Statuses(statusOutline(st), st)}
	cfg, cfgErr := loadChapter(opts.F)
	if cfgErr == nil {
		view.Domain = cfg.Domain
	}
	if opts.JSON {
		return opts.IO.WriteJSON(view)
	}

	out := opts.IO.Out
	switch {
	case errors.Is(cfgErr, errNoChapter) && !opts.F.Dir.Exists():
		fmt.Fprintln(out, `No chapter here yet: run "chapterctl init" to set one up.`)
	case cfgErr != nil:
		// Status still shows the steps; the broken file is for plan/init to refuse.
		fmt.Fprintf(opts.IO.ErrOut, "Warning: %v\n", cfgErr)
	default:
		where := "DigitalOcean and Gandi"
		if st.Sandbox {
			where = "the sandbox"
		}
		fmt.Fprintf(out, "Chapter %s (server %s) on %s\n", cfg.Domain, cfg.Hostname(), where)
	}
	rows := make([][]string, len(view.Steps))
	done := 0
	for i, s := range view.Steps {
		rows[i] = []string{opts.IO.Mark(stateMark(s.State)), s.ID, s.State, s.Detail}
		if s.State == string(state.Done) {
			done++
		}
	}
	fmt.Fprint(out, opts.IO.Table([]string{"", "STEP", "STATE", "DETAIL"}, rows))
	fmt.Fprintf(out, "%d of %d steps done.\n", done, len(view.Steps))
	return nil
}

// statusOutline is init's steps, then upgrade's own steps once an upgrade
// has recorded them: a chapter never upgraded shows init's ten.
func statusOutline(st *state.State) []steps.Outline {
	list := slices.Clone(steps.Order)
	for _, s := range steps.Updates() {
		if _, ok := st.Lookup(s.ID()); ok {
			list = append(list, steps.Outline{ID: s.ID(), Title: s.Title()})
		}
	}
	return list
}

func stateMark(s string) ui.Mark {
	switch state.Status(s) {
	case state.Done:
		return ui.MarkOK
	case state.Failed:
		return ui.MarkFail
	}
	return ui.MarkPending
}
