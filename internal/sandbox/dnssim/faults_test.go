package dnssim

import (
	"errors"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func faultSpec(t *testing.T, name string) world.FaultSpec {
	t.Helper()
	for _, f := range Faults() {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no fault %s", name)
	return world.FaultSpec{}
}

func TestFaultsAreListed(t *testing.T) {
	var names []string
	for _, f := range Faults() {
		names = append(names, f.Name)
		if f.Description == "" || (f.Kind != world.KindDoctor && f.Kind != world.KindReliability) {
			t.Errorf("%s: kind %q, description %q", f.Name, f.Kind, f.Description)
		}
	}
	want := []string{FaultIPListed, FaultDomainListed, FaultDNSBLRefuses, FaultResolversDisagree, FaultDNSSlow}
	if !slices.Equal(names, want) {
		t.Fatalf("faults %v, want %v", names, want)
	}
}

func TestFaultIPListed(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, withDroplets)
	blocklists := NewBlocklists(w)
	spec := faultSpec(t, FaultIPListed)
	listedAs := func() string { return firstA(blocklists.Lookup("10.113.0.203.zen.spamhaus.org", dns.TypeA)) }

	change(t, w, func(d *world.Data) { spec.Break(d, "") })
	if got := listedAs(); got != "127.0.0.2" {
		t.Fatalf("broken: %q, want the droplet listed", got)
	}
	change(t, w, func(d *world.Data) { spec.Break(d, "127.0.0.10") })
	if got := listedAs(); got != "127.0.0.10" {
		t.Fatalf("broken with a code: %q, want the PBL code", got)
	}
	change(t, w, func(d *world.Data) { spec.Heal(d) })
	if got := listedAs(); got != "" {
		t.Fatalf("healed: %q, want not listed", got)
	}
	if err := spec.Break(&world.Data{}, ""); err == nil {
		t.Fatal("broke a world without droplets")
	}
}

func TestFaultDomainListed(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, nil)
	blocklists := NewBlocklists(w)
	spec := faultSpec(t, FaultDomainListed)
	change(t, w, func(d *world.Data) { spec.Break(d, "") })
	if got := firstA(blocklists.Lookup("example.org.dbl.spamhaus.org", dns.TypeA)); got != "127.0.1.2" {
		t.Fatalf("broken: %q, want example.org on the DBL", got)
	}
	change(t, w, func(d *world.Data) { spec.Heal(d) })
	if r := blocklists.Lookup("example.org.dbl.spamhaus.org", dns.TypeA); r.Rcode != dns.RcodeNameError {
		t.Fatalf("healed: %s, want NXDOMAIN", dns.RcodeToString[r.Rcode])
	}
}

func TestFaultDNSBLRefuses(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, func(d *world.Data) { d.DNSBL.Listed = []string{"203.0.113.10"} })
	resolver := NewResolver(w, ResolverOptions{})
	listedName, cleanName := "10.113.0.203.zen.spamhaus.org", "11.113.0.203.zen.spamhaus.org"
	resolver.Lookup(listedName, dns.TypeA) // cached before the fault: the fault still shows
	resolver.Lookup(cleanName, dns.TypeA)

	change(t, w, func(d *world.Data) { d.Faults[FaultDNSBLRefuses] = "" })
	for _, name := range []string{listedName, cleanName, "example.org.dbl.spamhaus.org"} {
		if got := firstA(resolver.Lookup(name, dns.TypeA)); got != "127.255.255.254" {
			t.Errorf("%s: %q, want Spamhaus' refusal code", name, got)
		}
	}
	if got := firstA(resolver.Lookup("10.113.0.203.bl.spamcop.net", dns.TypeA)); got != "127.0.0.2" {
		t.Errorf("another list: %q, want its own answer", got)
	}
	change(t, w, func(d *world.Data) { delete(d.Faults, FaultDNSBLRefuses) })
	if r := resolver.Lookup(cleanName, dns.TypeA); r.Rcode != dns.RcodeNameError {
		t.Errorf("healed: %s %v, want NXDOMAIN at once", dns.RcodeToString[r.Rcode], r.Answer)
	}
}

func TestFaultResolversDisagree(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, func(d *world.Data) { d.Faults[FaultResolversDisagree] = "" })
	var answers []string
	for i := range 3 {
		answers = append(answers, firstA(NewResolver(w, ResolverOptions{Index: i}).Lookup("my.example.org", dns.TypeA)))
	}
	if want := []string{"203.0.113.10", defaultStaleIP, "203.0.113.10"}; !slices.Equal(answers, want) {
		t.Fatalf("resolvers answer %v, want %v (the second one stale)", answers, want)
	}
	change(t, w, func(d *world.Data) { d.Faults[FaultResolversDisagree] = "198.51.100.9" })
	second := NewResolver(w, ResolverOptions{Index: 1})
	if got := firstA(second.Lookup("my.example.org", dns.TypeA)); got != "198.51.100.9" {
		t.Fatalf("with a parameter: %s, want the address it names", got)
	}
	if got := firstA(second.Lookup("example.org", dns.TypeA)); got != "203.0.113.10" {
		t.Fatalf("another name: %s, want the true answer", got)
	}
}

func TestFaultDNSSlow(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, func(d *world.Data) { d.Faults[FaultDNSSlow] = "80ms" })
	addr := serve(t, NewAuthoritative(w))
	start := time.Now()
	if r := ask(t, addr, "my.example.org", dns.TypeA, false); firstA(r) != "203.0.113.10" {
		t.Fatalf("answer %v", r.Answer)
	}
	if took := time.Since(start); took < 80*time.Millisecond {
		t.Fatalf("answered in %v, want at least the 80 ms delay", took)
	}
	m := new(dns.Msg).SetQuestion("my.example.org.", dns.TypeA)
	_, _, err := (&dns.Client{Timeout: 20 * time.Millisecond}).Exchange(m, addr)
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("a client with a 20 ms timeout: %v, want a timeout", err)
	}
}
