package digitalocean

import (
	"math/rand/v2"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// The default delays, in simulated time (reference/timings.md §7). The
// world's DigitalOcean.Timings overrides each one.
const (
	defaultListed         = 2 * time.Second
	defaultCreate         = 35 * time.Second
	defaultCreateJitter   = 10 * time.Second
	defaultAction         = 10 * time.Second // reboot, power, rename: no public figure; a guess
	defaultFirewallSettle = 5 * time.Second
	defaultDestroy        = 20 * time.Second
)

// delays are the simulated durations in force for one request.
type delays struct {
	listed, create, createJitter, action, firewallSettle, destroy time.Duration
}

func delaysOf(t world.DOTimings) delays {
	pick := func(seconds float64, fallback time.Duration) time.Duration {
		if seconds > 0 {
			return time.Duration(seconds * float64(time.Second))
		}
		return fallback
	}
	return delays{
		listed:         pick(t.Listed, defaultListed),
		create:         pick(t.Create, defaultCreate),
		createJitter:   pick(t.CreateJitter, defaultCreateJitter),
		action:         pick(t.Action, defaultAction),
		firewallSettle: pick(t.FirewallSettle, defaultFirewallSettle),
		destroy:        pick(t.Destroy, defaultDestroy),
	}
}

// createDuration is how long one create action takes: the median figure
// give or take the jitter, uniformly, as the observed 33–55 s spread.
func (d delays) createDuration() time.Duration {
	if d.createJitter <= 0 {
		return d.create
	}
	offset := time.Duration(rand.Int64N(int64(2*d.createJitter))) - d.createJitter
	return max(d.create+offset, 0)
}

// clock turns simulated durations into the world's real deadlines. It is
// read outside Update (World.Scaled takes the world's lock).
type clock struct {
	now   time.Time
	scale float64
}

func (c clock) after(d time.Duration) time.Time {
	return c.now.Add(time.Duration(float64(d) * c.scale))
}
