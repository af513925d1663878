package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/lock"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

func runIn(t *testing.T, dir string, extend func(*cobra.Command), args ...string) (code int, stdout, stderr string) {
	return runInEnv(t, dir, nil, extend, args...)
}

// runInEnv is runIn with environment variables.
func runInEnv(t *testing.T, dir string, env map[string]string, extend func(*cobra.Command), args ...string) (code int, stdout, stderr string) {
	t.Helper()
	io, _, out, errOut := ui.Test()
	f := &Factory{IO: io, Now: time.Now, Getenv: func(k string) string { return env[k] }}
	root := NewCmdRoot(f)
	if extend != nil {
		extend(root)
	}
	code = run(context.Background(), f, root, append([]string{"-C", dir}, args...))
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	validChapter := "domain: redrockdsa.org\norganizer: {username: maria, email: maria@example.net}\nregion: nyc3\nsize: s-2vcpu-4gb\n"
	tests := []struct {
		name     string
		chapter  string
		state    string
		args     []string
		want     int
		inStderr string
	}{
		{name: "version", args: []string{"version"}, want: 0},
		{name: "unknown command", args: []string{"bogus"}, want: 2, inStderr: `unknown command "bogus"`},
		{name: "unknown flag", args: []string{"status", "--bogus"}, want: 2, inStderr: "chapterctl status --help"},
		{name: "extra argument", args: []string{"status", "now"}, want: 2},
		{name: "bad shell", args: []string{"completion", "tcsh"}, want: 2},
		{name: "unknown doctor check", args: []string{"doctor", "--check", "no.such"}, want: 2, inStderr: "chapterctl doctor --list"},
		{name: "plan without chapter", args: []string{"plan"}, want: 2, inStderr: `run "chapterctl init"`},
		{name: "bad chapter", chapter: "domain: Bad_Domain\n", args: []string{"plan"}, want: 2, inStderr: "chapter.yaml line 1"},
		{name: "plan without tokens", chapter: validChapter, args: []string{"plan"}, want: 2, inStderr: "set DIGITALOCEAN_ACCESS_TOKEN"},
		{name: "corrupt state", state: "{", args: []string{"status"}, want: 2, inStderr: "left untouched"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.chapter != "" {
				os.WriteFile(filepath.Join(dir, "chapter.yaml"), []byte(tt.chapter), 0o644)
			}
			if tt.state != "" {
				d := workdir.Dir{Root: dir}
				d.Ensure()
				os.WriteFile(d.StateFile(), []byte(tt.state), 0o600)
			}
			code, _, stderr := runIn(t, dir, nil, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
			if !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.inStderr)
			}
		})
	}
}

func TestLockedFolderExitsThree(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "chapter.yaml"), []byte("domain: redrockdsa.org\norganizer: {username: maria, email: maria@example.net}\nregion: nyc3\nsize: s-2vcpu-4gb\n"), 0o644)
	d := workdir.Dir{Root: dir}
	d.Ensure()
	held, err := lock.Acquire(d.LockFile(), "init", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	// Tokens are set so that plan gets as far as the lock (and no further:
	// a held lock stops it before any provider is reached).
	tokens := map[string]string{"DIGITALOCEAN_ACCESS_TOKEN": "dop_v1_x", "GANDI_BEARER_TOKEN": "pat_x"}
	code, _, stderr := runInEnv(t, dir, tokens, nil, "plan")
	if code != 3 || !strings.Contains(stderr, `"init"`) {
		t.Fatalf("exit %d, stderr %q; want 3 naming the holder", code, stderr)
	}
	// Read-only commands take no lock.
	if code, _, stderr := runIn(t, dir, nil, "status"); code != 0 {
		t.Fatalf("status under a held lock: exit %d, %s", code, stderr)
	}
}

func TestPanicIsAnErrorNotACrash(t *testing.T) {
	boom := func(root *cobra.Command) {
		root.AddCommand(&cobra.Command{Use: "boom", RunE: func(*cobra.Command, []string) error { panic("nil map") }})
	}
	code, _, stderr := runIn(t, t.TempDir(), boom, "boom")
	if code != 1 || !strings.Contains(stderr, "internal error (nil map)") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
