package debuglog

import (
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Redacted replaces every hidden secret.
const Redacted = "[REDACTED]"

// minSecretLen is the shortest value we hide: anything shorter would match
// ordinary words and numbers and make the log unreadable while hiding nothing
// worth hiding.
const minSecretLen = 4

// Redactor knows the secret values of this run and hides them.
// It is safe for concurrent use.
type Redactor struct {
	mu   sync.Mutex                // serialises Add; readers never take it
	snap atomic.Pointer[secretSet] // replaced whole on Add, so Redact needs no lock
}

// secretSet is an immutable snapshot of the known secrets. version grows on
// every change so that handlers can tell their cached state is stale.
type secretSet struct {
	secrets []string
	version uint64
}

// NewRedactor returns a Redactor that already knows secrets.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add makes r hide secrets from now on. Empty strings and values shorter than
// 4 bytes are ignored: too short to hide without mangling ordinary text.
// The URL-escaped forms of each secret are hidden too, because secrets often
// reach the log inside a request URL.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()

	old := r.snap.Load()
	var next secretSet
	if old != nil {
		next = secretSet{secrets: slices.Clone(old.secrets), version: old.version}
	}
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			if !slices.Contains(next.secrets, form) {
				next.secrets = append(next.secrets, form)
			}
		}
	}
	if old != nil && len(next.secrets) == len(old.secrets) {
		return // nothing new: keep handlers' caches valid
	}
	next.version++
	r.snap.Store(&next)
}

// version identifies the current set of secrets; it changes whenever Add
// learns something new. A nil Redactor never changes.
func (r *Redactor) version() uint64 {
	if r == nil {
		return 0
	}
	if s := r.snap.Load(); s != nil {
		return s.version
	}
	return 0
}

// Redact returns s with every occurrence of any known secret replaced by
// "[REDACTED]". Rather than replacing secrets one after another (where hiding
// "abcdef" first would leave the "ghi" of an overlapping "defghi" in
// "abcdefghi"), it marks every byte covered by any occurrence of any secret
// and replaces each marked run once, so no overlap or nesting leaks a tail.
// A nil Redactor returns s unchanged.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	set := r.snap.Load()
	if set == nil || len(s) < minSecretLen {
		return s
	}

	var covered []bool // allocated on the first match only: most text holds no secret
	for _, secret := range set.secrets {
		for from := 0; from < len(s); {
			i := strings.Index(s[from:], secret)
			if i < 0 {
				break
			}
			start := from + i
			if covered == nil {
				covered = make([]bool, len(s))
			}
			for j := start; j < start+len(secret); j++ {
				covered[j] = true
			}
			from = start + 1 // overlapping occurrences of the same secret count too
		}
	}
	if covered == nil {
		return s
	}

	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if !covered[i] {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString(Redacted)
		for i < len(s) && covered[i] {
			i++
		}
	}
	return b.String()
}

// secretKeyWords are the attribute key fragments that mark a value as secret
// whatever it holds, so a token nobody registered still stays out of the log.
var secretKeyWords = []string{
	"token", "password", "passwd", "secret", "api_key", "apikey",
	"authorization", "private_key", "credential",
}

// isSecretKey reports whether key names a secret. Dashes count as
// underscores so that header-style keys ("X-Api-Key", "private-key") match.
func isSecretKey(key string) bool {
	return containsAny(normaliseKey(key), secretKeyWords)
}

func normaliseKey(key string) string {
	return strings.ReplaceAll(strings.ToLower(key), "-", "_")
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
