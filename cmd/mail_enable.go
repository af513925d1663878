package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/chapterctl/chapterctl/internal/atomicfile"
	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/steps"
)

// mailEnableSteps are the steps `mail enable` runs, in order: the mail
// settings, then the records they need, verified. dns-host
// comes first: a webmail chosen since init needs its A record before
// Cloudron's install of it can finish.
func mailEnableSteps() []steps.Step {
	return []steps.Step{steps.NewDNSHost(), steps.NewMail(), steps.NewDNSRecords(), steps.NewVerify()}
}

func mailEnableRun(ctx context.Context, opts *MailEnableOptions) error {
	f := opts.F
	edit, err := parseMailFlags(opts)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(f.Dir.ChapterFile())
	if errors.Is(err, fs.ErrNotExist) {
		return errNoChapter
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", chapter.FileName, err)
	}
	if _, err := chapter.Parse(chapter.FileName, raw); err != nil {
		return err // the organizer's own file is wrong: say so before adding to it
	}
	edited, err := applyMailEdit(raw, edit)
	if err != nil {
		return &inputError{msg: err.Error()}
	}
	cfg, err := chapter.Parse(chapter.FileName, edited)
	if err != nil {
		return err // a flag made it wrong: the message names the field and the value
	}
	held, err := lockFolder(f, "mail enable")
	if err != nil {
		return err
	}
	defer held.Release()
	conn, err := connectWorld(ctx, f)
	if err != nil {
		return err
	}
	if err := mailgunKey(ctx, opts.F, cfg, conn); err != nil {
		conn.Close()
		return err
	}
	if string(edited) != string(raw) {
		if err := atomicfile.Write(f.Dir.ChapterFile(), edited, 0o644); err != nil {
			conn.Close()
			return fmt.Errorf("write %s: %w", chapter.FileName, err)
		}
	}
	run, err := newStepRun(ctx, f, cfg, "mail enable", mailEnableSteps(), conn)
	if err != nil {
		return err
	}
	defer run.Close()
	run.Runner.HoldsLock = true
	run.Runner.Options = steps.Options{Yes: true, Interactive: opts.IO.CanPrompt()}
	// Running the command is the organizer's yes to the mail changes; DNS
	// records of someone else's still need their explicit consent.
	if err := planAndApply(ctx, opts.IO, run.Runner, true); err != nil {
		return err
	}
	_, st, err := state.Open(f.Dir.StateFile())
	if err != nil {
		return err
	}
	printMailSettings(opts.IO, cfg, st)
	return nil
}
