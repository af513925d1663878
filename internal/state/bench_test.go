package state

import (
	"fmt"
	"path/filepath"
	"testing"
)

// tenSteps is a state as a finished init leaves it.
func tenSteps() *State {
	st := New()
	for i := range 10 {
		step := st.Step(fmt.Sprintf("step-%d", i))
		step.Status = Done
		for k := range 4 {
			step.SetOutput(fmt.Sprintf("output-%d", k), "a value of some forty characters, typical")
		}
	}
	return st
}

func BenchmarkSaveTenSteps(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.json")
	store, _, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	st := tenSteps()
	for i := 0; b.Loop(); i++ {
		// A change every time, so each Save really writes and syncs.
		st.Step("step-0").SetOutput("counter", fmt.Sprint(i))
		if err := store.Save(st); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenTenSteps(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.json")
	store, _, _ := Open(path)
	if err := store.Save(tenSteps()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := Open(path); err != nil {
			b.Fatal(err)
		}
	}
}
