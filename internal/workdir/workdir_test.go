package workdir

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestRelNamesFilesInsideTheFolder(t *testing.T) {
	d := Dir{Root: filepath.FromSlash("/home/maria/chapter")}
	tests := []struct{ path, want string }{
		{d.StateFile(), filepath.FromSlash(".chapterctl/state.json")},
		{d.ChapterFile(), "chapter.yaml"},
		{filepath.FromSlash("/etc/passwd"), filepath.FromSlash("/etc/passwd")},
		{filepath.FromSlash("/home/maria/chapter-other/x"), filepath.FromSlash("/home/maria/chapter-other/x")},
	}
	for _, tt := range tests {
		if got := d.Rel(tt.path); got != tt.want {
			t.Errorf("Rel(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestEnsureCreatesPrivateFolder(t *testing.T) {
	d := Dir{Root: t.TempDir()}
	if d.Exists() {
		t.Fatal("Exists before Ensure")
	}
	if err := d.Ensure(); err != nil {
		t.Fatal(err)
	}
	if !d.Exists() {
		t.Fatal("Exists is false after Ensure")
	}
	if runtime.GOOS == "windows" {
		return
	}
	info, err := os.Stat(d.StateDir())
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o700 {
		t.Errorf("mode = %v, want 0700", info.Mode().Perm())
	}
}
