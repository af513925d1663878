package digitalocean

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestEnsureFirewallCreatesThenLeavesAloneThenConverges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	spec := CloudronFirewall("chapterctl-abc123", "chapterctl:abc123")
	writes := func() int {
		return len(e.requests(t, "POST", "/v2/firewalls")) + len(e.requests(t, "PUT", "/v2/firewalls/"))
	}

	changed, err := e.c.EnsureFirewall(e.ctx, spec)
	if err != nil || !changed {
		t.Fatalf("first EnsureFirewall: changed %v, %v", changed, err)
	}
	fw, found, err := e.c.FirewallByName(e.ctx, spec.Name)
	if err != nil || !found {
		t.Fatalf("FirewallByName: found %v, %v", found, err)
	}
	if !slices.Equal(fw.Tags, []string{"chapterctl:abc123"}) || len(fw.Inbound) != len(spec.Inbound) || len(fw.Outbound) != 3 {
		t.Errorf("the firewall is %+v", fw)
	}

	changed, err = e.c.EnsureFirewall(e.ctx, spec)
	if err != nil || changed {
		t.Fatalf("second EnsureFirewall: changed %v, %v; want no change", changed, err)
	}
	if got := writes(); got != 1 {
		t.Errorf("%d firewall writes after an unchanged EnsureFirewall, want 1 (the create)", got)
	}
	if got := e.mutations(t); got != 2 {
		t.Errorf("%d writes in all after an unchanged EnsureFirewall, want 2 (the tag and the firewall)", got)
	}

	// chapter.yaml moved on: Matrix federation on 8448 as well.
	spec.Inbound = append(spec.Inbound, Rule{Protocol: "tcp", Ports: "8448", Addresses: everywhere()})
	changed, err = e.c.EnsureFirewall(e.ctx, spec)
	if err != nil || !changed {
		t.Fatalf("EnsureFirewall after a rule change: changed %v, %v", changed, err)
	}
	if got := len(e.requests(t, "PUT", "/v2/firewalls/")); got != 1 {
		t.Errorf("%d PUTs, want 1", got)
	}
	fws := e.firewalls()
	if len(fws) != 1 || fws[0].ID != fw.ID {
		t.Fatalf("the world holds %d firewalls, want the one (%s)", len(fws), fw.ID)
	}
	if !slices.ContainsFunc(fws[0].Inbound, func(r world.FWRule) bool { return r.Ports == "8448" }) {
		t.Errorf("port 8448 is not open: %+v", fws[0].Inbound)
	}
}

