package dnsq

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Listing is a blocklist's verdict on an address or a domain. Unknown is
// never a pass nor a fail: the list or the resolver would not say, and
// Reason tells why.
type Listing struct {
	Listed  bool
	Unknown bool
	// Code is the list's answer ("127.0.0.2"; several are joined with ",").
	Code string
	// Reason is what the code means (which Spamhaus list, and why), or why
	// the answer tells nothing.
	Reason string
	// Detail is the list's own explanation (its TXT record, usually a
	// lookup URL), when listed.
	Detail string
	// TTL is how long the answer may stay cached: a delisting shows only
	// once it has passed.
	TTL time.Duration
}

// Blocklisted asks resolver whether the DNS blocklist zone (zen.spamhaus.org,
// bl.spamcop.net, …) lists ip, by the A record of its reversed form
// (RFC 5782: d.c.b.a.<zone>, or 32 reversed nibbles for IPv6). NXDOMAIN is
// "not listed"; an answer outside the list's documented codes, Spamhaus'
// refusals (127.255.255.252, .254, .255), SERVFAIL and REFUSED are Unknown.
// The error is non-nil, with Unknown set, when ip is not an address or the
// resolver could not be asked.
func (q *Querier) Blocklisted(ctx context.Context, resolver, ip, zone string) (Listing, error) {
	addr, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return Listing{Unknown: true, Reason: "not an IP address"}, fmt.Errorf("blocklist check: %q is not an IP address", ip)
	}
	zone = dns.CanonicalName(strings.TrimSpace(zone))
	return q.listing(ctx, resolver, reverseName(addr)+"."+zone, zone, false)
}

// DomainBlocklisted asks resolver whether the domain blocklist zone
// (dbl.spamhaus.org, multi.surbl.org) lists domain, asked as
// <domain>.<zone>. Verdicts and errors are as for Blocklisted; Spamhaus'
// 127.0.1.255 (an IP asked of the domain list) is Unknown.
func (q *Querier) DomainBlocklisted(ctx context.Context, resolver, domain, zone string) (Listing, error) {
	domain = strings.TrimSuffix(dns.CanonicalName(strings.TrimSpace(domain)), ".")
	if _, err := netip.ParseAddr(domain); err == nil || domain == "" {
		return Listing{Unknown: true, Reason: "not a domain name"}, fmt.Errorf("blocklist check: %q is not a domain name", domain)
	}
	zone = dns.CanonicalName(strings.TrimSpace(zone))
	return q.listing(ctx, resolver, domain+"."+zone, zone, true)
}

func (q *Querier) listing(ctx context.Context, resolver, qname, zone string, domainList bool) (Listing, error) {
	list := listName(zone)
	ans, err := q.AskResolver(ctx, resolver, qname, dns.TypeA)
	if err != nil {
		// The question is not repeated: with a DQS key the zone is a secret.
		what := "did not answer in time"
		if ans.Kind != Timeout {
			what = "could not be asked"
		}
		var qe *QueryError
		if errors.As(err, &qe) && errors.Is(qe.Err, errBadName) {
			what = "cannot be asked about this name (it is not a valid DNS name)"
		}
		reason := fmt.Sprintf("the resolver %s %s", resolver, what)
		return Listing{Unknown: true, Reason: reason}, fmt.Errorf("blocklist %s: %s: try again later, or from another network", list, reason)
	}
	switch ans.Kind {
	case NXDomain, NoData:
		// RFC 5782: a listing is an A record; its absence is "not listed".
		return Listing{TTL: ans.NegativeTTL}, nil
	case ServFail, Refused:
		return Listing{Unknown: true, Reason: fmt.Sprintf("the resolver %s answered %s for %s", resolver, ans.Kind, list)}, nil
	}
	l := interpret(ans.Values, zone, domainList)
	l.TTL = ans.TTL
	if l.Listed {
		// The why and the removal URL; a missing TXT leaves just the code.
		if txt, err := q.AskResolver(ctx, resolver, qname, dns.TypeTXT); err == nil && txt.Kind == Found {
			l.Detail = strings.Join(txt.Values, " ")
		}
	}
	return l, nil
}

// Interpret judges a blocklist's answer codes got some other way (dig on
// the server): what Blocklisted makes of them. zone is the list's zone;
// domainList is true for a domain list such as the DBL.
func Interpret(codes []string, zone string, domainList bool) Listing {
	return interpret(codes, dns.CanonicalName(strings.TrimSpace(zone)), domainList)
}

// interpret reads a list's answer codes: a listing only when every code is
// inside 127.0.0.0/8 and in the list's documented set (doctor-checks.md
// §3), Unknown as soon as one is not: an error code, or an address a
// resolver that rewrites NXDOMAIN made up.
func interpret(codes []string, zone string, domainList bool) Listing {
	l := Listing{Code: strings.Join(codes, ",")}
	var reasons []string
	for _, code := range codes {
		listed, meaning := codeMeaning(code, zone, domainList)
		if !listed {
			return Listing{Unknown: true, Code: l.Code, Reason: meaning}
		}
		reasons = append(reasons, meaning)
	}
	l.Listed = len(reasons) > 0
	l.Reason = strings.Join(reasons, "; ")
	if !l.Listed {
		l.Unknown, l.Reason = true, "the blocklist answered without an address"
	}
	return l
}

