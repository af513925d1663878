package cmd

import (
	"context"
	"fmt"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/steps"
)

// errNotInitialised: upgrade works on a chapter init has set up.
var errNotInitialised = &inputError{msg: `this chapter is not set up yet: run "chapterctl init" first, then "chapterctl upgrade"`}

// upgradeHead is what upgrade (and plan, for a set-up chapter) shows
// before the plan: the versions now and offered, and the state file's
// migration.
type upgradeHead struct {
	upgrading bool // the chapter is set up: upgrade's steps were planned
	versions  []steps.Version
	migration state.Migration
}

// openUpgradeRun builds the run of upgrade's steps for a set-up chapter,
// else init's (or, with setUpOnly, refuses), and reads its head.
func openUpgradeRun(ctx context.Context, f *Factory, command string, setUpOnly bool) (*stepRun, upgradeHead, error) {
	var head upgradeHead
	cfg, err := loadChapter(f)
	if err != nil {
		return nil, head, err
	}
	// Listed before anything opens the state, which migrates it.
	if head.migration, err = state.PendingMigration(f.Dir.StateFile()); err != nil {
		return nil, head, err
	}
	setUp := requireSetUp(f)
	head.upgrading = setUp == nil
	list := steps.Init()
	switch {
	case head.upgrading:
		list = steps.Upgrade()
	case setUpOnly:
		return nil, head, setUp
	}
	// upgrade holds the lock from its first look to its last change, as
	// init does; plan's runner takes it while it plans.
	release := func() {}
	if setUpOnly {
		held, err := lockFolder(f, command)
		if err != nil {
			return nil, head, err
		}
		release = func() { held.Release() }
	}
	run, err := newStepRun(ctx, f, cfg, command, list, nil)
	if err != nil {
		release()
		return nil, head, err
	}
	run.release, run.Runner.HoldsLock = release, setUpOnly
	if head.upgrading {
		if head.versions, err = run.Runner.Versions(ctx); err != nil {
			run.Close()
			return nil, head, err
		}
	}
	return run, head, nil
}

// requireSetUp refuses a folder whose platform-setup never finished.
func requireSetUp(f *Factory) error {
	_, st, err := state.Open(f.Dir.StateFile())
	if err != nil {
		return err
	}
	if rec, ok := st.Lookup("platform-setup"); !ok || rec.Status != state.Done {
		return errNotInitialised
	}
	return nil
}

func (h upgradeHead) print(io *ui.IOStreams) {
	if !h.upgrading {
		return
	}
	if len(h.versions) > 0 {
		rows := make([][]string, 0, len(h.versions))
		for _, v := range h.versions {
			offered := v.Offered
			if offered == "" {
				offered = "current"
			}
			rows = append(rows, []string{v.Name, v.Now, offered})
		}
		fmt.Fprint(io.Out, io.Table([]string{"COMPONENT", "NOW", "OFFERED"}, rows))
	}
	if !h.migration.Needed() {
		fmt.Fprintf(io.Out, "State file: schema %d, nothing to migrate.\n", h.migration.To)
		return
	}
	fmt.Fprintf(io.Out, "State file: %s (the old file is kept as state.json.schema%d.bak first).\n", h.migration, h.migration.From)
}

// migrationJSON is the plan's "state_migration", "" when none.
func (h upgradeHead) migrationJSON() string {
	if !h.migration.Needed() {
		return ""
	}
	return h.migration.String()
}
