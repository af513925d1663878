package checks

import (
	"context"
	"crypto/x509"
	"sync"
	"time"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/gandi"
	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// Env is what checks may look at: the chapter as chapter.yaml and the
// state describe it, and the adapters that reach the world. cmd builds
// it; in the sandbox only Dialer and Roots differ. A nil client means its
// token is missing: the checks that need it say so (unknown).
type Env struct {
	Dir    workdir.Dir
	Config *chapter.Config // nil when chapter.yaml is missing
	State  *state.State    // nil when there is none
	Dialer netx.Dialer
	Roots  *x509.CertPool // nil: the system's
	DNS    *dnsq.Querier

	Cloudron     *cloudron.Client
	Gandi        *gandi.Client
	DigitalOcean *digitalocean.Client
	// RDAPBootstrap is IANA's bootstrap file for DNS (RFC 9224).
	RDAPBootstrap string

	Now func() time.Time
	// Waiting is told about a check still running after a few seconds,
	// so the organizer sees what doctor is waiting on.
	Waiting func(c Check, waited time.Duration)
	// SlowAfter is how long a check runs before Waiting hears of it
	// (0: a few seconds).
	SlowAfter time.Duration

	facts sync.Map // key → *fact: answers the checks share in one run
}

// DefaultRDAPBootstrap is IANA's RDAP bootstrap file for domains.
const DefaultRDAPBootstrap = "https://data.iana.org/rdap/dns.json"

// Domain is the chapter's domain, "" when chapter.yaml is missing.
func (e *Env) Domain() string {
	if e.Config == nil {
		return ""
	}
	return e.Config.Domain
}

// Output is an output an init step recorded, "" when none.
func (e *Env) Output(step, key string) string {
	if e.State == nil {
		return ""
	}
	return e.State.Output(step, key)
}

// IPv4 is the droplet's address as the droplet step recorded it.
func (e *Env) IPv4() string { return e.Output("droplet", "ipv4") }

// ServerHost is my.<domain>: the dashboard, the mail server's name.
func (e *Env) ServerHost() string { return "my." + e.Domain() }

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// fact is one answer several checks share: asked once per run, whoever
// asks first, under its own deadline so that one check's timeout does not
// spoil it for the others.
type fact struct {
	done chan struct{}
	v    any
	err  error
}

// shared answers key from the run's cache, asking with get the first
// time. A caller whose ctx ends first gets ctx's error; the question goes
// on for the others.
func shared[T any](ctx context.Context, e *Env, key string, limit time.Duration, get func(ctx context.Context) (T, error)) (T, error) {
	f := &fact{done: make(chan struct{})}
	if old, loaded := e.facts.LoadOrStore(key, f); loaded {
		f = old.(*fact)
	} else {
		go func() {
			defer close(f.done)
			qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
			defer cancel()
			f.v, f.err = get(qctx)
		}()
	}
	var zero T
	select {
	case <-f.done:
		if f.err != nil {
			return zero, f.err
		}
		return f.v.(T), nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}
