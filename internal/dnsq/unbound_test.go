package dnsq_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/sandbox/dnssim"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// unboundResolver is the address the tests give the real Unbound: a
// documentation address, routed to its loopback port like the sandbox's
// public resolvers.
const unboundResolver = "192.0.2.1:53"

// startUnbound runs a real Unbound on 127.0.0.1 as a recursive resolver
// that forwards every name to the simulated authoritative server at auth
// (so nothing leaves the machine), and routes unboundResolver to it. It
// skips the test when unbound is not installed (.ci/run installs it).
func startUnbound(t *testing.T, s *sim, auth string) {
	t.Helper()
	bin, err := exec.LookPath("unbound")
	if err != nil {
		t.Skip("unbound is not installed (apt-get install unbound)")
	}
	_, authPort, _ := net.SplitHostPort(auth)
	port := freeUDPPort(t)
	dir := t.TempDir()
	config := fmt.Sprintf(`server:
	interface: 127.0.0.1@%d
	username: ""
	chroot: ""
	directory: %q
	pidfile: %q
	use-syslog: no
	logfile: ""
	verbosity: 1
	num-threads: 1
	do-ip6: no
	do-not-query-localhost: no
	module-config: "iterator"
	qname-minimisation: no
	domain-insecure: "example.org"
	access-control: 127.0.0.0/8 allow
forward-zone:
	name: "."
	forward-addr: 127.0.0.1@%s
`, port, dir, filepath.Join(dir, "unbound.pid"), authPort)
	path := filepath.Join(dir, "unbound.conf")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, "-d", "-c", path)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start unbound: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("unbound's log:\n%s", logs.String())
		}
	})
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	s.net.Route("udp", unboundResolver, listen)
	s.net.Route("tcp", unboundResolver, listen)

	// Ready once it answers anything (its own zone "localhost" needs no
	// forwarder): polled on the condition, bounded.
	q := s.querier(200 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if ans, err := q.AskResolver(ctx, unboundResolver, "localhost.", dns.TypeA); err == nil && ans.Kind == dnsq.Found {
			return
		}
		select {
		case err := <-exited:
			t.Fatalf("unbound exited: %v\n%s", err, logs.String())
		case <-ctx.Done():
			t.Fatalf("unbound did not answer within 10 s\n%s", logs.String())
		case <-tick.C:
		}
	}
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

// TestVerifyThroughARealUnbound verifies the chapter zone through a real
// recursive resolver: Unbound forwarding to the simulated authoritative
// server. It caches as resolvers on the internet do, negative answers
// included, so a name asked before it existed is stale until the cached
// absence expires, and Verify says when.
func TestVerifyThroughARealUnbound(t *testing.T) {
	s := newSim(t, 1, nil)
	auth, stop, err := dnssim.Serve(dnssim.NewAuthoritative(s.w))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	startUnbound(t, s, auth)
	q := s.querier(2 * time.Second)
	ctx := testContext(t)
	resolvers := []string{unboundResolver}

	// The whole zone, the DKIM set too big for UDP included (Unbound asks
	// the server again over TCP; Verify asks Unbound again over TCP).
	exps := []dnsq.Expectation{
		{Name: "example.org", Type: dns.TypeA, Values: []string{"203.0.113.10"}},
		{Name: "example.org", Type: dns.TypeMX, Values: []string{"10 my.example.org"}},
		{Name: "example.org", Type: dns.TypeTXT, Values: []string{"v=spf1 a:my.example.org ~all", "google-site-verification=abc"}},
		{Name: "chat.example.org", Type: dns.TypeCNAME, Values: []string{"my.example.org"}},
		{Name: "big._domainkey.example.org", Type: dns.TypeTXT, Values: []string{dkimKey("A"), dkimKey("B"), dkimKey("C")}},
	}
	for _, r := range q.Verify(ctx, []string{authServer}, resolvers, exps, time.Now()) {
		if !r.Propagated() {
			t.Errorf("%s %s: authoritative ok %v, agreeing %q, stale %q, unanswered %q; answers %+v",
				r.Expectation.Name, dns.TypeToString[r.Expectation.Type], r.AuthoritativeOK, r.Agreeing, r.Stale, r.Unanswered, r.Resolvers)
		}
	}

	// Asked too early (never done by chapterctl): Unbound caches the
	// absence, and keeps serving it after the record is published.
	const name = "late.example.org"
	if ans, err := q.AskResolver(ctx, unboundResolver, name, dns.TypeA); err != nil || ans.Kind != dnsq.NXDomain {
		t.Fatalf("early question: %s, %v; want NXDOMAIN", ans.Kind, err)
	}
	s.publish(t, time.Now(), withRecord(world.RRSet{Name: "late", Type: "A", TTL: 300, Values: []string{"203.0.113.30"}}))
	now := time.Now()
	late := []dnsq.Expectation{{Name: name, Type: dns.TypeA, Values: []string{"203.0.113.30"}}}
	r := q.Verify(ctx, []string{authServer}, resolvers, late, now)[0]
	if !r.AuthoritativeOK || !slices.Equal(r.Stale, resolvers) || r.Resolvers[0].Kind != dnsq.NXDomain {
		t.Fatalf("after publishing: authoritative ok %v, stale %q, Unbound said %s; want served, and Unbound stale with its cached NXDOMAIN",
			r.AuthoritativeOK, r.Stale, r.Resolvers[0].Kind)
	}
	// Unbound hands out the absence with what is left of the SOA's negative
	// TTL (min(SOA TTL, MINIMUM), under its own cap of an hour).
	if left := r.RecheckAfter.Sub(now); left <= 0 || left > time.Hour {
		t.Errorf("recheck after %v from now, want within the hour Unbound caches absences for", left)
	}
}
