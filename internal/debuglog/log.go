// Package debuglog writes chapterctl's debug log of every run to
// .chapterctl/logs/<time>.log, through a redacting slog handler so that no
// token or password is ever written.
package debuglog

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// fileTimeLayout names log files by their UTC start time; it sorts by time and
// has no characters that any filesystem refuses.
const fileTimeLayout = "20060102T150405Z"

// maxNameAttempts bounds the search for a free file name, so a directory we
// cannot create files in fails instead of looping.
const maxNameAttempts = 1000

// Log is the debug log of one run.
type Log struct {
	Logger *slog.Logger // writes redacted text records at debug level
	Path   string       // the log file

	file *os.File
}

// Open creates dir (0700) if needed and a new log file in it named by now
// (UTC, e.g. 20261102T150405Z.log, or 20261102T150405Z-1.log if that name is
// taken) with mode 0600, and returns a Log whose Logger writes text records at
// debug level through the redacting handler. When mirror is non-nil (the
// --debug flag) the same redacted records are written to it as well.
func Open(dir string, now time.Time, r *Redactor, mirror io.Writer) (*Log, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("debug log: create %s: %w", dir, err)
	}
	f, err := createUnique(dir, now.UTC().Format(fileTimeLayout))
	if err != nil {
		return nil, err
	}

	// Records go straight to the file, unbuffered: the last lines before a
	// crash are the ones a debug log exists for. One handler writes to both
	// destinations so the mirror sees exactly the text in the file.
	var w io.Writer = f
	if mirror != nil {
		w = io.MultiWriter(f, mirror)
	}
	text := slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
	return &Log{
		Logger: slog.New(NewHandler(text, r)),
		Path:   f.Name(),
		file:   f,
	}, nil
}

// createUnique creates dir/base.log, or base-1.log, base-2.log… when runs
// start in the same second. O_EXCL makes the check and the creation one step,
// so two processes can never share a file.
func createUnique(dir, base string) (*os.File, error) {
	for n := 0; n < maxNameAttempts; n++ {
		name := base + ".log"
		if n > 0 {
			name = fmt.Sprintf("%s-%d.log", base, n)
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("debug log: create %s: %w", path, err)
		}
		return f, nil
	}
	return nil, fmt.Errorf("debug log: no free name for %s.log in %s after %d tries", base, dir, maxNameAttempts)
}

// Close flushes the log file to disk and closes it. Records logged after
// Close are dropped.
func (l *Log) Close() error {
	syncErr := l.file.Sync()
	if err := l.file.Close(); err != nil {
		return fmt.Errorf("debug log: close %s: %w", l.Path, err)
	}
	if syncErr != nil {
		return fmt.Errorf("debug log: sync %s: %w", l.Path, syncErr)
	}
	return nil
}

// Discard returns a logger that writes nothing, for read-only commands and
// tests that do not look at the log.
func Discard() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}
