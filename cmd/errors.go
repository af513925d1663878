package cmd

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/lock"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/steps"
)

// Exit codes (DESIGN.md): the one place they are decided.
const (
	exitOK     = 0
	exitFailed = 1 // a step or check failed
	exitInput  = 2 // bad usage or input
	exitLocked = 3 // another chapterctl holds the folder
)

// inputError is bad usage or input the user can fix: one sentence saying what
// is wrong and what to run or edit.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

func inputErrorf(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

// usageError is a command line cobra could not parse.
type usageError struct {
	err     error
	command string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var (
		held    *lock.HeldError
		input   *inputError
		usage   *usageError
		field   *chapter.FieldError
		corrupt *state.CorruptError
		tooNew  *state.TooNewError
		stepIn  *steps.InputError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &held):
		return exitLocked
	case errors.As(err, &input), errors.As(err, &usage), errors.As(err, &field),
		errors.As(err, &corrupt), errors.As(err, &tooNew), errors.As(err, &stepIn):
		return exitInput
	default:
		return exitFailed
	}
}

// printError writes the error and, for the kinds that have one, the next
// thing to do.
//
// Paths inside the chapter folder are shown relative to it, as the person
// who ran the command there sees them.
func printError(w io.Writer, err error, root, resume string) {
	msg := err.Error()
	if root != "" {
		msg = strings.ReplaceAll(msg, root+string(filepath.Separator), "")
	}
	fmt.Fprintf(w, "Error: %s\n", msg)
	var (
		usage       *usageError
		failed      *steps.StepError
		interrupted *steps.InterruptedError
	)
	switch {
	case errors.As(err, &usage):
		fmt.Fprintf(w, "Run %q for usage.\n", usage.command+" --help")
	case errors.As(err, new(*steps.InputError)):
		// Rerunning as is would stop at the same place: the hint is in
		// the message (which field to set).
	case errors.As(err, &failed), errors.As(err, &interrupted):
		fmt.Fprintf(w, "Run %q again to resume; it picks up where this run stopped.\n", resume)
	}
}
