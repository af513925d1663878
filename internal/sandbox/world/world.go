// Package world is the sandbox's simulated world: the state every simulator
// reads and changes (droplets, zones, machines, Cloudron, Mailgun), kept in
// .chapterctl/sandbox/world.json so that it outlives each chapterctl process,
// with the scaled clock, the request journal and the fault switches.
//
// Every change goes through Update, which saves the world before it returns:
// a process killed right after a simulator answered leaves the world as the
// real provider would have it, committed.
package world

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/chapterctl/chapterctl/internal/atomicfile"
	"github.com/chapterctl/chapterctl/internal/waitx"
)

// SchemaVersion is the layout of world.json this build writes.
const SchemaVersion = 1

// Data is the whole simulated world. Each simulator owns its part (see the
// file named after it); simulators read each other's parts, and only write
// their own.
type Data struct {
	Schema int `json:"schema"`
	// TimeScale multiplies every simulated wait: 1 is real time, 0.001 makes
	// a ten-minute install take 0.6 s, 0 makes every wait instant.
	TimeScale    float64             `json:"time_scale"`
	Tokens       Tokens              `json:"tokens"`
	DigitalOcean DigitalOcean        `json:"digitalocean"`
	Gandi        Gandi               `json:"gandi"`
	DNSBL        DNSBL               `json:"dnsbl"`
	Machines     map[string]*Machine `json:"machines"` // by droplet id
	Cloudron     CloudronRelease     `json:"cloudron"`
	Mailgun      Mailgun             `json:"mailgun"`
	// Faults maps each active fault to its parameter ("" when it has none).
	Faults map[string]string `json:"faults"`
	// Counters hands out ids (droplet ids, action ids, …) and counts how
	// often each crash point was reached.
	Counters map[string]int `json:"counters"`
}

// Tokens are the provider credentials the world issued; simulators refuse
// any other with the provider's real 401.
type Tokens struct {
	DigitalOcean string `json:"digitalocean"`
	Gandi        string `json:"gandi"`
	Mailgun      string `json:"mailgun"`
}

// DNSBL lists the IPs and domains the simulated blocklists list.
type DNSBL struct {
	Listed []string `json:"listed"`
}

// CloudronRelease is what the Cloudron installer installs and what its
// updater offers.
type CloudronRelease struct {
	Version string `json:"version"` // installed by cloudron-setup
	Latest  string `json:"latest"`  // offered by the updater
	// AppUpdates are package versions the App Store publishes after the
	// chapter's apps were installed (store id → version): installs take
	// the catalogue's version, update checks offer these.
	AppUpdates map[string]string `json:"app_updates,omitempty"`
}

// Next returns the next value of the named counter, starting at 1.
func (d *Data) Next(counter string) int {
	if d.Counters == nil {
		d.Counters = map[string]int{}
	}
	d.Counters[counter]++
	return d.Counters[counter]
}

// World is the live world of one process.
type World struct {
	mu    sync.RWMutex
	data  *Data
	path  string // world.json; "" keeps the world in memory only (tests)
	clock Clock
	log   *Journal
	// crash ends the process at a crash point; tests replace it.
	crash func(point string)
}

// Clock tells the time. The world runs on real time with scaled waits, so a
// deadline stored in world.json means the same thing to the next process.
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Options configure a World.
type Options struct {
	Clock   Clock
	Journal *Journal
	// Crash replaces the process kill at a crash point (tests).
	Crash func(point string)
}

// New makes a world from data. path is where Update saves it ("" for none).
func New(data *Data, path string, opts Options) *World {
	if data.Faults == nil {
		data.Faults = map[string]string{}
	}
	if data.Counters == nil {
		data.Counters = map[string]int{}
	}
	if data.Machines == nil {
		data.Machines = map[string]*Machine{}
	}
	w := &World{data: data, path: path, clock: opts.Clock, log: opts.Journal, crash: opts.Crash}
	if w.clock == nil {
		w.clock = realClock{}
	}
	if w.crash == nil {
		w.crash = killProcess
	}
	return w
}

// Load reads world.json.
func Load(path string) (*Data, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d Data
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("the sandbox world %s is damaged (%v); remove the folder %s to start a new world", path, err, filepath.Dir(path))
	}
	if d.Schema != SchemaVersion {
		return nil, fmt.Errorf("the sandbox world %s has schema %d, this chapterctl knows %d; remove the folder %s to start a new world",
			path, d.Schema, SchemaVersion, filepath.Dir(path))
	}
	return &d, nil
}

// Save writes the world to its file now.
func (w *World) Save() error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.saveLocked()
}

func (w *World) saveLocked() error {
	if w.path == "" {
		return nil
	}
	raw, err := json.MarshalIndent(w.data, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(w.path, append(raw, '\n'), 0o600)
}

// Read runs fn with the world locked for reading. fn must not keep
// references into the data after it returns.
func (w *World) Read(fn func(d *Data)) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	fn(w.data)
}

// Update runs fn with the world locked for writing, then saves the world and
// marks the request in ctx as mutating. point names the mutation
// ("digitalocean.droplet.create"); if the crash-at fault names it, the
// process ends right after the save, as a kill would.
//
// When fn returns an error the world is saved all the same (fn may have
// changed it before failing), but the request is not marked as mutating
// unless fn called MarkMutated.
func (w *World) Update(ctx context.Context, point string, fn func(d *Data) error) error {
	w.mu.Lock()
	err := fn(w.data)
	crash := false
	if err == nil {
		markMutated(ctx, point)
		crash = w.reachedCrashPoint(point)
	}
	saveErr := w.saveLocked()
	w.mu.Unlock()
	if crash {
		// The process ends here, so the journal line the middleware would
		// write after the handler is written now.
		w.journalCrash(ctx)
		w.crash(point)
	}
	return errors.Join(err, saveErr)
}

// Settle runs fn with the world locked for writing and saves it, without
// marking the request as mutating: for the world catching up with its own
// clock (a droplet finishing its boot, an install completing) when someone
// looks. Such a change is the passage of time, not the request's doing.
func (w *World) Settle(fn func(d *Data)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	fn(w.data)
	return w.saveLocked()
}

// Now is the world's current time.
func (w *World) Now() time.Time { return w.clock.Now() }

// Scaled turns a simulated duration into the real one to wait.
func (w *World) Scaled(d time.Duration) time.Duration {
	var scale float64
	w.Read(func(data *Data) { scale = data.TimeScale })
	return time.Duration(math.Round(float64(d) * scale))
}

// Unscaled turns a real duration back into simulated time, e.g. the TTL
// left on a cached DNS answer.
func (w *World) Unscaled(real time.Duration) time.Duration {
	var scale float64
	w.Read(func(data *Data) { scale = data.TimeScale })
	if scale == 0 {
		return 0
	}
	return time.Duration(float64(real) / scale)
}

// After returns the real time at which simulated duration d from now ends.
func (w *World) After(d time.Duration) time.Time { return w.Now().Add(w.Scaled(d)) }

// Sleep waits for simulated duration d, or until ctx ends.
func (w *World) Sleep(ctx context.Context, d time.Duration) error {
	return waitx.Sleep(ctx, w.Scaled(d))
}

// Fault tells whether the named fault is active, and its parameter.
func (w *World) Fault(name string) (param string, active bool) {
	w.Read(func(d *Data) { param, active = d.Faults[name] })
	return param, active
}
