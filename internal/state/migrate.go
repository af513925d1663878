package state

import (
	"encoding/json"
	"fmt"
)

// A migration rewrites the raw fields of a state file from one schema to the
// next. migrations[v] takes schema v to v+1. Schema 1 is the first layout, so
// there is nothing to migrate yet; the next layout change adds migrations[1].
type migration func(raw map[string]json.RawMessage) error

var migrations = map[int]migration{}

func migrate(raw map[string]json.RawMessage, from, to int, table map[int]migration) error {
	for v := from; v < to; v++ {
		step, ok := table[v]
		if !ok {
			return fmt.Errorf("no migration from schema %d", v)
		}
		if err := step(raw); err != nil {
			return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
		}
		raw["schema"] = json.RawMessage(fmt.Sprint(v + 1))
	}
	return nil
}
