package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/sandbox"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// sandbox serve --json prints one line, in DESIGN.md's shape, once every
// simulator listens, then serves until interrupted and exits 0.
func TestSandboxServePrintsEndpointsThenServesUntilInterrupted(t *testing.T) {
	root := t.TempDir()
	dir := workdir.Dir{Root: root}
	dir.Ensure()
	if _, err := sandbox.Create(dir, nil, "redrockdsa.org", time.Now()); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	io, _, _, errOut := ui.Test()
	io.Out = pw
	f := &Factory{IO: io, Now: time.Now, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- run(ctx, f, NewCmdRoot(f), []string{"-C", root, "sandbox", "serve", "--json"}) }()

	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatalf("not one JSON line: %q", line)
	}
	for _, key := range []string{"digitalocean", "gandi", "cloudron", "ssh", "dns", "ca_file"} {
		if _, ok := got[key]; !ok {
			t.Errorf("no %q in %s", key, line)
		}
	}
	if !strings.HasSuffix(got["gandi"].(string), "/v5/livedns/") || !strings.HasPrefix(got["digitalocean"].(string), "https://127.0.0.1:") {
		t.Errorf("endpoints = %s", line)
	}
	if _, err := os.Stat(got["ca_file"].(string)); err != nil || filepath.Dir(got["ca_file"].(string)) != dir.SandboxDir() {
		t.Errorf("ca_file %v: %v", got["ca_file"], err)
	}
	// While it serves, the folder is locked: break waits its turn.
	if code, _, stderr := runIn(t, root, nil, "sandbox", "break", "gandi-5xx"); code != exitLocked {
		t.Errorf("break during serve: exit %d, %s", code, stderr)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d: %s", code, errOut)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop when interrupted")
	}
}
