package cmd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/lock"
)

// errNoChapter: the folder was never set up (or -C points elsewhere).
var errNoChapter = &inputError{msg: `this folder has no chapter.yaml: run "chapterctl init" to create one, or pass -C DIR to work on another folder`}

// loadChapter reads the folder's chapter.yaml, naming it as the user sees it.
func loadChapter(f *Factory) (*chapter.Config, error) {
	data, err := os.ReadFile(f.Dir.ChapterFile())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoChapter
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", chapter.FileName, err)
	}
	return chapter.Parse(chapter.FileName, data)
}

// lockFolder takes the folder lock for a command that changes things.
func lockFolder(f *Factory, command string) (*lock.Lock, error) {
	if err := f.Dir.Ensure(); err != nil {
		return nil, err
	}
	return lock.Acquire(f.Dir.LockFile(), command, f.Now())
}
