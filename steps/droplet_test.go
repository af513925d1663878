package steps

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/digitalocean"
	simdo "github.com/chapterctl/chapterctl/internal/sandbox/digitalocean"
	"github.com/chapterctl/chapterctl/internal/sandbox/droplet"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/sshx"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/templates"
)

func TestProvisionFreshRunThenEmptyRerun(t *testing.T) {
	run := newProvisionRun(t, testChapter())
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := loadState(t, run.Dir)
	droplets, keys, firewalls := run.digitalOcean()
	if len(keys) != 1 || len(droplets) != 1 || len(firewalls) != 1 {
		t.Fatalf("world has %d keys, %d droplets, %d firewalls; want one each", len(keys), len(droplets), len(firewalls))
	}
	d, tag := droplets[0], "chapterctl:"+st.StackID
	if d.Name != "my.redrockdsa.org" || d.Size != "s-2vcpu-4gb" || !slices.Contains(d.Tags, tag) || !d.IPv6 || !d.Monitoring {
		t.Errorf("droplet = %+v", d)
	}
	if firewalls[0].ID != st.Output("firewall", "id") || !slices.Contains(firewalls[0].Tags, tag) {
		t.Errorf("firewall = %+v, output %q", firewalls[0], st.Output("firewall", "id"))
	}
	outputs := st.Steps["droplet"].Outputs
	if outputs["id"] != strconv.Itoa(d.ID) || outputs["ipv4"] != d.PublicIPv4 || outputs["ipv6"] == "" ||
		outputs["host_key_rotated"] != "true" || outputs["host_key_next"] != "" {
		t.Errorf("droplet outputs = %+v", outputs)
	}
	if strings.Contains(d.UserData, outputs["host_key"]) {
		t.Error("the pinned host key is still the one in the droplet's metadata")
	}

	// known_hosts works for ssh as a person would use it.
	pin, err := sshx.ReadKnownHosts(run.Dir.KnownHosts(), "my.redrockdsa.org")
	if err != nil {
		t.Fatal(err)
	}
	if byIP, err := sshx.ReadKnownHosts(run.Dir.KnownHosts(), d.PublicIPv4); err != nil || string(byIP.Marshal()) != string(pin.Marshal()) {
		t.Fatalf("known_hosts for %s: %v", d.PublicIPv4, err)
	}
	signer, err := sshx.LoadKey(run.Dir.KeyFile())
	if err != nil {
		t.Fatal(err)
	}
	client, err := sshx.Dial(context.Background(), run.Sandbox.Dialer(), d.PublicIPv4, "root", signer, pin)
	if err != nil {
		t.Fatalf("ssh with the pinned key: %v", err)
	}
	code, err := client.Run(context.Background(), "true", sshx.RunOptions{})
	client.Close()
	if err != nil || code != 0 {
		t.Fatalf("ssh true = %d, %v", code, err)
	}

	run.requireEmptyRerun(t)
}

func TestDropletLostCreateAnswerMakesOneDroplet(t *testing.T) {
	run := newProvisionRun(t, testChapter())
	run.breakFault(t, simdo.FaultCreateCommitThen500, "")
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if droplets, _, _ := run.digitalOcean(); len(droplets) != 1 {
		t.Fatalf("droplets = %d, want exactly one", len(droplets))
	}
	lost := slices.ContainsFunc(readJournal(t, run.Dir), func(e world.Entry) bool {
		return e.Method == "POST" && e.Path == "/v2/droplets" && e.Status == 500
	})
	if !lost {
		t.Fatal("the fault did not fire: no create answered 500 in the journal")
	}
	run.requireEmptyRerun(t)
}