func TestEnsureFirewallUndoesAChangeMadeElsewhere(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	spec := CloudronFirewall("chapterctl-abc123", "chapterctl:abc123")
	if _, err := e.c.EnsureFirewall(e.ctx, spec); err != nil {
		t.Fatal(err)
	}
	err := e.w.Update(e.ctx, "test.control_panel", func(d *world.Data) error {
		fw := d.DigitalOcean.Firewalls[0]
		fw.Inbound = append(fw.Inbound, world.FWRule{Protocol: "tcp", Ports: "3306", Addresses: []string{"0.0.0.0/0"}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	changed, err := e.c.EnsureFirewall(e.ctx, spec)
	if err != nil || !changed {
		t.Fatalf("EnsureFirewall: changed %v, %v", changed, err)
	}
	if fws := e.firewalls(); len(fws) != 1 || slices.ContainsFunc(fws[0].Inbound, func(r world.FWRule) bool { return r.Ports == "3306" }) {
		t.Errorf("after converging: %+v", fws)
	}
}

func TestEnsureFirewallRemovesDuplicates(t *testing.T) {
	t.Parallel()
	spec := CloudronFirewall("chapterctl-abc123", "chapterctl:abc123")
	e := newEnv(t, seeded(func(d *world.Data) {
		d.DigitalOcean.Tags = []string{"chapterctl:abc123"}
		for i, id := range []string{"older", "newer"} {
			d.DigitalOcean.Firewalls = append(d.DigitalOcean.Firewalls, &world.Firewall{
				ID: id, Name: spec.Name, Tags: []string{"chapterctl:abc123"},
				Inbound:   []world.FWRule{{Protocol: "tcp", Ports: "22", Addresses: []string{"0.0.0.0/0"}}},
				CreatedAt: time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC),
			})
		}
	}))
	changed, err := e.c.EnsureFirewall(e.ctx, spec)
	if err != nil || !changed {
		t.Fatalf("EnsureFirewall: changed %v, %v", changed, err)
	}
	fws := e.firewalls()
	if len(fws) != 1 || fws[0].ID != "older" || len(fws[0].Inbound) != len(spec.Inbound) {
		t.Errorf("left %+v, want only the older one, converged", fws)
	}
}

// TestEnsureFirewallWhenTheCreateAnswerIsLost: the create is made, its
// answer lost; the firewall is found by name, not created again.
func TestEnsureFirewallWhenTheCreateAnswerIsLost(t *testing.T) {
	t.Parallel()
	e := newEnv(t, wrapped(loseFirstAnswer(http.MethodPost, "/v2/firewalls")))
	changed, err := e.c.EnsureFirewall(e.ctx, CloudronFirewall("chapterctl-abc123", "chapterctl:abc123"))
	if err != nil || !changed {
		t.Fatalf("EnsureFirewall: changed %v, %v", changed, err)
	}
	if got := e.statuses(t, "POST", "/v2/firewalls"); !slices.Equal(got, []int{http.StatusAccepted}) {
		t.Errorf("creates the world answered: %v, want one", got)
	}
	if n := len(e.firewalls()); n != 1 {
		t.Errorf("%d firewalls, want 1", n)
	}
}

// loseFirstAnswer lets the first method path request through to the
// simulator, then answers the client 500 instead of what it said.
func loseFirstAnswer(method, path string) func(http.Handler) http.Handler {
	var once sync.Once
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			lost := false
			if r.Method == method && r.URL.Path == path {
				once.Do(func() { lost = true })
			}
			if !lost {
				next.ServeHTTP(rw, r)
				return
			}
			next.ServeHTTP(httptest.NewRecorder(), r)
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(http.StatusInternalServerError)
			rw.Write([]byte(`{"id":"server_error","message":"Unexpected server-side error"}`))
		})
	}
}

func TestEnsureFirewallRefusesABadSpec(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []FirewallSpec{
		{Name: "chapterctl_abc", Inbound: []Rule{{Protocol: "tcp", Ports: "22"}}},
		{Name: "chapterctl-abc"},
		{Name: "chapterctl-abc", Inbound: []Rule{{Protocol: "sctp", Ports: "22"}}},
	}
	for _, spec := range cases {
		if _, err := e.c.EnsureFirewall(e.ctx, spec); !errors.Is(err, ErrRefused) {
			t.Errorf("EnsureFirewall(%+v) = %v, want ErrRefused", spec, err)
		}
	}
	if n := len(e.requests(t, "POST", "/v2/firewalls")); n != 0 {
		t.Errorf("%d creates sent for bad specs", n)
	}
}

func TestCloudronFirewall(t *testing.T) {
	spec := CloudronFirewall("chapterctl-abc123", "chapterctl:abc123")
	open := map[string]bool{}
	for _, r := range spec.Inbound {
		open[r.Protocol+"/"+r.Ports] = true
		if !slices.Equal(r.Addresses, []string{"0.0.0.0/0", "::/0"}) {
			t.Errorf("inbound %s/%s is open to %v, want everyone", r.Protocol, r.Ports, r.Addresses)
		}
	}
	for _, want := range []string{"tcp/22", "tcp/80", "tcp/443", "tcp/25", "tcp/587", "tcp/993", "tcp/4190", "icmp/"} {
		if !open[want] {
			t.Errorf("inbound %s is not open", want)
		}
	}
	var outbound []string
	for _, r := range spec.Outbound {
		outbound = append(outbound, r.Protocol+"/"+r.Ports)
	}
	if !slices.Equal(outbound, []string{"tcp/0", "udp/0", "icmp/"}) {
		t.Errorf("outbound = %v, want all TCP, UDP and ICMP", outbound)
	}
	if !slices.Equal(spec.Tags, []string{"chapterctl:abc123"}) {
		t.Errorf("tags = %v", spec.Tags)
	}
	spec.Inbound[0].Addresses[0] = "10.0.0.0/8" // a caller's change stays the caller's
	if again := CloudronFirewall("x", "y"); again.Inbound[0].Addresses[0] != "0.0.0.0/0" {
		t.Error("specs share their address lists")
	}
}
