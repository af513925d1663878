// Package workdir names the files of a chapter folder, so that no other package
// spells a path such as ".chapterctl/state.json" itself.
package workdir

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Hidden is the folder that holds chapterctl's own files.
const Hidden = ".chapterctl"

// Dir is a chapter folder: chapter.yaml plus .chapterctl/.
type Dir struct{ Root string }

func (d Dir) hidden(name ...string) string {
	return filepath.Join(append([]string{d.Root, Hidden}, name...)...)
}

func (d Dir) ChapterFile() string { return filepath.Join(d.Root, "chapter.yaml") }
func (d Dir) StateDir() string    { return d.hidden() }
func (d Dir) StateFile() string   { return d.hidden("state.json") }
func (d Dir) LockFile() string    { return d.hidden("lock") }
func (d Dir) SecretsFile() string { return d.hidden("secrets.json") }
func (d Dir) KeyFile() string     { return d.hidden("id_ed25519") }
func (d Dir) KnownHosts() string  { return d.hidden("known_hosts") }
func (d Dir) BackupsDir() string  { return d.hidden("backups") }
func (d Dir) LogsDir() string     { return d.hidden("logs") }
func (d Dir) SandboxDir() string  { return d.hidden("sandbox") }

// Rel shows path relative to the chapter folder when it is inside it, which is
// how messages name files to the person who ran the command there.
func (d Dir) Rel(path string) string {
	rel, err := filepath.Rel(d.Root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}

// Ensure creates .chapterctl (0700: it holds secrets) if it does not exist.
func (d Dir) Ensure() error {
	if err := os.MkdirAll(d.StateDir(), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", d.Rel(d.StateDir()), err)
	}
	return nil
}

// Exists tells whether .chapterctl exists, i.e. whether chapterctl ever changed
// anything here. Read-only commands use it to avoid creating the folder.
func (d Dir) Exists() bool {
	info, err := os.Stat(d.StateDir())
	return err == nil && info.IsDir()
}
