package dnssim

import (
	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Authoritative plays Gandi's LiveDNS nameservers, serving every Gandi
// zone as published at the moment of the query (and the addresses of the
// nameserver hosts themselves), and DigitalOcean's reverse zones for the
// droplets' addresses. It holds no state of its own:
// every answer is read from the world.
type Authoritative struct {
	w *world.World
}

// NewAuthoritative returns the authoritative servers of w's zones.
func NewAuthoritative(w *world.World) *Authoritative { return &Authoritative{w: w} }

// ServeDNS answers a query the way Gandi's servers do: authoritative, no
// recursion, REFUSED for a name outside every zone.
func (a *Authoritative) ServeDNS(rw dns.ResponseWriter, req *dns.Msg) {
	respond(a.w, rw, req, a.answer)
}

// Lookup answers (name, qtype) in-process, as ServeDNS would over TCP.
func (a *Authoritative) Lookup(name string, qtype uint16) *dns.Msg {
	return lookupMsg(name, qtype, a.answer)
}

func (a *Authoritative) answer(q dns.Question) *dns.Msg {
	m, _ := a.ask(q.Name, q.Qtype)
	return m
}

// ask answers from the zone holding name, and says whether one does.
func (a *Authoritative) ask(name string, qtype uint16) (*dns.Msg, zoneState) {
	return askZones(a.w, name, qtype, gandiZone(a.w.Now()), reverseZone, gandiNameserverZone)
}

// Blocklists plays the DNSBL zones' own servers (Spamhaus, SpamCop, …),
// answering from the world's DNSBL.Listed. The resolvers ask it too.
type Blocklists struct {
	w *world.World
}

// NewBlocklists returns the servers of the blocklist zones.
func NewBlocklists(w *world.World) *Blocklists { return &Blocklists{w: w} }

// ServeDNS answers a query for a blocklist zone.
func (b *Blocklists) ServeDNS(rw dns.ResponseWriter, req *dns.Msg) {
	respond(b.w, rw, req, b.answer)
}

// Lookup answers (name, qtype) in-process.
func (b *Blocklists) Lookup(name string, qtype uint16) *dns.Msg {
	return lookupMsg(name, qtype, b.answer)
}

func (b *Blocklists) answer(q dns.Question) *dns.Msg {
	m, _ := askZones(b.w, q.Name, q.Qtype, blocklistZone)
	return m
}

// askZones finds the zone holding name in the first source that has one,
// copying it out of the world, then answers from it outside the lock. The
// answer is REFUSED when no zone is served for the name.
func askZones(w *world.World, name string, qtype uint16, sources ...finder) (*dns.Msg, zoneState) {
	name = dns.CanonicalName(name)
	var z *zone
	state := outside
	w.Read(func(d *world.Data) {
		for _, find := range sources {
			if z, state = find(d, name); state != outside {
				return
			}
		}
	})
	if state != served {
		return &dns.Msg{MsgHdr: dns.MsgHdr{Rcode: dns.RcodeRefused}}, state
	}
	return z.answer(name, qtype), served
}

// lookupMsg is an in-process exchange: the answer as a reply to a query
// for (name, qtype).
func lookupMsg(name string, qtype uint16, answer func(dns.Question) *dns.Msg) *dns.Msg {
	q := dns.Question{Name: dns.Fqdn(name), Qtype: qtype, Qclass: dns.ClassINET}
	m := answer(q)
	m.Response = true
	m.Question = []dns.Question{q}
	return m
}
