package world

import (
	"os"
	"strconv"
	"strings"
)

// CrashAt is the fault that ends the chapterctl process right after the
// world commits a named mutation: "crash-at=digitalocean.droplet.create", or
// "…#3" for the third time that point is reached. It fires once, then clears
// itself, so the rerun that follows can finish.
const CrashAt = "crash-at"

// reachedCrashPoint counts point and tells whether the crash-at fault fires
// now. Called with the world locked for writing.
func (w *World) reachedCrashPoint(point string) bool {
	want, active := w.data.Faults[CrashAt]
	if !active || point == "" {
		return false
	}
	name, nth := want, 1
	if i := strings.LastIndexByte(want, '#'); i >= 0 {
		if n, err := strconv.Atoi(want[i+1:]); err == nil && n > 0 {
			name, nth = want[:i], n
		}
	}
	if name != point {
		return false
	}
	if w.data.Next("crash:"+point) < nth {
		return false
	}
	delete(w.data.Faults, CrashAt)
	delete(w.data.Counters, "crash:"+point)
	return true
}

// killProcess ends the process the way a kill -9 would: no deferred
// functions, no state saved by chapterctl after this instant.
func killProcess(string) {
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		p.Kill() // SIGKILL on Unix, TerminateProcess on Windows
	}
	select {} // the signal is on its way
}
