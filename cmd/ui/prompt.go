package ui

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/charmbracelet/huh"
)

// ErrCancelled: the person stopped the questions (Esc, Ctrl-C).
var ErrCancelled = errors.New("cancelled: nothing was changed")

// Question is one free-text question.
type Question struct {
	Title, Help, Default string
	// Validate is checked as the person types. In accessible mode huh skips
	// it when input ends, so callers validate the answers again afterwards.
	Validate func(string) error
}

// Choice is one option of a Select.
type Choice struct{ Label, Value string }

// Prompter asks questions, one at a time, so that commands never touch huh
// and tests can answer with a fake.
type Prompter interface {
	Input(q Question) (string, error)
	Select(title, help string, choices []Choice, def string) (string, error)
	Confirm(title, help string, def bool) (bool, error)
	// Secret asks without echoing; it needs a terminal.
	Secret(title, help string) (string, error)
}

// Prompter returns the huh prompter for these streams. It is made once:
// its reader buffers stdin, and a second one would miss what the first
// already read from a pipe.
func (s *IOStreams) Prompter() Prompter {
	if s.prompter == nil {
		s.prompter = &huhPrompter{io: s, in: &lineReader{r: bufio.NewReader(s.In)}}
	}
	return s.prompter
}

type huhPrompter struct {
	io *IOStreams
	in io.Reader
}

// lineReader hands out at most one line per Read. huh's accessible mode
// makes a new bufio.Scanner for every prompt; reading from a pipe, the first
// would otherwise swallow the answers meant for the ones after it.
type lineReader struct{ r *bufio.Reader }

func (l *lineReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := l.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		p[n] = b
		n++
		if b == '\n' {
			break
		}
	}
	return n, nil
}

func (h *huhPrompter) run(field huh.Field) (err error) {
	defer func() {
		// huh's accessible select indexes its options with what was typed;
		// no panic reaches the user, whatever the input.
		if p := recover(); p != nil {
			err = fmt.Errorf("reading the answer failed: %v", p)
		}
	}()
	form := huh.NewForm(huh.NewGroup(field)).
		WithAccessible(h.io.Accessible).
		WithInput(h.in).
		WithOutput(h.io.ErrOut).
		WithShowHelp(!h.io.Accessible)
	if err := form.Run(); err != nil {
		if errors.Is(err, huh.ErrUserAborted) {
			return ErrCancelled
		}
		return err
	}
	return nil
}

func (h *huhPrompter) Input(q Question) (string, error) {
	value := q.Default
	field := huh.NewInput().Title(q.Title).Description(q.Help).Value(&value)
	if q.Validate != nil {
		field = field.Validate(q.Validate)
	}
	return value, h.run(field)
}

func (h *huhPrompter) Select(title, help string, choices []Choice, def string) (string, error) {
	if len(choices) == 0 {
		return "", fmt.Errorf("%s: nothing to choose from", title)
	}
	// A default is always set: in accessible mode it is what an empty
	// answer or the end of input gives.
	value := choices[0].Value
	options := make([]huh.Option[string], len(choices))
	for i, c := range choices {
		options[i] = huh.NewOption(c.Label, c.Value)
		if c.Value == def {
			value = def
		}
	}
	return value, h.run(huh.NewSelect[string]().Title(title).Description(help).Options(options...).Value(&value))
}

func (h *huhPrompter) Confirm(title, help string, def bool) (bool, error) {
	value := def
	return value, h.run(huh.NewConfirm().Title(title).Description(help).Value(&value))
}

func (h *huhPrompter) Secret(title, help string) (string, error) {
	if !h.io.stdinTTY {
		return "", errors.New("a hidden prompt needs a terminal")
	}
	var value string
	return value, h.run(huh.NewInput().Title(title).Description(help).EchoMode(huh.EchoModePassword).Value(&value))
}
