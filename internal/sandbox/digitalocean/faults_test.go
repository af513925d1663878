package digitalocean

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// withFault seeds a world with an active fault.
func withFault(name, param string) func(*world.Data) {
	return func(d *world.Data) { d.Faults = map[string]string{name: param} }
}

func TestFaultCreateCommitThen500LeavesADropletBehind(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withFault(FaultCreateCommitThen500, ""))
	_, _, err := e.do.Droplets.Create(e.ctx, chapterDropletRequest("my.example.org", "chapterctl:abc123"))
	wantAPIError(t, err, http.StatusInternalServerError, "Unexpected server-side error")
	// The product's dedupe: list by tag before creating again.
	eventually(t, "the committed droplet to be listed", func() bool {
		list, _, err := e.do.Droplets.ListByTag(e.ctx, "chapterctl:abc123", nil)
		return err == nil && len(list) == 1
	})
	if _, _, err := e.do.Droplets.Create(e.ctx, chapterDropletRequest("two.example.org")); err != nil {
		t.Errorf("the fault fired twice: %v", err)
	}
}

func TestFaultCountedBurstsThenRecovery(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault  string
		status int
	}{
		{Fault5xx, http.StatusInternalServerError},
		{FaultRateLimit, http.StatusTooManyRequests},
	}
	for _, c := range cases {
		t.Run(c.fault, func(t *testing.T) {
			e := newEnv(t, withFault(c.fault, "2"))
			for range 2 {
				_, resp, err := e.do.Account.Get(e.ctx)
				if er := apiErrorOf(t, err); er.Response.StatusCode != c.status {
					t.Fatalf("got %d, want %d", er.Response.StatusCode, c.status)
				}
				if c.status == http.StatusTooManyRequests && (resp.Header.Get("Retry-After") == "" || resp.Rate.Remaining != 0) {
					t.Errorf("429 without Retry-After or with remaining %d", resp.Rate.Remaining)
				}
			}
			if _, _, err := e.do.Account.Get(e.ctx); err != nil {
				t.Fatalf("third request: %v", err)
			}
		})
	}
}

func TestFaultConnectionResetDropsTheRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withFault(FaultConnectionReset, "1"))
	_, _, err := e.do.Account.Get(e.ctx)
	var er *godo.ErrorResponse
	if err == nil || errors.As(err, &er) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("over HTTP/2, a reset request got %v, want a transport error", err)
	}
	if _, _, err := e.do.Account.Get(e.ctx); err != nil {
		t.Fatalf("the next request: %v", err)
	}

	// Over HTTP/1.1 the connection itself is closed with an RST.
	http1 := e.base.Clone()
	http1.ForceAttemptHTTP2 = false
	http1.TLSClientConfig.NextProtos = []string{"http/1.1"}
	http1.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	e.w.Update(context.Background(), "", func(d *world.Data) error { d.Faults[FaultConnectionReset] = ""; return nil })
	req, _ := http.NewRequestWithContext(e.ctx, "GET", "https://api.digitalocean.com/v2/account", nil)
	resp, err := http1.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("over HTTP/1.1, a reset request got %s", resp.Status)
	}
	if !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("over HTTP/1.1: %v, want a connection reset", err)
	}
}

func TestFaultCreateErroredEndsTheActionErrored(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withFault(FaultCreateErrored, ""))
	dr, resp, err := e.do.Droplets.Create(e.ctx, chapterDropletRequest("my.example.org"))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the create action to end", func() bool {
		action, _, err := e.do.Actions.Get(e.ctx, resp.Links.Actions[0].ID)
		return err == nil && action.Status != godo.ActionInProgress
	})
	action, _, _ := e.do.Actions.Get(e.ctx, resp.Links.Actions[0].ID)
	got, _, _ := e.do.Droplets.Get(e.ctx, dr.ID)
	if action.Status != "errored" || action.CompletedAt == nil || got.Status != "new" || len(got.Networks.V4) != 0 {
		t.Errorf("action %q, droplet %q with %d addresses", action.Status, got.Status, len(got.Networks.V4))
	}
}

func TestPTRWrongBreaksAndHealsTheReverseName(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	dr := e.createActive(t, chapterDropletRequest("my.redrockdsa.org", "chapterctl:abc123"))
	ip, _ := dr.PublicIPv4()
	ptrNow := func() string {
		var name string
		e.w.Read(func(d *world.Data) { name, _ = PTR(d, ip) })
		return name
	}
	if got := ptrNow(); got != "my.redrockdsa.org" {
		t.Fatalf("PTR(%s) = %q", ip, got)
	}
	spec := faultSpec(t, FaultPTRWrong)
	e.w.Update(context.Background(), "", func(d *world.Data) error { return spec.Break(d, "") })
	if got := ptrNow(); got != defaultWrongName {
		t.Errorf("after break: PTR = %q", got)
	}
	e.w.Update(context.Background(), "", func(d *world.Data) error { return spec.Heal(d) })
	if got := ptrNow(); got != "my.redrockdsa.org" {
		t.Errorf("after heal: PTR = %q", got)
	}
}

func TestPTRNeedsAnFQDN(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{"my.redrockdsa.org": true, "ubuntu-s-1vcpu-2gb-nyc3-01": false, "my.10": false, "a.b": true}
	for name, want := range cases {
		d := &world.Data{DigitalOcean: world.DigitalOcean{Droplets: []*world.Droplet{{ID: 1, Name: name, PublicIPv4: "203.0.113.10"}}}}
		if got, ok := PTR(d, "203.0.113.10"); ok != want || (ok && got != name) {
			t.Errorf("PTR for a droplet named %q = %q, %v; want %v", name, got, ok, want)
		}
	}
}

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
