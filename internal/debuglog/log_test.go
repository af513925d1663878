package debuglog

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestOpenNamesFileByUTCStartTime(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".chapterctl", "logs")
	now := time.Date(2026, 11, 2, 16, 4, 5, 0, time.FixedZone("CET", 3600))

	l, err := Open(dir, now, NewRedactor(), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer l.Close()

	if want := filepath.Join(dir, "20261102T150405Z.log"); l.Path != want {
		t.Errorf("Path = %q, want %q", l.Path, want)
	}
}

func TestOpenModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("windows has no unix permission bits")
	}
	dir := filepath.Join(t.TempDir(), "logs")
	l, err := Open(dir, time.Now(), NewRedactor(), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer l.Close()

	for path, want := range map[string]os.FileMode{dir: 0o700, l.Path: 0o600} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("mode of %s = %o, want %o", path, got, want)
		}
	}
}

func TestOpenSameSecondMakesDistinctFiles(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)
	want := []string{"20261102T150405Z.log", "20261102T150405Z-1.log", "20261102T150405Z-2.log"}

	for i, name := range want {
		l, err := Open(dir, now, NewRedactor(), nil)
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		l.Logger.Info("run", "n", i)
		if err := l.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
		if got := filepath.Base(l.Path); got != name {
			t.Errorf("Open #%d made %q, want %q", i+1, got, name)
		}
	}

	// Each run kept its own record: no file was reused or truncated.
	for i, name := range want {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(string(data), "msg=run"); got != 1 || !strings.Contains(string(data), "n="+strconv.Itoa(i)) {
			t.Errorf("%s = %q, want exactly the record of run %d", name, data, i)
		}
	}
}

func TestOpenFailsWhenDirIsAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(file, time.Now(), NewRedactor(), nil); err == nil || !strings.HasPrefix(err.Error(), "debug log: ") {
		t.Errorf("Open on a file: err = %v, want a debug log error", err)
	}
}

func TestOpenMirrorGetsSameRedactedText(t *testing.T) {
	var mirror bytes.Buffer
	l, err := Open(t.TempDir(), time.Now(), NewRedactor("mirror-secret-1"), &mirror)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	l.Logger.Debug("dns", "record", "txt=mirror-secret-1", "zone", "example.org")
	l.Logger.With("token", "unregistered").Warn("slow")
	got := readLog(t, l)

	if mirror.String() != got {
		t.Errorf("mirror differs from file:\nmirror: %s\nfile:   %s", mirror.String(), got)
	}
	for _, leak := range []string{"mirror-secret-1", "unregistered"} {
		if strings.Contains(mirror.String(), leak) {
			t.Errorf("mirror contains %q: %s", leak, mirror.String())
		}
	}
	if !strings.Contains(got, "level=DEBUG") || !strings.Contains(got, "zone=example.org") || !strings.Contains(got, Redacted) {
		t.Errorf("log lacks the debug record, its plain attrs or the placeholder: %s", got)
	}
}

func TestDiscard(t *testing.T) {
	l := Discard()
	if l.Enabled(context.Background(), slog.LevelError) {
		t.Error("Discard logger is enabled at Error")
	}
	l.Error("goes nowhere", "token", "x") // must not panic
}
