package steps

import (
	"context"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/state"
)

// newProvisionRun is a sandbox run of the first three steps.
func newProvisionRun(t *testing.T, cfg *chapter.Config) *sandboxRun {
	t.Helper()
	return fastDigitalOcean(newSandboxRun(t, cfg, NewSSHKey(), NewDroplet(), NewFirewall()))
}

// fastDigitalOcean gives the run a DigitalOcean client whose polling and
// backoff waits are scaled down as the world's time is, so the tests do
// not sit through real two-second polls.
func fastDigitalOcean(run *sandboxRun) *sandboxRun {
	sleep := func(ctx context.Context, d time.Duration) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d / 100):
			return nil
		}
	}
	run.Providers.DigitalOcean = digitalocean.New(run.Secrets[secrets.DigitalOceanToken],
		run.Sandbox.Dialer(), run.Sandbox.RootCAs(), digitalocean.WithSleeper(sleep))
	return run
}

// digitalOcean is a copy of the simulated account as it is now.
func (s *sandboxRun) digitalOcean() (droplets []world.Droplet, keys []world.SSHKey, firewalls []world.Firewall) {
	s.Sandbox.World.Read(func(d *world.Data) {
		for _, dr := range d.DigitalOcean.Droplets {
			droplets = append(droplets, *dr)
		}
		for _, k := range d.DigitalOcean.SSHKeys {
			keys = append(keys, *k)
		}
		for _, fw := range d.DigitalOcean.Firewalls {
			firewalls = append(firewalls, *fw)
		}
	})
	return droplets, keys, firewalls
}

// requireEmptyRerun checks that planning again finds nothing to do and that
// applying again sends no mutating request.
func (s *sandboxRun) requireEmptyRerun(t *testing.T) {
	t.Helper()
	before := len(s.mutations(t))
	plans, err := s.Plan(context.Background())
	if err != nil {
		t.Fatalf("rerun plan: %v", err)
	}
	for _, p := range plans {
		if !p.Change.IsEmpty() {
			t.Errorf("rerun plan of %s = %+v, want nothing to do", p.Step.ID(), p.Change.Items)
		}
	}
	if err := s.Apply(context.Background()); err != nil {
		t.Fatalf("rerun apply: %v", err)
	}
	if after := s.mutations(t); len(after) != before {
		t.Errorf("rerun sent %d mutating requests: %+v", len(after)-before, after[before:])
	}
}

// openState opens the run's state file for a test to edit, as a killed run
// would have left it.
func openState(t *testing.T, run *sandboxRun) (*state.Store, *state.State) {
	t.Helper()
	store, st, err := state.Open(run.Dir.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	return store, st
}
