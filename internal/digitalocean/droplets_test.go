package digitalocean

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	dosim "github.com/chapterctl/chapterctl/internal/sandbox/digitalocean"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestCreateDropletThenWaitActive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub := newAuthorizedKey(t, "chapterctl@redrockdsa.org")
	key, _, err := e.c.EnsureKey(e.ctx, "chapterctl", pub)
	if err != nil {
		t.Fatal(err)
	}
	spec := chapterSpec("my.redrockdsa.org", "chapterctl:abc123")
	spec.SSHKeyFingerprints, spec.IPv6, spec.Monitoring = []string{key.Fingerprint}, true, true

	created, err := e.c.CreateDroplet(e.ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == 0 || created.Status != "new" || created.PublicIPv4 != "" {
		t.Errorf("just created: %+v, want an id, status new, no address yet", created)
	}

	type progress struct {
		waited time.Duration
		status string
	}
	var mu sync.Mutex
	var reports []progress
	active, err := e.c.WaitActive(e.ctx, created.ID, func(waited time.Duration, status string) {
		mu.Lock()
		defer mu.Unlock()
		reports = append(reports, progress{waited, status})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Droplet{ID: created.ID, Name: "my.redrockdsa.org", Status: "active", PublicIPv4: "203.0.113.10",
		PublicIPv6: "2001:db8::10", Tags: []string{"chapterctl:abc123"}, Region: "nyc3", Size: "s-2vcpu-4gb", Image: "ubuntu-24-04-x64"}
	if fmt.Sprint(active) != fmt.Sprint(want) {
		t.Errorf("WaitActive = %+v\nwant %+v", active, want)
	}
	if len(reports) == 0 {
		t.Fatal("WaitActive never reported progress while the droplet was starting")
	}
	for i, p := range reports {
		if p.status != "new" || (i > 0 && p.waited < reports[i-1].waited) {
			t.Errorf("report %d = %+v (previous %+v): want status new and a growing wait", i, p, reports[max(i-1, 0)])
		}
	}
	if got := e.waits.waits(); len(got) != len(reports) || (len(got) > 1 && got[1] <= got[0]) {
		t.Errorf("polls waited %v: want one wait per report, backing off", got)
	}

	dr := e.droplets()[0]
	if !slices.Equal(dr.SSHKeys, []string{key.Fingerprint}) || dr.UserData != spec.UserData || !dr.Monitoring {
		t.Errorf("the world's droplet has keys %v, user data %q, monitoring %v", dr.SSHKeys, dr.UserData, dr.Monitoring)
	}
}

func TestWaitActiveWhenTheCreateErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withFaults(map[string]string{dosim.FaultCreateErrored: ""}))
	created, err := e.c.CreateDroplet(e.ctx, chapterSpec("my.redrockdsa.org", "chapterctl:abc123"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.WaitActive(e.ctx, created.ID, nil)
	if !errors.Is(err, ErrCreateFailed) {
		t.Fatalf("WaitActive = %v, want ErrCreateFailed", err)
	}
	if n := len(e.requests(t, "GET", "/v2/droplets/")); n > 20 {
		t.Errorf("%d droplet reads to find out: the poll does not back off", n)
	}
}

func TestWaitActiveForADeletedDroplet(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := e.c.WaitActive(e.ctx, 123456, nil)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("WaitActive on no droplet = %v, want ErrNotFound", err)
	}
}

func TestDropletsByTagReadsEveryPage(t *testing.T) {
	t.Parallel()
	const tag, count = "chapterctl:many", 23
	e := newEnv(t, seeded(func(d *world.Data) { d.DigitalOcean.Account.DropletLimit = 30 }))
	e.c.perPage = 20 // the API's default page: 23 droplets take two
	var want []int
	for i := range count {
		d, err := e.c.CreateDroplet(e.ctx, chapterSpec(fmt.Sprintf("node-%d.redrockdsa.org", i), tag))
		if err != nil {
			t.Fatalf("droplet %d: %v", i, err)
		}
		want = append(want, d.ID)
	}
	if _, err := e.c.CreateDroplet(e.ctx, chapterSpec("other.redrockdsa.org", "someone-else")); err != nil {
		t.Fatal(err)
	}

	var got []Droplet
	eventually(t, "every droplet to be listed", func() bool {
		var err error
		if got, err = e.c.DropletsByTag(e.ctx, tag); err != nil {
			t.Fatal(err)
		}
		return len(got) == count
	})
	var ids []int
	for _, d := range got {
		ids = append(ids, d.ID)
		if !slices.Contains(d.Tags, tag) {
			t.Errorf("droplet %d has tags %v", d.ID, d.Tags)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, want) {
		t.Errorf("listed %v, want %v", ids, want)
	}
	if pages := e.requests(t, "GET", "/v2/droplets"); len(pages) < 2 {
		t.Errorf("%d list requests: the second page was never read", len(pages))
	}
}

func TestDeleteDroplet(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	d, err := e.c.CreateDroplet(e.ctx, chapterSpec("my.redrockdsa.org", "chapterctl:abc123"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.DeleteDroplet(e.ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the droplet to be gone", func() bool {
		_, err := e.c.Droplet(e.ctx, d.ID)
		return errors.Is(err, ErrNotFound)
	})
	if err := e.c.DeleteDroplet(e.ctx, d.ID); err != nil {
		t.Errorf("deleting a droplet already gone: %v", err)
	}
}

func TestCreateDropletChecksWhatTheAPIWouldRefuse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	big := chapterSpec("my.redrockdsa.org", "chapterctl:abc123")
	big.UserData = string(make([]byte, maxUserData+1))
	badTag := chapterSpec("my.redrockdsa.org", "chapterctl abc")
	for _, spec := range []DropletSpec{big, badTag} {
		if _, err := e.c.CreateDroplet(e.ctx, spec); !errors.Is(err, ErrRefused) {
			t.Errorf("CreateDroplet = %v, want ErrRefused", err)
		}
	}
	refused := chapterSpec("my_server", "chapterctl:abc123") // the API's own 422
	_, err := e.c.CreateDroplet(e.ctx, refused)
	if !errors.Is(err, ErrRefused) || errors.Is(err, ErrCreateUncertain) {
		t.Errorf("CreateDroplet with a bad name = %v, want ErrRefused, not uncertain", err)
	}
	if posts := len(e.requests(t, "POST", "/v2/droplets")); posts != 1 {
		t.Errorf("%d creates sent, want 1 (only the one the API judges)", posts)
	}
}
