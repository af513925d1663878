package dnsq

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Expectation is a record set as it should be served: every value of
// (Name, Type), no more, no fewer (Normalise says how values compare). No
// Values means the name must have no records of the type (NXDOMAIN or
// NODATA): a record that was removed.
type Expectation struct {
	Name   string
	Type   uint16
	Values []string
}

// Result is how far one expectation has got, from the authoritative
// servers out to the public resolvers.
type Result struct {
	Expectation Expectation
	// Authoritative holds each authoritative server's answer, in the order
	// the servers were given.
	Authoritative []Answer
	// AuthoritativeOK is true when every authoritative server serves the
	// expected values (and at least one server was asked).
	AuthoritativeOK bool
	// WrongAt lists the authoritative servers that do not (host:port).
	WrongAt []string
	// Resolvers holds each resolver's answer, in order. It is empty until
	// AuthoritativeOK: a resolver asked earlier would cache the absence,
	// for up to three hours at Gandi's SOA.
	Resolvers []Answer
	// Agreeing lists the resolvers that already serve the expected values.
	Agreeing []string
	// Stale lists the resolvers that serve something else, from their cache.
	Stale []string
	// Unanswered lists the resolvers that gave no verdict (timeout,
	// SERVFAIL, REFUSED, unreachable): they can tell neither way.
	Unanswered []string
	// RecheckAfter is when every stale resolver's cached answer will have
	// expired: now plus the longest remaining TTL (NegativeTTL for an
	// absence). Zero when no resolver is stale.
	RecheckAfter time.Time
}

// Propagated tells whether the authoritative servers and every resolver
// asked serve the expected values.
func (r Result) Propagated() bool {
	return r.AuthoritativeOK && len(r.Resolvers) > 0 && len(r.Agreeing) == len(r.Resolvers)
}

// Verify checks exps at every authoritative server (servers, host:port),
// all at once; each expectation that every one of them serves is then
// checked at every resolver (resolvers, or the Querier's when empty), all
// at once. Each expectation moves on to the resolvers as soon as its own
// authoritative answers are in, so the wall time is about one round trip
// to the authoritative servers plus one to the resolvers. now is the time
// RecheckAfter counts from. ctx bounds the whole check; questions it cuts
// short come back as Timeout or Error answers.
func (q *Querier) Verify(ctx context.Context, servers, resolvers []string, exps []Expectation, now time.Time) []Result {
	if len(resolvers) == 0 {
		resolvers = q.resolvers()
	}
	slots := make(chan struct{}, maxInFlight)
	results := make([]Result, len(exps))
	var wg sync.WaitGroup
	for i, exp := range exps {
		wg.Go(func() { results[i] = q.verifyOne(ctx, slots, servers, resolvers, exp, now) })
	}
	wg.Wait()
	return results
}

// VerifyAuthoritative is the first half of Verify: exps checked at every
// authoritative server, all at once, and no resolver asked. A wait for the
// authoritative servers polls with it, so that the resolvers are asked
// once, at the end, rather than at every poll.
func (q *Querier) VerifyAuthoritative(ctx context.Context, servers []string, exps []Expectation) []Result {
	slots := make(chan struct{}, maxInFlight)
	results := make([]Result, len(exps))
	var wg sync.WaitGroup
	for i, exp := range exps {
		wg.Go(func() { results[i] = q.verifyAuthoritative(ctx, slots, servers, exp) })
	}
	wg.Wait()
	return results
}

func (q *Querier) verifyAuthoritative(ctx context.Context, slots chan struct{}, servers []string, exp Expectation) Result {
	want := normaliseAll(exp.Type, exp.Values)
	res := Result{Expectation: exp, AuthoritativeOK: len(servers) > 0}
	res.Authoritative = askAll(ctx, slots, servers, exp, q.AskAuthoritative)
	for _, a := range res.Authoritative {
		if !serves(a, want) {
			res.AuthoritativeOK = false
			res.WrongAt = append(res.WrongAt, a.Server)
		}
	}
	return res
}

func (q *Querier) verifyOne(ctx context.Context, slots chan struct{}, servers, resolvers []string, exp Expectation, now time.Time) Result {
	want := normaliseAll(exp.Type, exp.Values)
	res := q.verifyAuthoritative(ctx, slots, servers, exp)
	if !res.AuthoritativeOK {
		return res
	}
	res.Resolvers = askAll(ctx, slots, resolvers, exp, q.AskResolver)
	var longest time.Duration
	for _, a := range res.Resolvers {
		switch {
		case serves(a, want):
			res.Agreeing = append(res.Agreeing, a.Server)
		case a.Kind == Found:
			res.Stale = append(res.Stale, a.Server)
			longest = max(longest, a.TTL)
		case a.Kind == NXDomain || a.Kind == NoData:
			res.Stale = append(res.Stale, a.Server)
			longest = max(longest, a.NegativeTTL)
		default:
			res.Unanswered = append(res.Unanswered, a.Server)
		}
	}
	if len(res.Stale) > 0 {
		res.RecheckAfter = now.Add(longest)
	}
	return res
}

// serves tells whether a gives exactly the values wanted (sorted sets).
func serves(a Answer, want []string) bool {
	if len(want) == 0 {
		return a.Kind == NXDomain || a.Kind == NoData
	}
	return a.Kind == Found && slices.Equal(a.Values, want)
}

// askFunc is AskAuthoritative or AskResolver.
type askFunc func(ctx context.Context, server, name string, qtype uint16) (Answer, error)

// askAll asks every server about exp at once, each question holding one of
// slots while in flight, and returns the answers in the servers' order.
func askAll(ctx context.Context, slots chan struct{}, servers []string, exp Expectation, ask askFunc) []Answer {
	out := make([]Answer, len(servers))
	var wg sync.WaitGroup
	for i, server := range servers {
		wg.Go(func() {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				out[i] = notAsked(ctx, server, exp)
				return
			}
			defer func() { <-slots }()
			out[i], _ = ask(ctx, server, exp.Name, exp.Type)
		})
	}
	wg.Wait()
	return out
}

// notAsked is the answer for a question ctx ended before it was sent.
func notAsked(ctx context.Context, server string, exp Expectation) Answer {
	kind := errorKind(ctx, ctx.Err())
	qe := &QueryError{Server: server, Name: dns.CanonicalName(exp.Name), Type: exp.Type, Kind: kind, Err: ctx.Err()}
	return Answer{Server: server, Rcode: -1, Kind: kind, Err: qe}
}
