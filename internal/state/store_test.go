package state

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestOpenMissingGivesNewUnwrittenState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	_, st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Schema != SchemaVersion || len(st.StackID) != 12 || len(st.Steps) != 0 {
		t.Fatalf("new state = %+v", st)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open wrote the file: %v", err)
	}
}

func TestSaveRoundTripsAndBumpsSerialOnlyOnChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	store, st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st.Step("droplet").Status = Done
	st.Step("droplet").SetOutput("id", "4711")
	if err := store.Save(st); err != nil {
		t.Fatal(err)
	}
	if err := store.Save(st); err != nil {
		t.Fatal(err)
	}
	if st.Serial != 1 {
		t.Fatalf("serial after a change and an unchanged save = %d, want 1", st.Serial)
	}
	if _, err := os.Stat(path + ".bak"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a backup was written for a file that did not exist before")
	}

	store2, again, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if again.StackID != st.StackID || again.Output("droplet", "id") != "4711" || again.Steps["droplet"].Status != Done {
		t.Fatalf("reloaded state = %+v", again)
	}
	again.Step("firewall").Status = Done
	if err := store2.Save(again); err != nil {
		t.Fatal(err)
	}
	if again.Serial != 2 {
		t.Errorf("serial = %d, want 2", again.Serial)
	}
	backup, err := os.ReadFile(path + ".bak")
	if err != nil {
		t.Fatalf("no backup of the previous copy: %v", err)
	}
	if strings.Contains(string(backup), "firewall") || !strings.Contains(string(backup), "4711") {
		t.Errorf("backup is not the previous copy:\n%s", backup)
	}
	if runtime.GOOS != "windows" {
		info, _ := os.Stat(path)
		if info.Mode().Perm() != 0o600 {
			t.Errorf("state mode = %v, want 0600", info.Mode().Perm())
		}
	}
}

func TestDamagedFileIsRefusedAndKept(t *testing.T) {
	tests := map[string]string{
		"truncated":     "{\n  \"schema\": 1,\n  \"stack_id\": \"ab",
		"not an object": "[1, 2]",
		"no schema":     `{"stack_id": "abc", "steps": {}}`,
		"unknown field": `{"schema": 1, "stack_id": "abc", "steps": {}, "dropelt": 1}`,
		"no stack id":   `{"schema": 1, "steps": {}}`,
		"wrong type":    `{"schema": 1, "stack_id": "abc", "steps": []}`,
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err := Open(path)
			var corrupt *CorruptError
			if !errors.As(err, &corrupt) {
				t.Fatalf("Open error = %v, want *CorruptError", err)
			}
			if !strings.Contains(err.Error(), "left untouched") {
				t.Errorf("message %q does not say the file was kept", err)
			}
			after, _ := os.ReadFile(path)
			if string(after) != content {
				t.Errorf("the damaged file was changed")
			}
		})
	}
}

func TestSyntaxErrorNamesTheLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(path, []byte("{\n  \"schema\": 1,\n  \"stack_id\" \"x\"\n}"), 0o600)
	_, _, err := Open(path)
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("error = %v, want it to name line 3", err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(path, []byte(`{"schema": 99, "stack_id": "abc", "steps": {}}`), 0o600)
	_, _, err := Open(path)
	var tooNew *TooNewError
	if !errors.As(err, &tooNew) || tooNew.Schema != 99 {
		t.Fatalf("error = %v, want *TooNewError for schema 99", err)
	}
}

func TestOlderSchemaIsMigratedAfterABackup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	old := `{"schema": 1, "stack": "abc123", "steps": {"droplet": {"status": "done"}}}`
	os.WriteFile(path, []byte(old), 0o600)
	renameStack := func(raw map[string]json.RawMessage) error {
		raw["stack_id"] = raw["stack"]
		delete(raw, "stack")
		return nil
	}
	store, st, err := open(path, layout{version: 2, migrations: map[int]migration{1: renameStack}})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if st.Schema != 2 || st.StackID != "abc123" || st.Steps["droplet"].Status != Done {
		t.Fatalf("migrated state = %+v", st)
	}
	backup, err := os.ReadFile(path + ".schema1.bak")
	if err != nil || string(backup) != old {
		t.Fatalf("backup before migration = %q, %v; want the original file", backup, err)
	}
	if err := store.Save(st); err != nil {
		t.Fatal(err)
	}
	saved, _ := os.ReadFile(path)
	if !strings.Contains(string(saved), `"schema": 2`) || strings.Contains(string(saved), `"stack":`) {
		t.Errorf("saved file is not in the new layout:\n%s", saved)
	}
}

func TestMissingMigrationIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(path, []byte(`{"schema": 1, "stack_id": "abc", "steps": {}}`), 0o600)
	_, _, err := open(path, layout{version: 3, migrations: map[int]migration{}})
	if err == nil || !strings.Contains(err.Error(), "no migration from schema 1") {
		t.Fatalf("error = %v, want a missing-migration error", err)
	}
}
