package cmd

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/chapterctl/chapterctl/internal/atomicfile"
	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/sandbox"
	"github.com/chapterctl/chapterctl/internal/sandbox/worldfile"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/state"
)

// initAnswers reads the chapter's setup from --config FILE, else from
// chapter.yaml in the folder. Neither: (nil, nil, nil), and the wizard asks.
func initAnswers(opts *InitOptions) (*chapter.Config, []byte, error) {
	path := opts.ConfigFile
	if path == "" {
		path = opts.F.Dir.ChapterFile()
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if opts.ConfigFile != "" {
			return nil, nil, inputErrorf("--config %s: no such file", opts.ConfigFile)
		}
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	cfg, err := chapter.Parse(chapter.FileName, data)
	return cfg, data, err
}

// prepareSandbox makes the folder a sandbox chapter for domain: the
// simulated world, the provider tokens it issued (kept in secrets.json, as
// DESIGN.md says for the sandbox) and the state's sandbox mark. Every part
// is kept if it exists, so a rerun changes nothing.
func prepareSandbox(opts *InitOptions, domain string) error {
	dir := opts.F.Dir
	var spec *worldfile.Spec
	if opts.WorldFile != "" {
		var err error
		if spec, err = worldfile.Read(opts.WorldFile); err != nil {
			return &inputError{msg: err.Error()}
		}
	}
	if err := dir.Ensure(); err != nil {
		return err
	}
	data, err := sandbox.Create(dir, spec, domain, opts.F.Now())
	if err != nil {
		return err
	}
	stored, err := secrets.Load(dir.SecretsFile())
	if err != nil {
		return err
	}
	// The Mailgun key too, so that relay: mailgun works end to end (a
	// world older than the Mailgun simulator has none).
	mailgunKey := cmp.Or(data.Tokens.Mailgun, stored[secrets.MailgunAPIKey])
	if stored[secrets.DigitalOceanToken] != data.Tokens.DigitalOcean || stored[secrets.GandiToken] != data.Tokens.Gandi ||
		stored[secrets.MailgunAPIKey] != mailgunKey {
		stored[secrets.DigitalOceanToken] = data.Tokens.DigitalOcean
		stored[secrets.GandiToken] = data.Tokens.Gandi
		if mailgunKey != "" {
			stored[secrets.MailgunAPIKey] = mailgunKey
		}
		if err := secrets.Save(dir.SecretsFile(), stored); err != nil {
			return err
		}
	}
	store, st, err := state.Open(dir.StateFile())
	if err != nil {
		return err
	}
	st.Sandbox = true
	return store.Save(st)
}

// writeChapter keeps the answers as chapter.yaml, unless the folder has one.
func writeChapter(f *Factory, raw []byte) error {
	if _, err := os.Stat(f.Dir.ChapterFile()); !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := atomicfile.Write(f.Dir.ChapterFile(), raw, 0o644); err != nil {
		return fmt.Errorf("write chapter.yaml: %w", err)
	}
	return nil
}