// codeMeaning says whether code is a listing in zone, and what it means;
// for a code that is no listing, why the answer tells nothing.
func codeMeaning(code, zone string, domainList bool) (bool, string) {
	list := listName(zone)
	addr, err := netip.ParseAddr(code)
	if err != nil || !addr.Is4() || !netip.MustParsePrefix("127.0.0.0/8").Contains(addr) {
		return false, fmt.Sprintf("%s answered %s, outside 127.0.0.0/8: the resolver rewrites answers, so it cannot be trusted for blocklist checks", list, code)
	}
	if meaning, isRefusal := refusals[code]; isRefusal {
		return false, list + " refused to answer this resolver: " + meaning
	}
	if isSpamhaus(zone) {
		book := spamhausIPCodes
		if domainList {
			book = spamhausDomainCodes
		}
		if meaning, ok := book[code]; ok {
			return true, "listed on Spamhaus " + meaning
		}
		if domainList && code == "127.0.1.255" {
			return false, list + " answered 127.0.1.255: it was asked about an IP address, not a domain"
		}
		return false, fmt.Sprintf("%s answered %s, which is not one of its documented codes", list, code)
	}
	if code == "127.0.0.1" { // RFC 5782 §5: never a listing
		return false, list + " answered 127.0.0.1, which no blocklist uses for a listing"
	}
	return true, "listed on " + list
}

// refusals are Spamhaus' error answers (Spamhaus news article 807), which
// any list answering in 127.255.255.0/24 is taken to mean the same way.
var refusals = map[string]string{
	"127.255.255.252": "the list's name is wrong (a typing error in the zone)",
	"127.255.255.254": "it refuses queries that come through public or open resolvers; ask from the server's own resolver",
	"127.255.255.255": "too many queries from this resolver; ask from the server's own resolver",
}

// spamhausIPCodes are ZEN's codes (docs.spamhaus.com, zones table).
var spamhausIPCodes = map[string]string{
	"127.0.0.2":  "SBL: a known spam source or spam operation",
	"127.0.0.3":  "CSS: it recently sent low-reputation mail",
	"127.0.0.4":  "XBL: it looks like an infected or exploited machine",
	"127.0.0.5":  "XBL: it looks like an infected or exploited machine",
	"127.0.0.6":  "XBL: it looks like an infected or exploited machine",
	"127.0.0.7":  "XBL: it looks like an infected or exploited machine",
	"127.0.0.9":  "DROP: the address range is hijacked or run by spammers",
	"127.0.0.10": "PBL: its owner says this range should not send mail directly (a server with the right reverse DNS can be removed)",
	"127.0.0.11": "PBL: Spamhaus considers this range not meant to send mail directly (a server with the right reverse DNS can be removed)",
	"127.0.0.30": "BCL: a botnet controller",
}

// spamhausDomainCodes are the DBL's codes.
var spamhausDomainCodes = map[string]string{
	"127.0.1.2":   "DBL: a domain with a spam reputation",
	"127.0.1.4":   "DBL: a phishing domain",
	"127.0.1.5":   "DBL: a malware domain",
	"127.0.1.6":   "DBL: a botnet controller domain",
	"127.0.1.102": "DBL: an abused legitimate domain, used for spam",
	"127.0.1.103": "DBL: an abused legitimate domain, used as a spam redirector",
	"127.0.1.104": "DBL: an abused legitimate domain, used for phishing",
	"127.0.1.105": "DBL: an abused legitimate domain, used for malware",
	"127.0.1.106": "DBL: an abused legitimate domain, used by a botnet controller",
}

func isSpamhaus(zone string) bool {
	return dns.IsSubDomain("spamhaus.org.", zone) || dns.IsSubDomain("spamhaus.net.", zone)
}

// listName is the zone as messages show it: Spamhaus' DQS zones begin with
// the account's key (<key>.zen.dq.spamhaus.net), which stays out of them.
func listName(zone string) string {
	zone = strings.TrimSuffix(zone, ".")
	if strings.HasSuffix(zone, ".dq.spamhaus.net") {
		if _, rest, ok := strings.Cut(zone, "."); ok && strings.Count(rest, ".") >= 3 {
			return rest
		}
	}
	return zone
}

// reverseName is addr as a DNSBL is asked about it: the IPv4 octets or
// the IPv6 nibbles in reverse order, dot-separated, without the zone.
func reverseName(addr netip.Addr) string {
	addr = addr.Unmap()
	if addr.Is4() {
		b := addr.As4()
		return fmt.Sprintf("%d.%d.%d.%d", b[3], b[2], b[1], b[0])
	}
	b := addr.As16()
	const hex = "0123456789abcdef"
	labels := make([]string, 0, 32)
	for i := len(b) - 1; i >= 0; i-- {
		labels = append(labels, string(hex[b[i]&0xf]), string(hex[b[i]>>4]))
	}
	return strings.Join(labels, ".")
}
