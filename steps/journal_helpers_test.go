package steps

import (
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// readJournal returns every line of the sandbox world's journal so far.
func readJournal(t *testing.T, dir workdir.Dir) []world.Entry {
	t.Helper()
	all, err := world.ReadJournal(sandbox.JournalPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	var entries []world.Entry
	for _, e := range all {
		entries = append(entries, e)
	}
	return entries
}
