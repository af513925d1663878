// Package sandbox assembles the simulated world: it creates and loads the
// world of a sandbox chapter folder, starts every simulator on loopback, and
// hands the product a dialer and the roots to trust. The product code is the
// same in both modes; only what this package gives it differs.
package sandbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/sandbox/worldfile"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// Files of the sandbox folder, .chapterctl/sandbox.
func worldPath(dir workdir.Dir) string   { return filepath.Join(dir.SandboxDir(), "world.json") }
func journalPath(dir workdir.Dir) string { return filepath.Join(dir.SandboxDir(), "journal.jsonl") }

// JournalPath is where the world's request journal is kept.
func JournalPath(dir workdir.Dir) string { return journalPath(dir) }

// ErrNoWorld: the folder is not a sandbox chapter.
var ErrNoWorld = errors.New(`this folder has no sandbox world: run "chapterctl init --sandbox" to make one`)

// Exists tells whether the folder has a sandbox world.
func Exists(dir workdir.Dir) bool {
	_, err := os.Stat(worldPath(dir))
	return err == nil
}

// Create builds a new world for a chapter at chapterDomain from spec (nil:
// the default world) and saves it. An existing world is kept: it is the
// truth of a sandbox chapter, as the real providers are of a real one.
func Create(dir workdir.Dir, spec *worldfile.Spec, chapterDomain string, now time.Time) (*world.Data, error) {
	if Exists(dir) {
		return Load(dir)
	}
	data, err := worldfile.Build(spec, chapterDomain, now)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir.SandboxDir(), 0o700); err != nil {
		return nil, fmt.Errorf("create the sandbox folder: %w", err)
	}
	if err := world.New(data, worldPath(dir), world.Options{}).Save(); err != nil {
		return nil, fmt.Errorf("save the sandbox world: %w", err)
	}
	return data, nil
}

// Load reads the world as last saved, without starting anything: for the
// read-only commands.
func Load(dir workdir.Dir) (*world.Data, error) {
	data, err := world.Load(worldPath(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoWorld
	}
	return data, err
}
