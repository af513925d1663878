package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/chapterctl/chapterctl/internal/atomicfile"
)

// CorruptError reports a state file that cannot be read. The file is left as
// it is: it may be the only record of a droplet's id or a pinned host key.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("the state file %s is damaged (%v); it was left untouched: restore it from %s.bak if that exists, or move it aside and rerun, which finds the chapter's resources again",
		e.Path, e.Err, e.Path)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// TooNewError reports a state file written by a newer chapterctl.
type TooNewError struct {
	Path   string
	Schema int
	Known  int
}

func (e *TooNewError) Error() string {
	return fmt.Sprintf("the state file %s was written by a newer chapterctl (schema %d, this one knows %d); install the newer chapterctl",
		e.Path, e.Schema, e.Known)
}

// Store reads and writes one state file.
type Store struct {
	path string
	// last is what the file holds now, so Save writes (and bumps the serial)
	// only when something changed.
	last []byte
	// backedUp: the copy the file had before this process first changed it is
	// kept at path.bak, once per process, as Terraform does.
	backedUp bool
}

// Open loads the state at path. A missing file gives a new state that is not
// written until the first Save. A damaged file gives a *CorruptError.
func Open(path string) (*Store, *State, error) {
	return open(path, layout{version: SchemaVersion, migrations: migrations})
}

// layout is the schema a store reads into; tests give a newer one to exercise
// migrations before a real one exists.
type layout struct {
	version    int
	migrations map[int]migration
}

func open(path string, want layout) (*Store, *State, error) {
	store := &Store{path: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return store, New(), nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read state: %w", err)
	}
	st, migrated, err := decode(path, data, want)
	if err != nil {
		return nil, nil, err
	}
	if migrated {
		// Keep the file as the older chapterctl wrote it before anything
		// rewrites it in the new layout.
		if err := atomicfile.Write(fmt.Sprintf("%s.schema%d.bak", path, schemaOf(data)), data, 0o600); err != nil {
			return nil, nil, fmt.Errorf("back up state before migrating it: %w", err)
		}
	} else {
		store.last = data
	}
	return store, st, nil
}

// Save writes st atomically (temp file, fsync, rename) if it differs from what
// the file holds, bumping the serial.
func (s *Store) Save(st *State) error {
	data, err := encode(st)
	if err != nil {
		return err
	}
	if bytes.Equal(data, s.last) {
		return nil
	}
	next := *st
	next.Serial++
	if data, err = encode(&next); err != nil {
		return err
	}
	if !s.backedUp && s.last != nil {
		if err := atomicfile.Write(s.path+".bak", s.last, 0o600); err != nil {
			return fmt.Errorf("back up state: %w", err)
		}
	}
	s.backedUp = true
	if err := atomicfile.Write(s.path, data, 0o600); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	st.Serial = next.Serial
	s.last = data
	return nil
}

func encode(st *State) ([]byte, error) {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	return append(data, '\n'), nil
}

func decode(path string, data []byte, want layout) (*State, bool, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, false, &CorruptError{Path: path, Err: describeJSONError(data, err)}
	}
	schema := schemaOf(data)
	switch {
	case schema == 0:
		return nil, false, &CorruptError{Path: path, Err: errors.New(`no "schema" field`)}
	case schema > want.version:
		return nil, false, &TooNewError{Path: path, Schema: schema, Known: want.version}
	}
	migrated := schema < want.version
	if migrated {
		if err := migrate(raw, schema, want.version, want.migrations); err != nil {
			return nil, false, &CorruptError{Path: path, Err: err}
		}
		var err error
		if data, err = json.Marshal(raw); err != nil {
			return nil, false, err
		}
	}
	st := &State{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(st); err != nil {
		return nil, false, &CorruptError{Path: path, Err: describeJSONError(data, err)}
	}
	if st.StackID == "" {
		return nil, false, &CorruptError{Path: path, Err: errors.New(`no "stack_id" field`)}
	}
	if st.Steps == nil {
		st.Steps = map[string]*Step{}
	}
	return st, migrated, nil
}

func schemaOf(data []byte) int {
	var head struct {
		Schema int `json:"schema"`
	}
	json.Unmarshal(data, &head)
	return head.Schema
}

// describeJSONError adds the line to a syntax error, so a person can find it.
func describeJSONError(data []byte, err error) error {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		// Offset is just past the offending byte, which may itself be a newline.
		line := 1 + bytes.Count(data[:max(syntax.Offset-1, 0)], []byte("\n"))
		return fmt.Errorf("invalid JSON at line %d: %v", line, syntax)
	}
	return err
}
