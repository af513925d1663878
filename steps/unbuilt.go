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

// Init returns the steps of `chapterctl init` this build can run, in order:
// from an empty folder to a running Cloudron with the chat server, email
// and their DNS records. (verify comes next; status lists it as pending.)
func Init() []Step {
	return []Step{NewSSHKey(), NewDroplet(), NewFirewall(), NewDNSHost(), NewPlatform(), NewPlatformSetup(), NewChat(), NewMail(), NewDNSRecords()}
}

// notYetBuilt returns placeholders for the steps of Order this build lacks.
func notYetBuilt() []Step {
	built := map[string]bool{}
	for _, s := range Init() {
		built[s.ID()] = true
	}
	var list []Step
	for _, o := range Order {
		if !built[o.ID] {
			list = append(list, notBuilt{o})
		}
	}
	return list
}
