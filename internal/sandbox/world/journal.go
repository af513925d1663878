package world

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"
)

// Entry is one line of .chapterctl/sandbox/journal.jsonl: a request a
// simulator received (DESIGN.md's shape, plus the crash point name).
type Entry struct {
	Service  string `json:"service"` // digitalocean|gandi|cloudron|mailgun|ssh|dns
	Method   string `json:"method"`  // HTTP method, "exec" for SSH, the query type for DNS
	Path     string `json:"path"`    // URL path, the SSH command, the DNS name
	Status   int    `json:"status"`  // HTTP status, SSH exit status, DNS rcode; 0 when the process died first
	Mutating bool   `json:"mutating"`
	// Point names the mutation, for crash-at.
	Point string    `json:"point,omitempty"`
	Time  time.Time `json:"time"`
}

// Journal appends entries to a file. A nil *Journal drops them.
type Journal struct {
	mu   sync.Mutex
	file *os.File
}

// OpenJournal opens (or creates) the journal file for appending.
func OpenJournal(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return &Journal{file: f}, nil
}

// Write appends one entry. Each entry is one write of one line, so lines
// from concurrent requests never interleave.
func (j *Journal) Write(e Entry) {
	if j == nil {
		return
	}
	line, err := json.Marshal(e)
	if err != nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.file.Write(append(line, '\n'))
}

// Close closes the file.
func (j *Journal) Close() error {
	if j == nil {
		return nil
	}
	return j.file.Close()
}

// Request is what the world learns about the request being served: the
// simulator's middleware puts it in the context, Update fills in whether
// it changed the world.
type Request struct {
	Entry
	mu      sync.Mutex
	dropped bool // answered with nothing: journaled with status 0
}

type requestKey struct{}

// WithRequest returns ctx carrying a new request record.
func WithRequest(ctx context.Context, service, method, path string) (context.Context, *Request) {
	r := &Request{Entry: Entry{Service: service, Method: method, Path: path}}
	return context.WithValue(ctx, requestKey{}, r), r
}

func requestOf(ctx context.Context) *Request {
	r, _ := ctx.Value(requestKey{}).(*Request)
	return r
}

// markMutated records that the request in ctx changed the world, for
// Update.
func markMutated(ctx context.Context, point string) {
	if r := requestOf(ctx); r != nil {
		r.mu.Lock()
		r.Mutating = true
		if r.Point == "" {
			r.Point = point
		}
		r.mu.Unlock()
	}
}

// Finish writes the request's journal line with its outcome.
func (w *World) Finish(r *Request, status int) {
	r.mu.Lock()
	e := r.Entry
	if r.dropped {
		status = 0
	}
	r.mu.Unlock()
	e.Status, e.Time = status, w.Now().UTC()
	w.log.Write(e)
}

func (w *World) journalCrash(ctx context.Context) {
	if r := requestOf(ctx); r != nil {
		w.Finish(r, 0)
	}
}

// ReadJournal reads every entry of the journal file at path, in the order
// the world received them: what tests and `sandbox journal` look at.
func ReadJournal(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var entries []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20) // an SSH command line can be long
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("journal line %q: %w", sc.Text(), err)
		}
		entries = append(entries, e)
	}
	return entries, sc.Err()
}
