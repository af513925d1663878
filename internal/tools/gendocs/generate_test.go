package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDocsAreCurrent fails when docs/cli no longer matches the commands.
func TestDocsAreCurrent(t *testing.T) {
	fresh := t.TempDir()
	if err := generate(fresh); err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join("..", "..", "..", "docs", "cli")
	want, _ := filepath.Glob(filepath.Join(fresh, "*.md"))
	have, _ := filepath.Glob(filepath.Join(committed, "*.md"))
	if len(want) == 0 {
		t.Fatal("GenerateDocs wrote no pages")
	}
	stale := len(want) != len(have)
	for _, page := range want {
		generated, _ := os.ReadFile(page)
		current, err := os.ReadFile(filepath.Join(committed, filepath.Base(page)))
		if err != nil || !bytes.Equal(generated, current) {
			t.Errorf("docs/cli/%s is missing or stale", filepath.Base(page))
			stale = true
		}
	}
	if stale {
		t.Fatal(`docs/cli is out of date: run "go generate ./..." at the module root`)
	}
}
