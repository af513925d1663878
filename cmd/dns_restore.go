package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/dnsplan"
	"github.com/chapterctl/chapterctl/internal/gandi"
)

// dnsRestoreRun makes the zone equal to a backup: the zone as it is now
// backed up first, then each record set of the backup that differs put
// back and each set the backup lacks deleted (docs/dns.md).
func dnsRestoreRun(ctx context.Context, opts *DNSApplyOptions) error {
	cfg, err := loadChapter(opts.F)
	if err != nil {
		return err
	}
	path := opts.Restore
	if !filepath.IsAbs(path) {
		path = filepath.Join(opts.F.Dir.Root, path) // -C DIR: as if run there
	}
	backup, err := readBackup(path, cfg.Domain)
	if err != nil {
		return err
	}
	if !opts.Yes && !opts.IO.CanPrompt() {
		return inputErrorf("restoring rewrites the zone of %s at Gandi: rerun with --yes to put %s back", cfg.Domain, opts.Restore)
	}
	held, err := lockFolder(opts.F, "dns apply")
	if err != nil {
		return err
	}
	defer held.Release()
	run, err := newStepRun(ctx, opts.F, cfg, "dns apply", nil, nil)
	if err != nil {
		return err
	}
	defer run.Close()
	client := run.Runner.Providers.Gandi
	zone, err := client.Zone(ctx, cfg.Domain)
	if err != nil {
		return err
	}
	changes := dnsplan.RestoreChanges(cfg.Domain, backup, zone)
	if len(changes) == 0 {
		fmt.Fprintf(opts.IO.Out, "The zone of %s already matches %s: nothing to restore.\n", cfg.Domain, opts.Restore)
		return nil
	}
	printRecordChanges(opts.IO, changes)
	if !opts.Yes {
		ok, err := opts.IO.Prompter().Confirm("Put the zone back as the backup has it?", "the zone as it is now is backed up first", false)
		if err != nil {
			return err
		}
		if !ok {
			return ui.ErrCancelled
		}
	}
	saved, err := client.Backup(ctx, cfg.Domain, opts.F.Dir.BackupsDir(), opts.F.Now())
	if err != nil {
		return fmt.Errorf("back up the zone before restoring: %w", err)
	}
	fmt.Fprintf(opts.IO.Out, "The zone as it was is saved in %s.\n", opts.F.Dir.Rel(saved))
	for _, c := range changes {
		expect := c.Have
		if c.Action == dnsplan.Delete {
			err = client.DeleteRRSet(ctx, cfg.Domain, c.Key.Name, c.Key.Type, &expect)
		} else {
			err = client.PutRRSet(ctx, cfg.Domain, c.Write, &expect)
		}
		if err != nil {
			return fmt.Errorf("restore %s: %w", c.Key, err)
		}
	}
	fmt.Fprintf(opts.IO.Out, "Restored %d record sets of %s from %s.\n", len(changes), cfg.Domain, opts.Restore)
	return nil
}

// readBackup reads and checks a backup of domain's zone.
func readBackup(path, domain string) ([]gandi.RRSet, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, inputErrorf("--restore %s: no such file; the backups are in .chapterctl/backups", filepath.Base(path))
	}
	if err != nil {
		return nil, err
	}
	if !gandi.IsBackupOf(filepath.Base(path), domain) {
		return nil, inputErrorf("--restore %s is not a backup of %s: chapterctl names them <time>-%s.json in .chapterctl/backups", path, domain, domain)
	}
	zone, err := dnsplan.ParseBackup(raw)
	if err != nil {
		return nil, inputErrorf("--restore %s is not a zone backup: %v", path, err)
	}
	return zone, nil
}
