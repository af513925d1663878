package dnssim

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// maxUDPSize is the largest UDP answer the servers send, whatever buffer a
// query offers: 1232 bytes, the DNS Flag Day 2020 value most servers use
// now (Gandi's own limit is unverified).
const maxUDPSize = 1232

// respond answers one query: the answer answer computes, wrapped as the
// transport needs it (EDNS0 echoed, truncated to the query's UDP buffer),
// delayed by the latency and dns-slow faults, and journaled.
func respond(w *world.World, rw dns.ResponseWriter, req *dns.Msg, answer func(dns.Question) *dns.Msg) {
	if len(req.Question) != 1 { // dns.Server's default accept func lets none through
		rw.WriteMsg(new(dns.Msg).SetRcodeFormatError(req))
		return
	}
	q := req.Question[0]
	ctx, rec := world.WithRequest(context.Background(), "dns", dns.TypeToString[q.Qtype], q.Name)
	w.InjectLatency(ctx)
	slowDown(w)

	m := new(dns.Msg).SetReply(req)
	opt := req.IsEdns0()
	switch {
	case req.Opcode != dns.OpcodeQuery: // a NOTIFY: these servers have no secondaries
		m.Rcode = dns.RcodeNotImplemented
	case opt != nil && opt.Version() != 0:
		m.Rcode = dns.RcodeBadVers // RFC 6891 §6.1.3
	case q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY,
		q.Qtype == dns.TypeAXFR || q.Qtype == dns.TypeIXFR: // no zone transfers
		m.Rcode = dns.RcodeRefused
	default:
		ans := answer(q)
		m.Authoritative, m.RecursionAvailable = ans.Authoritative, ans.RecursionAvailable
		m.Rcode, m.Answer, m.Ns = ans.Rcode, ans.Answer, ans.Ns
	}
	if opt != nil {
		m.SetEdns0(maxUDPSize, false)
	}
	if _, udp := rw.LocalAddr().(*net.UDPAddr); udp {
		// dns.Server never truncates: without it, an answer bigger than the
		// client's buffer fails at the client ("buffer size too small").
		m.Truncate(udpBuffer(opt))
	} else {
		m.Compress = true
	}
	w.Finish(rec, m.Rcode) // before the answer leaves, so a client that got it finds the line
	rw.WriteMsg(m)
}

// udpBuffer is the size a UDP answer must fit: 512 bytes without EDNS0,
// else the query's buffer, capped by the server's own.
func udpBuffer(opt *dns.OPT) int {
	if opt == nil {
		return dns.MinMsgSize
	}
	return min(max(int(opt.UDPSize()), dns.MinMsgSize), maxUDPSize)
}

// slowDown holds the answer back while the dns-slow fault is on.
func slowDown(w *world.World) {
	param, active := w.Fault(FaultDNSSlow)
	if !active {
		return
	}
	delay, err := time.ParseDuration(param)
	if err != nil || delay <= 0 {
		delay = defaultSlowDelay
	}
	time.Sleep(delay)
}

// Serve serves h over UDP and TCP on the same new 127.0.0.1 port, as a DNS
// server does on port 53. Both sockets are bound and serving when it
// returns. stop closes them at once, as a server that dies would.
func Serve(h dns.Handler) (addr string, stop func(), err error) {
	// The UDP port may be taken for TCP by someone else: try a few.
	for range 5 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return "", nil, fmt.Errorf("dns: listen udp: %w", err)
		}
		ln, tcpErr := net.Listen("tcp", pc.LocalAddr().String())
		if tcpErr != nil {
			pc.Close()
			err = tcpErr
			continue
		}
		stop, err := start(h, pc, ln)
		if err != nil {
			return "", nil, err
		}
		return pc.LocalAddr().String(), stop, nil
	}
	return "", nil, fmt.Errorf("dns: no port free for both udp and tcp: %w", err)
}

// start runs a dns.Server on each socket and waits until both serve.
func start(h dns.Handler, pc net.PacketConn, ln net.Listener) (func(), error) {
	servers := []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}}
	started := make(chan struct{}, len(servers))
	failed := make(chan error, len(servers))
	for _, srv := range servers {
		srv.NotifyStartedFunc = func() { started <- struct{}{} }
		go func() { failed <- srv.ActivateAndServe() }()
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			// An ended context: drop the connections now rather than wait
			// for answers in flight (a dns-slow one may take seconds).
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			for _, srv := range servers {
				srv.ShutdownContext(ctx)
			}
			pc.Close()
			ln.Close()
		})
	}
	for range servers {
		select {
		case <-started:
		case err := <-failed:
			stop()
			return nil, fmt.Errorf("dns: serve: %w", err)
		}
	}
	return stop, nil
}
