package checks

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
)

// RecordsCheckID is the doctor id of the record-set check that verify and
// `dns verify` make: each record set the zone must serve, asked of the
// authoritative servers and then the public resolvers.
const RecordsCheckID = "dns.records"

// RecordVerdict is one record set judged: a line of verify's table, and
// of doctor's DNS records check. The authoritative servers decide pass or
// fail; resolvers still holding an old answer only make it a warning with
// the time their cache expires.
type RecordVerdict struct {
	Name   string   // the owner name, without the trailing dot
	Type   string   // A, MX, TXT…
	Want   []string // the values the zone must serve
	Served []string // what a wrong authoritative server serves (nil: nothing)
	// ServedKind says how it answered: "found", "NXDOMAIN", "no data", or
	// no verdict ("timeout", "SERVFAIL"…).
	ServedKind      string
	AuthoritativeOK bool
	Agreeing        []string // resolvers (host) that serve Want
	Stale           []StaleResolver
	Unanswered      []string // resolvers that gave no verdict
	Result          Result
}

// StaleResolver is a public resolver still serving an old answer from its
// cache, and when that answer expires.
type StaleResolver struct {
	Resolver string    // its address, e.g. 8.8.8.8
	Serves   []string  // what it serves now (nil: nothing)
	Until    time.Time // when its cached answer (or absence) expires
}

// JudgeRecord turns one expectation's answers into a verdict. now is the
// time the answers were given (Until counts from it).
func JudgeRecord(r dnsq.Result, now time.Time) RecordVerdict {
	exp := r.Expectation
	v := RecordVerdict{Name: strings.TrimSuffix(dns.CanonicalName(exp.Name), "."), Type: typeName(exp.Type),
		Want: exp.Values, AuthoritativeOK: r.AuthoritativeOK}
	what := v.Name + " " + v.Type
	if !r.AuthoritativeOK {
		return judgeAuthoritative(v, r, what)
	}
	for _, a := range r.Resolvers {
		host := hostOf(a.Server)
		switch {
		case slices.Contains(r.Agreeing, a.Server):
			v.Agreeing = append(v.Agreeing, host)
		case slices.Contains(r.Stale, a.Server):
			ttl := a.TTL
			if a.Kind != dnsq.Found {
				ttl = a.NegativeTTL
			}
			v.Stale = append(v.Stale, StaleResolver{Resolver: host, Serves: a.Values, Until: now.Add(ttl)})
		default:
			v.Unanswered = append(v.Unanswered, host)
		}
	}
	switch {
	case len(v.Stale) > 0:
		var parts []string
		for _, s := range v.Stale {
			parts = append(parts, fmt.Sprintf("%s until %s", s.Resolver, ClockTime(s.Until, now)))
		}
		v.Result = Result{Status: Warn, RecheckAfter: r.RecheckAfter,
			Detail: fmt.Sprintf("%s: the authoritative servers serve it; still propagating: old answer cached at %s", what, strings.Join(parts, ", ")),
			Fix:    fmt.Sprintf("nothing to do: other networks see it by %s; check again then with \"chapterctl dns verify\"", ClockTime(r.RecheckAfter, now))}
	case len(v.Unanswered) > 0:
		v.Result = Result{Status: Pass,
			Detail: fmt.Sprintf("%s: served by the authoritative servers; %d of %d public resolvers agree (%s did not answer)",
				what, len(v.Agreeing), len(r.Resolvers), strings.Join(v.Unanswered, ", "))}
	default:
		v.Result = Result{Status: Pass, Detail: fmt.Sprintf("%s: served by the authoritative servers and every public resolver asked", what)}
	}
	return v
}

// judgeAuthoritative is the verdict when not every authoritative server
// serves the record: a fail when one of them answered something else, an
// unknown when none that answered disagrees but some gave no answer.
func judgeAuthoritative(v RecordVerdict, r dnsq.Result, what string) RecordVerdict {
	var silent *dnsq.Answer
	for i, a := range r.Authoritative {
		if !slices.Contains(r.WrongAt, a.Server) {
			continue
		}
		switch a.Kind {
		case dnsq.Found, dnsq.NXDomain, dnsq.NoData:
			v.Served, v.ServedKind = a.Values, a.Kind.String()
			v.Result = Result{Status: Fail,
				Detail: fmt.Sprintf("%s: the authoritative server %s serves %s, want %s", what, hostOf(a.Server),
					Values(v.Type, a.Values, a.Kind.String()), Values(v.Type, v.Want, "nothing")),
				Fix: `run "chapterctl dns apply" to write the record as the chapter needs it`}
			return v
		default:
			if silent == nil {
				silent = &r.Authoritative[i]
			}
		}
	}
	if silent == nil {
		// No authoritative server was found to ask.
		v.ServedKind = "not asked"
		v.Result = Result{Status: Unknown, Detail: what + ": no authoritative server to ask",
			Fix: "check the domain's nameservers at Gandi, then run \"chapterctl dns verify\" again"}
		return v
	}
	v.ServedKind = silent.Kind.String()
	detail := fmt.Sprintf("%s: the authoritative server %s gave no answer (%s)", what, hostOf(silent.Server), silent.Kind)
	if silent.Err != nil {
		detail = fmt.Sprintf("%s: %v", what, silent.Err)
	}
	v.Result = Result{Status: Unknown, Detail: detail, Fix: "check this computer's network connection, then run \"chapterctl dns verify\" again"}
	return v
}

// VerifyRecords finds zone's authoritative servers from its NS records and
// judges every expectation there and, where they serve it, at the public
// resolvers, with one round of questions: what `dns verify` and doctor
// ask. The error is only for servers that cannot be found.
func VerifyRecords(ctx context.Context, q *dnsq.Querier, zone string, exps []dnsq.Expectation, now time.Time) ([]RecordVerdict, error) {
	servers, err := q.Authoritative(ctx, zone)
	if err != nil {
		return nil, err
	}
	results := q.Verify(ctx, servers, nil, exps, now)
	verdicts := make([]RecordVerdict, len(results))
	for i, r := range results {
		verdicts[i] = JudgeRecord(r, now)
	}
	return verdicts, nil
}

// Values shows a record set's values as a person reads them: TXT in
// quotes, several joined with commas, none as empty.
func Values(typ string, values []string, empty string) string {
	if len(values) == 0 {
		return empty
	}
	shown := make([]string, len(values))
	for i, v := range values {
		switch {
		case typ == "TXT" || typ == "SPF":
			v = `"` + v + `"`
		case strings.HasSuffix(v, ".") && !strings.HasSuffix(v, " ."):
			v = strings.TrimSuffix(v, ".") // as the record list writes host names
		}
		shown[i] = v
	}
	return strings.Join(shown, ", ")
}

func typeName(qtype uint16) string {
	if s, ok := dns.TypeToString[qtype]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", qtype)
}

// hostOf drops DNS's port from a server address for display.
func hostOf(server string) string {
	if host, port, err := net.SplitHostPort(server); err == nil && port == "53" {
		return host
	}
	return server
}
