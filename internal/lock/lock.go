// Package lock keeps one changing chapterctl process at a time per chapter folder.
//
// The lock is an OS file lock (gofrs/flock), so it is released by the kernel when
// its holder dies: a killed run never leaves a stale lock. Beside it, an info file
// says who holds it, so a refused process can name the holder.
package lock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/chapterctl/chapterctl/internal/atomicfile"
)

// Info describes the holder of a lock.
type Info struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Host    string    `json:"host"`
	Since   time.Time `json:"since"`
}

// HeldError reports that another process holds the lock.
type HeldError struct {
	Holder *Info // nil when the holder could not be read
}

func (e *HeldError) Error() string {
	if e.Holder == nil {
		return "another chapterctl process is working in this folder; wait for it to finish"
	}
	return fmt.Sprintf("another chapterctl process (pid %d, %q, since %s) is working in this folder; wait for it to finish",
		e.Holder.PID, e.Holder.Command, e.Holder.Since.Local().Format("15:04:05"))
}

// Lock is a held folder lock.
type Lock struct {
	file     *flock.Flock
	infoPath string
}

// Acquire takes the lock at path without waiting, recording command as what the
// holder is doing. It returns a *HeldError when another process holds it.
func Acquire(path, command string, now time.Time) (*Lock, error) {
	file := flock.New(path, flock.SetPermissions(0o600))
	locked, err := file.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	infoPath := path + ".info"
	if !locked {
		return nil, &HeldError{Holder: readInfo(infoPath)}
	}
	host, _ := os.Hostname()
	info, err := json.Marshal(Info{PID: os.Getpid(), Command: command, Host: host, Since: now.UTC()})
	if err == nil {
		err = atomicfile.Write(infoPath, info, 0o600)
	}
	if err != nil {
		file.Unlock()
		return nil, fmt.Errorf("lock %s: record holder: %w", path, err)
	}
	return &Lock{file: file, infoPath: infoPath}, nil
}

// Release removes the holder record and frees the lock.
func (l *Lock) Release() error {
	removeErr := os.Remove(l.infoPath)
	if errors.Is(removeErr, os.ErrNotExist) {
		removeErr = nil
	}
	return errors.Join(removeErr, l.file.Unlock())
}

// readInfo returns nil when the info cannot be read: the holder may be between
// taking the lock and writing it, and the refusal stands either way.
func readInfo(path string) *Info {
	data, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return nil
	}
	var info Info
	if json.Unmarshal(data, &info) != nil || info.PID == 0 {
		return nil
	}
	return &info
}
