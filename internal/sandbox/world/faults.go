package world

import (
	"context"
	"time"

	"github.com/chapterctl/chapterctl/internal/waitx"
)

// Fault kinds, as `sandbox faults` lists them.
const (
	KindDoctor      = "doctor"      // something doctor must find
	KindReliability = "reliability" // something init and upgrade must survive
)

// FaultSpec describes a named fault. Faults that are a state of the world
// (a missing record, a full disk) have Break and Heal, which change the
// world's data; faults that change how a simulator answers (a 429, a reset
// connection) have neither: the simulator asks w.Fault(name) as it serves.
type FaultSpec struct {
	Name        string
	Kind        string
	Description string
	// Break applies the fault; param is what followed "=" in
	// `sandbox break NAME=PARAM` ("" if nothing did).
	Break func(d *Data, param string) error
	// Heal undoes it, if the world still shows it.
	Heal func(d *Data) error
}

// Latency is the reliability fault that delays every answer of every
// simulator by its parameter (a Go duration, real time: "200ms").
const Latency = "latency"

// InjectLatency waits as the latency fault says. Simulators call it at the
// start of every request.
func (w *World) InjectLatency(ctx context.Context) {
	param, active := w.Fault(Latency)
	if !active {
		return
	}
	if d, err := time.ParseDuration(param); err == nil {
		waitx.Sleep(ctx, d)
	}
}

// TakeFault consumes one use of a counted fault such as "5 answers with 500":
// the parameter is how many uses are left ("" or a bad number means one).
// It reports whether the fault applied to this request. The count is kept
// in the world, so a burst spans processes as it would span retries.
func (w *World) TakeFault(name string) bool {
	applied := false
	w.mu.Lock()
	param, active := w.data.Faults[name]
	if active {
		applied = true
		n := atoiOr(param, 1)
		if n <= 1 {
			delete(w.data.Faults, name)
		} else {
			w.data.Faults[name] = itoa(n - 1)
		}
		w.saveLocked()
	}
	w.mu.Unlock()
	return applied
}
