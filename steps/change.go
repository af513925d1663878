package steps

import "encoding/json"

// Action is what a change does to one resource, as Terraform's plan shows it.
type Action int

const (
	NoOp Action = iota
	Create
	Update
	Replace
	Delete
	// Adopt: the resource exists in the world (an earlier run created it and
	// was killed before recording it); Apply only records it.
	Adopt
	// Unknown: the step could not tell what it would do (it cannot see the
	// world from here). Shown, never applied.
	Unknown
	// Check: the step only looks at the world and judges it (verify);
	// applying it changes nothing.
	Check
)

var actionNames = [...]string{"no-op", "create", "update", "replace", "delete", "adopt", "unknown", "check"}
var actionSymbols = [...]string{" ", "+", "~", "-/+", "-", "<=", "?", "="}

func (a Action) String() string { return actionNames[a] }

// Symbol is the one-column mark a plan table shows for the action.
func (a Action) Symbol() string { return actionSymbols[a] }

// MarshalText makes JSON carry the word, not the number.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Item is one resource a step would change.
type Item struct {
	Action   Action `json:"action"`
	Resource string `json:"resource"` // e.g. "droplet my.redrockdsa.org"
	Detail   string `json:"detail,omitempty"`
	// NeedsConsent names a record set of someone else's ("NAME/TYPE") that
	// this item would replace: only the organizer's explicit yes (in the
	// wizard, or --replace NAME/TYPE) allows it; --yes alone never does.
	NeedsConsent string `json:"needs_consent,omitempty"`
}

// Change is what a step's Apply would do: a plain value, computed first, shown,
// then applied. No items means nothing to do.
type Change struct {
	Items []Item `json:"items"`
}

// IsEmpty tells whether the step has nothing to do.
func (c Change) IsEmpty() bool { return len(c.Items) == 0 }

// MarshalJSON keeps "items": [] rather than null for an empty change, so
// scripts can always iterate.
func (c Change) MarshalJSON() ([]byte, error) {
	items := c.Items
	if items == nil {
		items = []Item{}
	}
	return json.Marshal(struct {
		Items []Item `json:"items"`
	}{items})
}

// orNone is s, or "none" where an empty detail would read as a mistake.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