// A run killed after DigitalOcean made the droplet and before the id was
// recorded left only the host key in the state: the rerun adopts it.
func TestDropletKilledBeforeCheckpointIsAdopted(t *testing.T) {
	ctx := context.Background()
	run := newProvisionRun(t, testChapter())
	all := run.Steps
	run.Steps = all[:1]
	if err := run.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	_, hostPrivate, hostPublic, err := sshx.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	store, st, err := state.Open(run.Dir.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	st.Step("droplet").Status = state.Running
	st.Step("droplet").SetOutput("host_key", hostPublic)
	if err := store.Save(st); err != nil {
		t.Fatal(err)
	}
	userData, err := templates.UserData(templates.CloudInit{HostKeyPrivate: string(hostPrivate), HostKeyPublic: hostPublic})
	if err != nil {
		t.Fatal(err)
	}
	made, err := run.Providers.DigitalOcean.CreateDroplet(ctx, digitalocean.DropletSpec{
		Name: "my.redrockdsa.org", Region: "nyc3", Size: "s-2vcpu-4gb", Image: "ubuntu-24-04-x64",
		SSHKeyFingerprints: []string{st.Output("ssh-key", "fingerprint")}, UserData: string(userData),
		Tags: []string{"chapterctl:" + st.StackID}, IPv6: true, Monitoring: true,
	})
	if err != nil {
		t.Fatal(err)
	}

	run.Steps = all
	plans, err := run.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if items := plans[1].Change.Items; len(items) != 1 || items[0].Action != Adopt {
		t.Fatalf("droplet plan = %+v, want adopt", items)
	}
	if err := run.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if droplets, _, _ := run.digitalOcean(); len(droplets) != 1 {
		t.Fatalf("droplets = %d, want the adopted one only", len(droplets))
	}
	if got := loadState(t, run.Dir).Output("droplet", "id"); got != strconv.Itoa(made.ID) {
		t.Fatalf("recorded id %s, want %d", got, made.ID)
	}
	run.requireEmptyRerun(t)
}

// A rotation killed after the server took the new key, before it was
// promoted, is finished by the rerun (the new key is accepted).
func TestDropletRotationKilledBeforePromotionIsFinished(t *testing.T) {
	ctx := context.Background()
	run := newProvisionRun(t, testChapter())
	if err := run.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	store, st, err := state.Open(run.Dir.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	rotated := st.Output("droplet", "host_key")
	_, _, stale, err := sshx.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	// As the state stood between restarting sshd and the promotion.
	st.Step("droplet").Status = state.Running
	st.Step("droplet").SetOutput("host_key", stale)
	st.Step("droplet").SetOutput("host_key_next", rotated)
	st.Step("droplet").SetOutput("host_key_rotated", "")
	if err := store.Save(st); err != nil {
		t.Fatal(err)
	}
	if err := run.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	outputs := loadState(t, run.Dir).Steps["droplet"].Outputs
	if outputs["host_key"] != rotated || outputs["host_key_next"] != "" || outputs["host_key_rotated"] != "true" {
		t.Fatalf("outputs after rerun = %+v", outputs)
	}
}

func TestDropletHostKeyMismatchStopsEverything(t *testing.T) {
	run := newProvisionRun(t, testChapter())
	run.breakFault(t, droplet.FaultHostKeyChanged, "")
	err := run.Apply(context.Background())
	var stepErr *StepError
	var mismatch *sshx.HostKeyMismatchError
	if !errors.As(err, &stepErr) || stepErr.ID != "droplet" || !errors.As(err, &mismatch) ||
		!strings.Contains(err.Error(), "host key mismatch") {
		t.Fatalf("Apply error = %v, want the droplet step's host key mismatch", err)
	}
	st := loadState(t, run.Dir)
	if st.Steps["droplet"].Status != state.Failed || st.Output("droplet", "host_key_rotated") == "true" {
		t.Errorf("droplet record = %+v", st.Steps["droplet"])
	}
	if _, ran := st.Lookup("firewall"); ran {
		t.Error("the firewall step ran after the mismatch")
	}
	if _, _, firewalls := run.digitalOcean(); len(firewalls) != 0 {
		t.Errorf("firewalls = %+v, want none", firewalls)
	}
	if _, err := sshx.ReadKnownHosts(run.Dir.KnownHosts(), "my.redrockdsa.org"); err == nil {
		t.Error("known_hosts was written for a server that failed the check")
	}
}

func TestDropletTooSmallRefusedBeforeAnythingIsMade(t *testing.T) {
	cfg := testChapter()
	cfg.Size = "s-1vcpu-1gb"
	run := newSandboxRun(t, cfg, NewDroplet())
	for _, do := range []func(context.Context) error{
		func(ctx context.Context) error { _, err := run.Plan(ctx); return err },
		run.Apply,
	} {
		if err := do(context.Background()); err == nil || !strings.Contains(err.Error(), "size field") ||
			!strings.Contains(err.Error(), "2048 MiB") {
			t.Fatalf("error = %v, want the size refused, naming the size field", err)
		}
	}
	if droplets, _, _ := run.digitalOcean(); len(droplets) != 0 {
		t.Fatalf("droplets = %+v", droplets)
	}
	if m := run.mutations(t); len(m) != 0 {
		t.Fatalf("mutating requests: %+v", m)
	}
}
