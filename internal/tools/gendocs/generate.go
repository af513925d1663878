package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra/doc"

	"github.com/chapterctl/chapterctl/cmd"
	"github.com/chapterctl/chapterctl/cmd/ui"
)

// generate writes the command reference into dir, replacing the pages
// that are there, so a removed command does not leave a stale page behind.
func generate(dir string) error {
	old, err := filepath.Glob(filepath.Join(dir, "chapterctl*.md"))
	if err != nil {
		return err
	}
	for _, page := range old {
		if err := os.Remove(page); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	io, _, _, _ := ui.Test()
	root := cmd.NewCmdRoot(&cmd.Factory{IO: io, Now: time.Now, Getenv: func(string) string { return "" }})
	if err := doc.GenMarkdownTree(root, dir); err != nil {
		return fmt.Errorf("generate docs: %w", err)
	}
	return nil
}
