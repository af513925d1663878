package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
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

// Migration is the schema change opening a state file would make; From ==
// To when there is none.
type Migration struct{ From, To int }

// Needed tells whether the file must be migrated.
func (m Migration) Needed() bool { return m.From < m.To }

// String is how plans list it, e.g. "state schema 1 → 2".
func (m Migration) String() string { return fmt.Sprintf("state schema %d → %d", m.From, m.To) }

// PendingMigration says which migration opening the state at path would run,
// reading the file and changing nothing: upgrade lists it in its plan.
// A missing file, or one Open would refuse, needs none.
func PendingMigration(path string) (Migration, error) {
	return pending(path, layout{version: SchemaVersion, migrations: migrations})
}

func pending(path string, want layout) (Migration, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Migration{From: want.version, To: want.version}, nil
	}
	if err != nil {
		return Migration{}, fmt.Errorf("read state: %w", err)
	}
	from := schemaOf(data)
	if from == 0 || from > want.version {
		from = want.version
	}
	return Migration{From: from, To: want.version}, nil
}
