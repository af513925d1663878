// Package dnsq asks DNS questions the way chapterctl's verification and
// doctor need them asked: of a zone's authoritative servers first (RD=0,
// the answer must be authoritative), and of public resolvers only once
// those serve a record, so that no resolver caches an absence for hours
// (RFC 2308; Gandi's SOA allows 3 h).
//
// Every query goes through a netx.Dialer, never the system resolver: over
// UDP with EDNS0 (1232 bytes), asked again over TCP when the answer comes
// back truncated, since miekg/dns does neither by itself. Answers are
// classified (found, NXDOMAIN, NODATA, SERVFAIL, REFUSED, timeout, error)
// and their values normalised, so callers compare text, not wire formats.
package dnsq

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/netx"
)

// DefaultResolvers are the public resolvers asked when a Querier names
// none: Cloudflare, Google and Quad9, three operators with separate caches.
var DefaultResolvers = []string{"1.1.1.1:53", "8.8.8.8:53", "9.9.9.9:53"}

const (
	// defaultTimeout bounds one try, as miekg/dns's own read timeout does.
	defaultTimeout = 2 * time.Second
	// udpTries: a lost UDP datagram is common enough on home networks to be
	// worth one more try before calling a server silent.
	udpTries = 2
	// ednsBufferSize is the DNS Flag Day 2020 size: large enough for most
	// answers, small enough not to fragment.
	ednsBufferSize = 1232
	// maxInFlight bounds the queries one Verify has in flight: enough for a
	// dozen records at four servers at once, few enough for any network.
	maxInFlight = 64
)

// Querier asks DNS servers questions. The zero value is not usable: it
// needs a Dialer. A Querier is safe for concurrent use.
type Querier struct {
	// Dialer opens every connection (UDP, and TCP after truncation). For
	// "udp" it must return a net.PacketConn, as net.Dialer does.
	Dialer netx.Dialer
	// Timeout bounds each try at one server; zero means 2 s. A UDP question
	// is tried twice before it counts as a timeout.
	Timeout time.Duration
	// Resolvers are the public resolvers (host:port) Authoritative and
	// Verify ask; empty means DefaultResolvers.
	Resolvers []string
}

func (q *Querier) timeout() time.Duration {
	if q.Timeout > 0 {
		return q.Timeout
	}
	return defaultTimeout
}

func (q *Querier) resolvers() []string {
	if len(q.Resolvers) > 0 {
		return q.Resolvers
	}
	return DefaultResolvers
}

// AskAuthoritative asks server (host:port), one of the zone's authoritative
// servers, about name without recursion, as Cloudron and certificate
// authorities see it. An answer without the AA bit is an error: the server
// does not serve the zone, so what it says proves nothing.
//
// The error is nil whenever the server answered (NXDOMAIN, SERVFAIL and
// REFUSED are answers, told apart by Kind); it is a *QueryError when the
// Kind is Timeout or Error.
func (q *Querier) AskAuthoritative(ctx context.Context, server, name string, qtype uint16) (Answer, error) {
	return q.ask(ctx, server, name, qtype, true)
}

// AskResolver asks resolver (host:port) about name with recursion, as any
// client on the internet would. Errors are as for AskAuthoritative.
func (q *Querier) AskResolver(ctx context.Context, resolver, name string, qtype uint16) (Answer, error) {
	return q.ask(ctx, resolver, name, qtype, false)
}

func (q *Querier) ask(ctx context.Context, server, name string, qtype uint16, authoritative bool) (Answer, error) {
	qname := dns.CanonicalName(strings.TrimSpace(name))
	ans := Answer{Server: server, Rcode: -1}
	fail := func(kind Kind, err error) (Answer, error) {
		qe := &QueryError{Server: server, Name: qname, Type: qtype, Kind: kind, Err: err}
		ans.Kind, ans.Err = kind, qe
		return ans, qe
	}
	if _, ok := dns.IsDomainName(qname); !ok || qname == "." {
		return fail(Error, errBadName)
	}
	if q.Dialer == nil {
		return fail(Error, errNoDialer)
	}
	m := new(dns.Msg).SetQuestion(qname, qtype)
	m.RecursionDesired = !authoritative
	m.SetEdns0(ednsBufferSize, false)

	r, err := q.exchange(ctx, server, m)
	if err != nil {
		return fail(errorKind(ctx, err), err)
	}
	// miekg/dns matches the ID but never the question: an answer to another
	// question (a confused middlebox, a spoofer) must not count.
	if !sameQuestion(r, m.Question[0]) {
		return fail(Error, errOtherQuestion)
	}
	ans = answerFrom(r, server, qname, qtype)
	switch {
	case ans.Kind == Error:
		return fail(Error, rcodeError(r.Rcode))
	case authoritative && !r.Authoritative && (ans.Kind == Found || ans.Kind == NXDomain || ans.Kind == NoData):
		return fail(Error, errNotAuthoritative)
	}
	return ans, nil
}

// exchange asks m over UDP, a second time if the first try times out, and
// again over TCP if the answer is truncated: a DKIM key or a long TXT set
// does not fit 1232 bytes, and the truncated part would look like a
// missing record.
func (q *Querier) exchange(ctx context.Context, server string, m *dns.Msg) (*dns.Msg, error) {
	var r *dns.Msg
	var err error
	for range udpTries {
		r, err = q.exchangeOver(ctx, "udp", server, m)
		if err == nil || !isTimeout(err) || ctx.Err() != nil {
			break
		}
	}
	if err == nil && r.Truncated {
		return q.exchangeOver(ctx, "tcp", server, m)
	}
	return r, err
}

// exchangeOver is one try over network, bounded by the Querier's timeout
// and by ctx: miekg/dns only reads ctx's deadline, so a cancelled ctx also
// closes the connection's deadline to end a read in progress.
func (q *Querier) exchangeOver(ctx context.Context, network, server string, m *dns.Msg) (*dns.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, q.timeout())
	defer cancel()
	conn, err := q.Dialer.DialContext(ctx, network, server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, isPacket := conn.(net.PacketConn); network == "udp" && !isPacket {
		return nil, errStreamForUDP
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	client := &dns.Client{Net: network, Timeout: q.timeout()}
	r, _, err := client.ExchangeWithConnContext(ctx, m, &dns.Conn{Conn: conn})
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return r, err
}

// sameQuestion tells whether r answers exactly q (names compared without
// case, as DNS does).
func sameQuestion(r *dns.Msg, q dns.Question) bool {
	if len(r.Question) != 1 {
		return false
	}
	got := r.Question[0]
	return strings.EqualFold(got.Name, q.Name) && got.Qtype == q.Qtype && got.Qclass == q.Qclass
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// errorKind is Timeout when the server stayed silent until a deadline
// (ours or the caller's), Error for anything else, a cancelled ctx included:
// a cancelled run says nothing about the server.
func errorKind(ctx context.Context, err error) Kind {
	if errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled) {
		return Error
	}
	if isTimeout(err) {
		return Timeout
	}
	return Error
}

func rcodeError(rcode int) error {
	text, ok := dns.RcodeToString[rcode]
	if !ok {
		text = fmt.Sprintf("rcode %d", rcode)
	}
	return &rcodeErr{text: text}
}
