package ui

import (
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"
	"github.com/muesli/termenv"
)

// renderer binds lipgloss to w with colour only when s allows it, so a pipe
// or NO_COLOR never gets escape codes.
func (s *IOStreams) renderer(w io.Writer) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(w)
	switch {
	case !s.colour:
		r.SetColorProfile(termenv.Ascii)
	case r.ColorProfile() == termenv.Ascii:
		// Colour was allowed from what System saw of the terminal; termenv
		// may still guess "no colour" from a sparse environment.
		r.SetColorProfile(termenv.ANSI)
	}
	return r
}

// Table renders rows under headers. On a terminal it has rounded borders and
// a bold header; elsewhere it is plain aligned columns that scripts and
// testscript can match (though scripts should use --json).
func (s *IOStreams) Table(headers []string, rows [][]string) string {
	r := s.renderer(s.Out)
	cell := r.NewStyle().PaddingRight(1)
	t := table.New().Headers(headers...).Rows(rows...)
	if s.stdoutTTY {
		head := cell.Bold(true).PaddingLeft(1)
		t = t.Border(lipgloss.RoundedBorder()).
			BorderStyle(r.NewStyle().Foreground(lipgloss.Color("8"))).
			StyleFunc(func(row, _ int) lipgloss.Style {
				if row == table.HeaderRow {
					return head
				}
				return cell.PaddingLeft(1)
			})
	} else {
		t = t.Border(lipgloss.HiddenBorder()).
			BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
			BorderHeader(false).BorderColumn(false).
			StyleFunc(func(int, int) lipgloss.Style { return cell.PaddingRight(2) })
	}
	out := t.Render()
	if !s.stdoutTTY {
		// Padding fills the last column too; trailing blanks only get in
		// the way of diff and grep.
		lines := strings.Split(out, "\n")
		for i, line := range lines {
			lines[i] = strings.TrimRight(line, " ")
		}
		out = strings.Join(lines, "\n")
	}
	return out + "\n"
}

// Mark is a status sign as flutter doctor shows it: ✓ ! ✗ ?
type Mark int

const (
	MarkOK Mark = iota
	MarkWarn
	MarkFail
	MarkUnknown
	MarkPending
)

var markText = [...]string{"✓", "!", "✗", "?", "·"}
var markColour = [...]string{"2", "3", "1", "5", "8"}

// markWords are the signs in words for accessible mode: a screen reader
// says "check mark" or "ballot x" for the signs, which tell nothing.
var markWords = [...]string{"ok:", "warning:", "problem:", "unknown:", "pending:"}

// Mark returns the sign, coloured when colour is allowed, or in words in
// accessible mode.
func (s *IOStreams) Mark(m Mark) string {
	if s.Accessible {
		return markWords[m]
	}
	return s.renderer(s.Out).NewStyle().Foreground(lipgloss.Color(markColour[m])).Render(markText[m])
}

// Bold emphasises a heading when colour is allowed.
func (s *IOStreams) Bold(text string) string {
	return s.renderer(s.Out).NewStyle().Bold(true).Render(text)
}
