package state

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestSchemaOneFileIsListedThenMigratedAfterABackup walks the path an
// upgrade takes with a state file an older chapterctl wrote: the plan
// lists the migration, opening migrates it after keeping a copy, and once
// saved nothing is pending. Schema 1 is the only layout so far, so the
// test plays a chapterctl that writes schema 2 with a made-up migration.
func TestSchemaOneFileIsListedThenMigratedAfterABackup(t *testing.T) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "schema1-finished-init.json"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(path, fixture, 0o600)
	next := layout{version: 2, migrations: map[int]migration{1: func(raw map[string]json.RawMessage) error {
		return nil // schema 2 would add a field with a zero default
	}}}

	m, err := pending(path, next)
	if err != nil || !m.Needed() || m.String() != "state schema 1 → 2" {
		t.Fatalf("pending = %v (%+v), %v; want schema 1 → 2", m, m, err)
	}
	if _, err := os.Stat(path + ".schema1.bak"); err == nil {
		t.Fatal("listing the migration wrote a backup")
	}
	store, st, err := open(path, next)
	if err != nil {
		t.Fatal(err)
	}
	if st.Schema != 2 || st.StackID != "5e2b9c0d41aa" || st.Output("droplet", "ipv4") != "203.0.113.10" {
		t.Fatalf("migrated state = %+v", st)
	}
	if backup, err := os.ReadFile(path + ".schema1.bak"); err != nil || string(backup) != string(fixture) {
		t.Fatalf("backup = %v; want the schema 1 file as it was", err)
	}
	if err := store.Save(st); err != nil {
		t.Fatal(err)
	}
	if m, err := pending(path, next); err != nil || m.Needed() {
		t.Errorf("after the save: pending = %v, %v; want none", m, err)
	}
	// This chapterctl's own layout: a fresh file needs nothing.
	if m, err := PendingMigration(filepath.Join(t.TempDir(), "missing.json")); err != nil || m.Needed() {
		t.Errorf("PendingMigration(missing) = %v, %v", m, err)
	}
}
