package steps

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/lock"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// Reporter hears what the runner does, to show progress. Implementations must
// not block for long: the runner calls them between steps.
type Reporter interface {
	StepStarted(step Step, change Change)
	StepFinished(step Step, change Change, err error)
}

// Runner runs steps in order under the folder lock, saving the state after
// each and whenever a step records an output.
type Runner struct {
	Dir     workdir.Dir
	Steps   []Step
	Config  *chapter.Config
	Log     *slog.Logger
	Report  Reporter
	Command string // what the lock says the holder is doing, e.g. "init"
	// HoldsLock: the caller already holds the folder lock (init takes it
	// before asking its questions), so the runner must not take it again.
	HoldsLock bool
	// Redact hides secrets in error text before it is written to the state.
	Redact func(string) string
	// AddSecret teaches the redactor a secret a step creates (a password).
	AddSecret func(string)
	Now       func() time.Time
	// What the steps work with (nil Providers only for engine tests).
	Providers *Providers
	Progress  Progress
	Options   Options
	Secrets   secrets.Secrets
}

// Planned is one step's plan.
type Planned struct {
	Step   Step
	Change Change
	Record *state.Step
}

// StepError is the failure of one step.
type StepError struct {
	ID, Title string
	Err       error
}

func (e *StepError) Error() string { return fmt.Sprintf("step %s failed: %v", e.ID, e.Err) }
func (e *StepError) Unwrap() error { return e.Err }

// InputError is a step's refusal that only the organizer can lift by
// changing an answer (a chapter.yaml field, a flag): not a failure to retry.
type InputError struct {
	Field string // the chapter.yaml field or flag to change
	Msg   string
}

func (e *InputError) Error() string { return e.Msg }

// InterruptedError reports a run stopped by Ctrl-C or SIGTERM, after the state
// was saved.
type InterruptedError struct{ ID string }

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("interrupted during step %s; the progress so far is saved", e.ID)
}

// Plan asks every step what it would change. It takes the lock, so it never
// reads a world that another chapterctl is halfway through changing.
func (r *Runner) Plan(ctx context.Context) ([]Planned, error) {
	var plans []Planned
	err := r.locked(ctx, func(store *state.Store, st *state.State) error {
		for _, step := range r.Steps {
			if err := ctx.Err(); err != nil {
				return &InterruptedError{ID: step.ID()}
			}
			change, err := r.planStep(ctx, step, r.env(st, step, nil))
			if err != nil {
				return &StepError{ID: step.ID(), Title: step.Title(), Err: err}
			}
			record, _ := st.Lookup(step.ID())
			plans = append(plans, Planned{Step: step, Change: change, Record: record})
		}
		return nil
	})
	return plans, err
}

// Apply runs the steps in order and stops at the first failure. A rerun
// resumes: each step plans again against the world and does only what is left.
func (r *Runner) Apply(ctx context.Context) error {
	return r.locked(ctx, func(store *state.Store, st *state.State) error {
		save := func() error { return store.Save(st) }
		for _, step := range r.Steps {
			if ctx.Err() != nil {
				return &InterruptedError{ID: step.ID()}
			}
			if err := r.applyStep(ctx, step, st, save); err != nil {
				return err
			}
		}
		return nil
	})
}

func (r *Runner) applyStep(ctx context.Context, step Step, st *state.State, save func() error) error {
	record := st.Step(step.ID())
	env := r.env(st, step, save)
	change, err := r.planStep(ctx, step, env)
	r.Log.Debug("planned", "step", step.ID(), "items", len(change.Items), "err", err)
	if err == nil && !change.IsEmpty() {
		record.Status, record.StartedAt, record.Error = state.Running, r.Now().UTC(), ""
		if err = save(); err == nil {
			r.Report.StepStarted(step, change)
			err = r.guard(step, func() error { return step.Apply(ctx, env, change) })
		}
	}
	if err == nil {
		r.Log.Info("step done", "step", step.ID())
		record.Status, record.FinishedAt, record.Error = state.Done, r.Now().UTC(), ""
		err = save()
		r.Report.StepFinished(step, change, err)
		return err
	}
	if ctx.Err() != nil {
		// Ctrl-C: the step saw its context end. What it recorded is saved;
		// it stays "running" so status shows it was cut short.
		r.Log.Info("interrupted", "step", step.ID(), "err", err)
		return errors.Join(&InterruptedError{ID: step.ID()}, save())
	}
	r.Log.Error("step failed", "step", step.ID(), "err", err)
	record.Status, record.Error = state.Failed, r.redact(err.Error())
	r.Report.StepFinished(step, change, err)
	return errors.Join(&StepError{ID: step.ID(), Title: step.Title(), Err: err}, save())
}

func (r *Runner) planStep(ctx context.Context, step Step, env *Env) (Change, error) {
	var change Change
	err := r.guard(step, func() error {
		var err error
		change, err = step.Plan(ctx, env)
		return err
	})
	return change, err
}

// guard turns a panic in a step into that step's error, with the stack in the
// debug log: no panic reaches the user, and the state is still saved.
func (r *Runner) guard(step Step, fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.Log.Error("panic", "step", step.ID(), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error: %v", p)
		}
	}()
	return fn()
}

func (r *Runner) env(st *state.State, step Step, save func() error) *Env {
	if save == nil {
		save = func() error { return errors.New("plan cannot record outputs") }
	}
	return &Env{Config: r.Config, Log: r.Log.With("step", step.ID()), Providers: r.Providers, Progress: r.Progress,
		Options: r.Options, Now: r.Now, dir: r.Dir, secrets: r.Secrets, redact: r.AddSecret,
		state: st, stepID: step.ID(), save: save}
}

// locked loads the state under the folder lock and hands it to fn. State
// writes are not tied to ctx: a save in flight when Ctrl-C arrives finishes.
func (r *Runner) locked(ctx context.Context, fn func(*state.Store, *state.State) error) error {
	if err := r.Dir.Ensure(); err != nil {
		return err
	}
	if !r.HoldsLock {
		held, err := lock.Acquire(r.Dir.LockFile(), r.Command, r.Now())
		if err != nil {
			return err
		}
		defer held.Release()
	}
	store, st, err := state.Open(r.Dir.StateFile())
	if err != nil {
		return err
	}
	return fn(store, st)
}

func (r *Runner) redact(s string) string {
	if r.Redact == nil {
		return s
	}
	return r.Redact(s)
}
