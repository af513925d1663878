// Package ui is the only package that talks to a person: terminal detection,
// colour, tables, prompts and progress. It is the only importer of huh and
// lipgloss, so the rest of chapterctl never needs a terminal.
package ui

import (
	"bytes"
	"encoding/json"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the command's standard streams and what is known about them,
// decided once (as GitHub CLI's iostreams do).
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	colour                         bool
	// Accessible is huh's screen-reader mode: plain line prompts, which also
	// work from a pipe.
	Accessible bool

	prompter Prompter
}

// System returns the process's streams. Colour needs a terminal on stdout,
// no NO_COLOR (https://no-color.org: any non-empty value) and a TERM that is
// not "dumb".
func System() *IOStreams {
	s := &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
	}
	s.colour = s.stdoutTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	return s
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Test returns streams backed by buffers, with no terminal: for tests.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// SetTTY pretends, for tests, that all three streams are terminals.
func (s *IOStreams) SetTTY(tty bool) { s.stdinTTY, s.stdoutTTY, s.stderrTTY = tty, tty, tty }

// SetColour overrides colour detection, for tests.
func (s *IOStreams) SetColour(on bool) { s.colour = on }

func (s *IOStreams) IsStdoutTTY() bool   { return s.stdoutTTY }
func (s *IOStreams) IsStderrTTY() bool   { return s.stderrTTY }
func (s *IOStreams) ColourEnabled() bool { return s.colour }

// CanPrompt tells whether questions may be asked. A full form needs a terminal
// on both ends; accessible mode reads plain lines, so a pipe will do.
func (s *IOStreams) CanPrompt() bool {
	return s.Accessible || (s.stdinTTY && s.stdoutTTY)
}

// WriteJSON prints v as indented JSON, the --json form of every command.
func (s *IOStreams) WriteJSON(v any) error {
	enc := json.NewEncoder(s.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
