package ui

import (
	"fmt"
	"sync"
	"time"
)

// StepProgress prints what the steps do: a line when a step starts and
// when it ends, what each wait is for and how long it has lasted, and the
// lines remote work streams. Plain lines, never escape codes off a terminal
// (huh's spinner writes them even to a pipe), so logs and pipes stay clean.
type StepProgress struct {
	io *IOStreams
	mu sync.Mutex
	// lastWait limits wait lines to one per wait every few seconds.
	lastWait map[string]time.Duration
}

// NewStepProgress prints to s's stderr, leaving stdout for results.
func (s *IOStreams) NewStepProgress() *StepProgress {
	return &StepProgress{io: s, lastWait: map[string]time.Duration{}}
}

// waitEvery is how often a continuing wait is shown again.
const waitEvery = 5 * time.Second

// Started shows a step that has something to do.
func (p *StepProgress) Started(title string, items []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.io.ErrOut, "%s %s\n", p.io.Mark(MarkPending), title)
	for _, item := range items {
		fmt.Fprintf(p.io.ErrOut, "    %s\n", item)
	}
}

// Finished shows a step's outcome.
func (p *StepProgress) Finished(title string, changed bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case err != nil:
		fmt.Fprintf(p.io.ErrOut, "%s %s\n", p.io.Mark(MarkFail), title)
	case changed:
		fmt.Fprintf(p.io.ErrOut, "%s %s\n", p.io.Mark(MarkOK), title)
	default:
		fmt.Fprintf(p.io.ErrOut, "%s %s (already done)\n", p.io.Mark(MarkOK), title)
	}
}

// Waiting shows what a step waits for, once at the start (after a
// second) and then every few seconds.
func (p *StepProgress) Waiting(what string, waited time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	last, seen := p.lastWait[what]
	if waited < time.Second || (seen && waited-last < waitEvery) {
		return
	}
	p.lastWait[what] = waited
	fmt.Fprintf(p.io.ErrOut, "    waiting for %s (%s)\n", what, waited.Round(time.Second))
}

// Line shows one line of remote output.
func (p *StepProgress) Line(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.io.ErrOut, "    | %s\n", text)
}
