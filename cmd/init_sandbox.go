package cmd

import (
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

// initAnswers finds the chapter's setup: --config FILE, else chapter.yaml in
// the folder. (The wizard, which asks for what is missing, comes with the
// provisioning steps.)
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
		return nil, nil, inputErrorf("no answers to work from: pass --config FILE with the chapter's setup (fields as in chapter.yaml)")
	}
	if err != nil {
		return nil, nil, err
	}
	cfg, err := chapter.Parse(chapter.FileName, data)
	return cfg, data, err
}

// prepareSandbox makes the folder a sandbox chapter: the simulated world,
// the provider tokens it issued (kept in secrets.json, as DESIGN.md says for
// the sandbox), chapter.yaml and the state's sandbox mark. Every part is
// kept if it exists, so a rerun changes nothing.
func prepareSandbox(opts *InitOptions, cfg *chapter.Config, raw []byte) error {
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
	data, err := sandbox.Create(dir, spec, cfg.Domain, opts.F.Now())
	if err != nil {
		return err
	}
	stored, err := secrets.Load(dir.SecretsFile())
	if err != nil {
		return err
	}
	stored[secrets.DigitalOceanToken] = data.Tokens.DigitalOcean
	stored[secrets.GandiToken] = data.Tokens.Gandi
	if err := secrets.Save(dir.SecretsFile(), stored); err != nil {
		return err
	}
	if _, err := os.Stat(dir.ChapterFile()); errors.Is(err, fs.ErrNotExist) {
		if err := atomicfile.Write(dir.ChapterFile(), raw, 0o644); err != nil {
			return fmt.Errorf("write chapter.yaml: %w", err)
		}
	}
	store, st, err := state.Open(dir.StateFile())
	if err != nil {
		return err
	}
	st.Sandbox = true
	return store.Save(st)
}
