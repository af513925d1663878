package dnsq

import (
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Kind is what an answer says about the name, in the terms a check needs:
// a verdict (Found, NXDomain, NoData) or no verdict at all (the rest).
type Kind int

const (
	// Found: the name has records of the type (or is an alias whose target
	// this server does not serve; see Answer.Aliases).
	Found Kind = iota + 1
	// NXDomain: the name does not exist.
	NXDomain
	// NoData: the name exists, without records of the type.
	NoData
	// ServFail: the server failed to resolve the name (SERVFAIL).
	ServFail
	// Refused: the server refused to answer (REFUSED): not its zone, or
	// not a client it serves.
	Refused
	// Timeout: no answer in time.
	Timeout
	// Error: no usable answer: unreachable, not authoritative, malformed.
	Error
)

// String is the kind as doctor and the debug log show it.
func (k Kind) String() string {
	switch k {
	case Found:
		return "found"
	case NXDomain:
		return "NXDOMAIN"
	case NoData:
		return "no data"
	case ServFail:
		return "SERVFAIL"
	case Refused:
		return "REFUSED"
	case Timeout:
		return "timeout"
	case Error:
		return "error"
	}
	return "not asked"
}

// Answer is one server's answer to one question.
type Answer struct {
	Server string // host:port asked
	Rcode  int    // the answer's code; -1 when there was no answer
	Kind   Kind
	// Values are the records of the asked type, normalised (see Normalise)
	// and sorted: "203.0.113.10", "10 my.example.org.", a TXT's strings
	// joined, `0 issue "letsencrypt.org"`, CNAME/NS/PTR targets.
	Values []string
	// Aliases are the CNAME targets followed from the name to the records,
	// in order. With Kind Found and no Values, the last alias points outside
	// what the server serves.
	Aliases []string
	// TTL is how long the records may still be cached: the smallest TTL of
	// the records and aliases (counting down at a resolver).
	TTL time.Duration
	// NegativeTTL is, for NXDOMAIN and NODATA, how long the absence may be
	// cached: min(SOA TTL, SOA MINIMUM) of the authority section (RFC 2308).
	NegativeTTL time.Duration
	// Err is why there was no usable answer (Kind Timeout or Error).
	Err error
}

// maxChain is how many CNAMEs an answer is followed through, as resolvers
// stop at some depth too.
const maxChain = 8

// answerFrom classifies r, the answer to (qname, qtype).
func answerFrom(r *dns.Msg, server, qname string, qtype uint16) Answer {
	ans := Answer{Server: server, Rcode: r.Rcode}
	switch r.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
	case dns.RcodeServerFailure:
		ans.Kind = ServFail
		return ans
	case dns.RcodeRefused:
		ans.Kind = Refused
		return ans
	default:
		ans.Kind = Error
		return ans
	}
	values, aliases, ttl := follow(r.Answer, qname, qtype)
	ans.Values, ans.Aliases = values, aliases
	negative, hasSOA := negativeTTL(r.Ns)
	switch {
	case r.Rcode == dns.RcodeNameError:
		ans.Kind, ans.NegativeTTL = NXDomain, negative
	case len(values) > 0:
		ans.Kind, ans.TTL = Found, ttl
	case hasSOA || len(aliases) == 0:
		// NODATA, possibly at the end of an alias chain (RFC 2308 §2.2).
		ans.Kind, ans.NegativeTTL = NoData, negative
	default:
		ans.Kind, ans.TTL = Found, ttl
	}
	return ans
}

// follow collects the records of qtype owned by qname, or by the target of
// the CNAME chain starting at qname: an answer may hold CNAMEs first, and
// records of other owners that belong to no chain are ignored.
func follow(rrs []dns.RR, qname string, qtype uint16) (values, aliases []string, ttl time.Duration) {
	name := qname
	minTTL := uint32(1<<32 - 1)
	for range maxChain + 1 {
		next := ""
		for _, rr := range rrs {
			h := rr.Header()
			if !strings.EqualFold(h.Name, name) {
				continue
			}
			cname, isCNAME := rr.(*dns.CNAME)
			switch {
			case h.Rrtype == qtype:
				values = append(values, valueOf(rr))
				minTTL = min(minTTL, h.Ttl)
			case isCNAME && next == "":
				next = dns.CanonicalName(cname.Target)
				minTTL = min(minTTL, h.Ttl)
			}
		}
		if len(values) > 0 || next == "" || slices.Contains(aliases, next) {
			break
		}
		aliases = append(aliases, next)
		name = next
	}
	if len(values) == 0 && len(aliases) == 0 {
		return nil, nil, 0
	}
	return sortedSet(values), aliases, seconds(minTTL)
}

// negativeTTL is min(SOA TTL, SOA MINIMUM) of the SOA in the authority
// section. At a resolver the SOA's TTL counts down while MINIMUM does not,
// so the minimum is also what remains of the cached absence.
func negativeTTL(ns []dns.RR) (time.Duration, bool) {
	for _, rr := range ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return seconds(min(soa.Hdr.Ttl, soa.Minttl)), true
		}
	}
	return 0, false
}

func seconds(ttl uint32) time.Duration { return time.Duration(ttl) * time.Second }

// sortedSet sorts values and drops repeats: an rrset is a set.
func sortedSet(values []string) []string {
	slices.Sort(values)
	return slices.Compact(values)
}
