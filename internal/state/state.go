// Package state keeps .chapterctl/state.json: what each step did and what the
// world gave back (droplet id, addresses, pinned keys). The world is the truth;
// this file is a record of it, so losing it costs a rediscovery, never a duplicate.
package state

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// SchemaVersion is the layout this chapterctl writes. Older files are migrated on
// load (see migrate.go); newer ones are refused.
const SchemaVersion = 1

// Status is where a step stands.
type Status string

const (
	Pending Status = "pending"
	Running Status = "running" // left behind only by a run that was killed
	Done    Status = "done"
	Failed  Status = "failed"
)

// State is the whole file.
type State struct {
	Schema int `json:"schema"`
	// Serial counts saves that changed something, as Terraform's does.
	Serial int64 `json:"serial"`
	// StackID names this chapter's resources in the world (the droplet tag
	// chapterctl:<StackID>); it is chosen once, before anything is created.
	StackID string           `json:"stack_id"`
	Sandbox bool             `json:"sandbox"`
	Steps   map[string]*Step `json:"steps"`
}

// Step is one step's record.
type Step struct {
	Status     Status            `json:"status"`
	Outputs    map[string]string `json:"outputs,omitempty"`
	Error      string            `json:"error,omitempty"`
	StartedAt  time.Time         `json:"started_at,omitzero"`
	FinishedAt time.Time         `json:"finished_at,omitzero"`
}

// New returns the state of a folder where nothing has run yet.
func New() *State {
	return &State{Schema: SchemaVersion, StackID: newStackID(), Steps: map[string]*Step{}}
}

// Step returns the record of step id, creating a pending one if there is none.
func (s *State) Step(id string) *Step {
	if s.Steps == nil {
		s.Steps = map[string]*Step{}
	}
	st, ok := s.Steps[id]
	if !ok {
		st = &Step{Status: Pending}
		s.Steps[id] = st
	}
	return st
}

// Lookup returns the record of step id without creating one.
func (s *State) Lookup(id string) (*Step, bool) {
	st, ok := s.Steps[id]
	return st, ok
}

// Output returns an output a step recorded, or "".
func (s *State) Output(stepID, key string) string {
	if st, ok := s.Steps[stepID]; ok {
		return st.Outputs[key]
	}
	return ""
}

// SetOutput records one output of a step.
func (st *Step) SetOutput(key, value string) {
	if st.Outputs == nil {
		st.Outputs = map[string]string{}
	}
	st.Outputs[key] = value
}

// newStackID is short enough to read in a tag and random enough that two
// chapters in one DigitalOcean account never share one.
func newStackID() string {
	b := make([]byte, 6)
	rand.Read(b) // crypto/rand.Read never returns an error since Go 1.24
	return hex.EncodeToString(b)
}
