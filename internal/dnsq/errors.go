package dnsq

import (
	"context"
	"errors"
	"fmt"

	"github.com/miekg/dns"
)

// QueryError says why a question got no usable answer. Its message is one
// sentence a chapter organizer can act on; Err keeps the cause for errors.Is.
type QueryError struct {
	Server string // host:port asked
	Name   string // absolute, lowercase
	Type   uint16
	Kind   Kind // Timeout or Error
	Err    error
}

func (e *QueryError) Unwrap() error { return e.Err }

func (e *QueryError) Error() string {
	question := e.Name + " " + typeName(e.Type)
	var rc *rcodeErr
	switch {
	case errors.Is(e.Err, errBadName):
		return fmt.Sprintf("%q is not a domain name that DNS can be asked about", e.Name)
	case errors.Is(e.Err, errNoDialer):
		return "dns query for " + question + " not sent: chapterctl was built without a network dialer (a bug; please report it)"
	case errors.Is(e.Err, context.Canceled):
		return "dns query for " + question + " to " + e.Server + " was cancelled"
	case e.Kind == Timeout:
		return fmt.Sprintf("the DNS server %s did not answer %s in time: check this computer's network connection, or try again later", e.Server, question)
	case errors.Is(e.Err, errNotAuthoritative):
		return fmt.Sprintf("the DNS server %s answered %s without authority: it does not serve this domain, so the domain's nameservers at the registrar may be wrong", e.Server, question)
	case errors.Is(e.Err, errOtherQuestion):
		return fmt.Sprintf("the DNS server %s answered a different question than %s: its answer was ignored; try again, or another network", e.Server, question)
	case errors.Is(e.Err, errStreamForUDP):
		return "dns query for " + question + " not sent: the network dialer returned a stream connection for UDP (a bug; please report it)"
	case errors.As(e.Err, &rc):
		return fmt.Sprintf("the DNS server %s rejected the question %s (%s)", e.Server, question, rc.text)
	}
	return fmt.Sprintf("could not ask the DNS server %s about %s: %v", e.Server, question, e.Err)
}

var (
	errBadName          = errors.New("not a domain name")
	errNoDialer         = errors.New("no dialer")
	errNotAuthoritative = errors.New("answer not authoritative")
	errOtherQuestion    = errors.New("answer to another question")
	errStreamForUDP     = errors.New("stream connection for udp")
)

// rcodeErr is an answer code that is no verdict on the name: FORMERR,
// NOTIMP, BADVERS and the like.
type rcodeErr struct{ text string }

func (e *rcodeErr) Error() string { return "dns: " + e.text }

func typeName(qtype uint16) string {
	if s, ok := dns.TypeToString[qtype]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", qtype)
}
