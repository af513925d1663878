package debuglog

import (
	"context"
	"encoding"
	"fmt"
	"log/slog"
	"sync/atomic"
)

// NewHandler wraps next so that nothing secret reaches it. Every record's
// message and every attribute (groups and nested groups, WithAttrs and
// WithGroup attributes, slog.LogValuer values resolved first, errors,
// fmt.Stringer, []string and any other value) passes through r; an attribute
// whose key names a secret (token, password, passwd, secret, api_key, apikey,
// authorization, private_key, credential; case-insensitive) has its value
// replaced by "[REDACTED]" whatever it is. A nil r hides only such keys.
func NewHandler(next slog.Handler, r *Redactor) slog.Handler {
	return &handler{base: next, r: r}
}

// handler keeps WithGroup/WithAttrs calls unapplied (ops) and replays them on
// base, redacted, whenever the Redactor learns a new secret. Redacting once at
// WithAttrs time would let a logger derived before a token was known write that
// token forever after.
type handler struct {
	base  slog.Handler
	r     *Redactor
	ops   []op
	cache atomic.Pointer[derived]
}

// op is one WithGroup (group set) or WithAttrs (attrs set) call.
type op struct {
	group string
	attrs []slog.Attr
}

// derived is base with ops applied, redacted as of a Redactor version.
type derived struct {
	version uint64
	next    slog.Handler
}

func (h *handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next().Enabled(ctx, level)
}

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	clean := slog.NewRecord(rec.Time, rec.Level, h.r.Redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		clean.AddAttrs(redactAttr(h.r, a))
		return true
	})
	return h.next().Handle(ctx, clean)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return h.with(op{attrs: attrs})
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h // slog.Handler contract: an empty group changes nothing
	}
	return h.with(op{group: name})
}

func (h *handler) with(o op) *handler {
	ops := make([]op, len(h.ops), len(h.ops)+1)
	copy(ops, h.ops)
	return &handler{base: h.base, r: h.r, ops: append(ops, o)}
}

// next returns base with the ops applied and redacted with the current
// secrets, rebuilding it only when the Redactor has changed since last time.
// The version is read before building, so a racing Add at worst causes one
// extra rebuild, never a stale handler marked as current.
func (h *handler) next() slog.Handler {
	if len(h.ops) == 0 {
		return h.base
	}
	v := h.r.version()
	if d := h.cache.Load(); d != nil && d.version == v {
		return d.next
	}
	next := h.base
	for _, o := range h.ops {
		if o.attrs == nil {
			next = next.WithGroup(h.r.Redact(o.group))
			continue
		}
		clean := make([]slog.Attr, len(o.attrs))
		for i, a := range o.attrs {
			clean[i] = redactAttr(h.r, a)
		}
		next = next.WithAttrs(clean)
	}
	h.cache.Store(&derived{version: v, next: next})
	return next
}

// redactAttr returns a with its key and value redacted, recursing into groups.
func redactAttr(r *Redactor, a slog.Attr) slog.Attr {
	a.Key = r.Redact(a.Key)
	a.Value = a.Value.Resolve()
	if isSecretKey(a.Key) {
		a.Value = slog.StringValue(Redacted)
		return a
	}
	switch a.Value.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(r.Redact(a.Value.String()))
	case slog.KindGroup:
		group := a.Value.Group()
		clean := make([]slog.Attr, len(group))
		for i, g := range group {
			clean[i] = redactAttr(r, g)
		}
		a.Value = slog.GroupValue(clean...)
	case slog.KindAny:
		// Redact the very text a handler would print for the value; keeping
		// the value itself would let its formatting (a struct's fields, an
		// error's chain) reintroduce a secret after we looked.
		a.Value = slog.StringValue(r.Redact(anyText(a.Value.Any())))
	default:
		// Numbers, bools, durations, times: a numeric PIN is still a secret.
		if s := a.Value.String(); r.Redact(s) != s {
			a.Value = slog.StringValue(r.Redact(s))
		}
	}
	return a
}

// anyText formats v as slog.TextHandler does: TextMarshaler first, then
// []byte as text, then %+v (which covers error and fmt.Stringer).
func anyText(v any) string {
	switch v := v.(type) {
	case encoding.TextMarshaler:
		if b, err := v.MarshalText(); err == nil {
			return string(b)
		}
	case []byte:
		return string(v)
	}
	return fmt.Sprintf("%+v", v)
}
