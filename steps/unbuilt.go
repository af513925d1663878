package steps

import (
	"context"
	"errors"
)

// ErrNotBuilt is returned by a step this build of chapterctl cannot run yet.
var ErrNotBuilt = errors.New("this build of chapterctl cannot run this step yet")

// notBuilt stands in for a step whose provider adapters this build lacks. It
// is honest about it: its plan says "unknown" and its Apply refuses, so it can
// never be reported as done.
type notBuilt struct{ Outline }

func (s notBuilt) ID() string    { return s.Outline.ID }
func (s notBuilt) Title() string { return s.Outline.Title }

func (s notBuilt) Plan(context.Context, *Env) (Change, error) {
	return Change{Items: []Item{{Action: Unknown, Resource: s.Outline.Title,
		Detail: "not computed: this build cannot reach the providers yet"}}}, nil
}

func (s notBuilt) Apply(context.Context, *Env, Change) error { return ErrNotBuilt }

// Init returns the steps of `chapterctl init`, in order.
func Init() []Step {
	list := make([]Step, len(Order))
	for i, o := range Order {
		list[i] = notBuilt{o}
	}
	return list
}
