package steps

import (
	"context"
	"testing"

	simdo "github.com/chapterctl/chapterctl/internal/sandbox/digitalocean"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func firewallRun(t *testing.T) *sandboxRun {
	t.Helper()
	return fastDigitalOcean(newSandboxRun(t, testChapter(), NewFirewall()))
}

func TestFirewallCreatedThenNothingToDo(t *testing.T) {
	run := firewallRun(t)
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := loadState(t, run.Dir)
	_, _, firewalls := run.digitalOcean()
	if len(firewalls) != 1 || firewalls[0].Name != "chapterctl-"+st.StackID || firewalls[0].ID != st.Output("firewall", "id") {
		t.Fatalf("firewalls = %+v, output %q", firewalls, st.Output("firewall", "id"))
	}
	run.requireEmptyRerun(t)
}

// A rule removed in the control panel is planned as an update and put back.
func TestFirewallDriftIsUpdated(t *testing.T) {
	ctx := context.Background()
	run := firewallRun(t)
	if err := run.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	run.Sandbox.World.Update(ctx, "", func(d *world.Data) error {
		fw := d.DigitalOcean.Firewalls[0]
		fw.Inbound = fw.Inbound[1:]
		return nil
	})
	plans, err := run.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if items := plans[0].Change.Items; len(items) != 1 || items[0].Action != Update {
		t.Fatalf("plan = %+v, want update", items)
	}
	if err := run.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	run.requireEmptyRerun(t)
}

// A firewall a killed run created, unrecorded, is adopted, not doubled.
func TestFirewallMadeByAKilledRunIsAdopted(t *testing.T) {
	ctx := context.Background()
	run := firewallRun(t)
	if err := run.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	store, st := openState(t, run)
	delete(st.Step("firewall").Outputs, "id")
	if err := store.Save(st); err != nil {
		t.Fatal(err)
	}
	plans, err := run.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if items := plans[0].Change.Items; len(items) != 1 || items[0].Action != Adopt {
		t.Fatalf("plan = %+v, want adopt", items)
	}
	if err := run.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, firewalls := run.digitalOcean(); len(firewalls) != 1 {
		t.Fatalf("firewalls = %d, want 1", len(firewalls))
	}
}

func TestFirewallSurvivesServerErrors(t *testing.T) {
	run := firewallRun(t)
	run.breakFault(t, simdo.Fault5xx, "2")
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, _, firewalls := run.digitalOcean(); len(firewalls) != 1 {
		t.Fatalf("firewalls = %d, want 1", len(firewalls))
	}
}
