package ui

import (
	"strings"
	"testing"
)

func TestTablePlainWithoutTerminal(t *testing.T) {
	s, _, _, _ := Test()
	got := s.Table([]string{"STEP", "STATE"}, [][]string{{"ssh-key", "done"}, {"droplet", "pending"}})
	if strings.Contains(got, "\x1b[") || strings.ContainsAny(got, "│╭─") {
		t.Fatalf("plain table has escapes or borders:\n%q", got)
	}
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "STEP") || !strings.HasPrefix(lines[2], "droplet") {
		t.Fatalf("table lines = %q", lines)
	}
	// Columns align: the state column starts at the same offset on each line.
	col := strings.Index(lines[0], "STATE")
	if strings.Index(lines[1], "done") != col || strings.Index(lines[2], "pending") != col {
		t.Errorf("columns do not align:\n%s", got)
	}
}

func TestTableOnTerminalHasBordersAndColourOnlyWhenAllowed(t *testing.T) {
	s, _, _, _ := Test()
	s.SetTTY(true)
	got := s.Table([]string{"STEP"}, [][]string{{"ssh-key"}})
	if !strings.Contains(got, "╭") || strings.Contains(got, "\x1b[") {
		t.Fatalf("terminal table without colour:\n%s", got)
	}
	s.SetColour(true)
	if got := s.Mark(MarkOK); !strings.Contains(got, "✓") || !strings.Contains(got, "\x1b[") {
		t.Errorf("coloured mark = %q", got)
	}
}

func TestCanPrompt(t *testing.T) {
	s, _, _, _ := Test()
	if s.CanPrompt() {
		t.Error("buffers can prompt")
	}
	s.Accessible = true
	if !s.CanPrompt() {
		t.Error("accessible mode cannot prompt from a pipe")
	}
	s.Accessible = false
	s.SetTTY(true)
	if !s.CanPrompt() {
		t.Error("a terminal cannot prompt")
	}
}

// In accessible mode the signs are words a screen reader can say.
func TestMarksAreWordsInAccessibleMode(t *testing.T) {
	s, _, _, _ := Test()
	s.SetTTY(true)
	s.SetColour(true)
	s.Accessible = true
	for m, want := range map[Mark]string{MarkOK: "ok:", MarkWarn: "warning:", MarkFail: "problem:", MarkUnknown: "unknown:", MarkPending: "pending:"} {
		if got := s.Mark(m); got != want {
			t.Errorf("Mark(%d) = %q, want %q", m, got, want)
		}
	}
}
