package digitalocean

import (
	"math"
	"testing"

	"github.com/digitalocean/godo"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// BenchmarkDropletCreateAndPollToActive is the simulator's own cost for
// the droplet step's requests: create, poll the create action, get the
// active droplet (then delete it, outside the timing). At time scale 0
// every simulated wait is instant, so what is measured is overhead: TLS
// loopback, godo, the world's lock and the handler. The rate limits are
// widened, as a benchmark's pace is no client's.
func BenchmarkDropletCreateAndPollToActive(b *testing.B) {
	w := world.New(testData(func(d *world.Data) {
		d.TimeScale = 0
		d.DigitalOcean.Account.DropletLimit = 1000
	}), "", world.Options{})
	e := serve(b, w, newAPI(w, rateLimits{hour: math.MaxInt, minute: math.MaxInt, keysList: math.MaxInt}), testToken)
	req := chapterDropletRequest("my.example.org", "chapterctl:bench")
	b.ReportAllocs()
	for b.Loop() {
		dr, resp, err := e.do.Droplets.Create(e.ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		for {
			action, _, err := e.do.Actions.Get(e.ctx, resp.Links.Actions[0].ID)
			if err != nil {
				b.Fatal(err)
			}
			if action.Status == godo.ActionCompleted {
				break
			}
		}
		if got, _, err := e.do.Droplets.Get(e.ctx, dr.ID); err != nil || got.Status != "active" {
			b.Fatalf("droplet %v: %v", got, err)
		}
		b.StopTimer()
		if _, err := e.do.Droplets.Delete(e.ctx, dr.ID); err != nil {
			b.Fatal(err)
		}
		// Addresses are never reused; start them over so that the
		// benchmark can run past the 246 of 203.0.113.0/24.
		w.Settle(func(d *world.Data) { d.Counters["digitalocean.public_ipv4"] = 0 })
		b.StartTimer()
	}
}
