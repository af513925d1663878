// Package steps is chapterctl's engine: an ordered list of idempotent steps,
// each of which looks at the world, says what it would change, and then makes
// it so, recording what the world gave back as it goes.
package steps

import (
	"context"
	"log/slog"
	"time"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// Step is one piece of the job.
type Step interface {
	ID() string
	Title() string
	// Plan observes the world and returns what Apply would change. It changes
	// nothing, in the world or in the state.
	Plan(ctx context.Context, env *Env) (Change, error)
	// Apply makes the planned change. Anything it creates it records with
	// env.Record at once, before doing anything else, so that a process killed
	// right after still leaves a trace; and before creating anything it looks
	// for what an earlier, killed run may have created (the world is the truth).
	Apply(ctx context.Context, env *Env, change Change) error
}

// Env is what a step gets to work with. Adapters to the world are added here
// as steps need them; steps never reach the world any other way.
type Env struct {
	Config    *chapter.Config
	Log       *slog.Logger
	Providers *Providers
	Progress  Progress
	Options   Options
	Now       func() time.Time

	dir     workdir.Dir
	secrets secrets.Secrets
	redact  func(secret string) // teaches the log redactor a new secret
	state   *state.State
	stepID  string
	save    func() error
}

// Record stores one output of the running step and saves the state before it
// returns: this is the checkpoint that makes a kill right after harmless.
func (e *Env) Record(key, value string) error {
	e.state.Step(e.stepID).SetOutput(key, value)
	return e.save()
}

// Output returns what a step (this one or an earlier one) recorded, or "".
func (e *Env) Output(stepID, key string) string {
	return e.state.Output(stepID, key)
}

// StackID names this chapter's resources in the world.
func (e *Env) StackID() string { return e.state.StackID }

// Done tells whether step id has finished, as the state records it. A
// later step's Plan must not look at what an unfinished earlier step is
// still making (a droplet whose host key is being replaced).
func (e *Env) Done(id string) bool {
	st, ok := e.state.Lookup(id)
	return ok && st.Status == state.Done
}
