package steps

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// readJournal returns every line of the sandbox world's journal so far.
func readJournal(t *testing.T, dir workdir.Dir) []world.Entry {
	t.Helper()
	f, err := os.Open(sandbox.JournalPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var entries []world.Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e world.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	return entries
}
