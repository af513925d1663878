package steps

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// synapseSeen is the world's Synapse: its files on the machine and the
// configuration it runs with.
type synapseSeen struct {
	ID                 string
	File, Backup       string
	HasFile, HasBackup bool
	Config             world.SynapseConfig
}

const synapseDataPrefix = "/home/yellowtent/appsdata/"

func (s *cloudronRun) synapse(t *testing.T) synapseSeen {
	t.Helper()
	var seen synapseSeen
	s.Sandbox.World.Read(func(d *world.Data) {
		eachApp(d, "org.matrix.synapse", func(m *world.Machine, a *world.CloudronApp) {
			seen.ID = a.ID
			if a.Synapse != nil {
				seen.Config = *a.Synapse
			}
			path := synapseDataPrefix + a.ID + "/data/configs/homeserver.yaml"
			seen.File, seen.HasFile = m.Files[path]
			seen.Backup, seen.HasBackup = m.Files[path+".chapterctl.bak"]
		})
	})
	if seen.ID == "" || !seen.HasFile {
		t.Fatalf("no Synapse with a homeserver.yaml in the world: %+v", seen)
	}
	return seen
}

// eachApp calls fn with every app of the world from the store package
// storeID and the machine it runs on.
func eachApp(d *world.Data, storeID string, fn func(m *world.Machine, a *world.CloudronApp)) {
	for _, m := range d.Machines {
		if m.Cloudron == nil {
			continue
		}
		for _, a := range m.Cloudron.Apps {
			if a.AppStoreID == storeID {
				fn(m, a)
			}
		}
	}
}

// setSynapseFile replaces homeserver.yaml in the world, as a person (or a
// killed run) would have left it.
func (s *cloudronRun) setSynapseFile(t *testing.T, content string) {
	t.Helper()
	id := s.synapse(t).ID
	s.Sandbox.World.Settle(func(d *world.Data) {
		for _, m := range d.Machines {
			if m.Cloudron != nil {
				m.Files[synapseDataPrefix+id+"/data/configs/homeserver.yaml"] = content
			}
		}
	})
}

// synapseHealth asks the box, as the product does.
func (s *cloudronRun) synapseHealth(t *testing.T) string {
	t.Helper()
	app, err := s.dashboard(s.Secrets[secrets.CloudronToken]).App(context.Background(), s.synapse(t).ID)
	if err != nil {
		t.Fatal(err)
	}
	return app.Health
}

// federationItem is the chat plan's item for Synapse's policy, if any.
func (s *cloudronRun) federationItem(t *testing.T) *Item {
	t.Helper()
	return s.lastPlanItem(t, "federation policy of Synapse")
}

// lastPlanItem is the item of the last step's plan whose resource starts
// with prefix, if any.
func (s *cloudronRun) lastPlanItem(t *testing.T, prefix string) *Item {
	t.Helper()
	plans, err := s.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range plans[len(plans)-1].Change.Items {
		if strings.HasPrefix(it.Resource, prefix) {
			return &it
		}
	}
	return nil
}

func (s *cloudronRun) applyCounting(t *testing.T) int {
	t.Helper()
	before := len(s.mutations(t))
	if err := s.Apply(context.Background()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return len(s.mutations(t)) - before
}

// Closed is an empty allow-list and no notary; going back to open removes
// both keys, with the backup refreshed from the file Synapse ran with.
func TestChatFederationClosedThenOpen(t *testing.T) {
	cfg := testChapter()
	cfg.Federation = chapter.FederationClosed
	r := installedCloudron(t, cfg, NewPlatformSetup(), NewChat())
	r.applyCounting(t)
	syn := r.synapse(t)
	if !syn.Config.WhitelistSet || len(syn.Config.Whitelist) != 0 || len(syn.Config.TrustedKeyServers) != 0 ||
		!strings.Contains(syn.File, "federation_domain_whitelist: []") || !strings.Contains(syn.File, "trusted_key_servers: []") {
		t.Fatalf("closed: runs with %+v; file:\n%s", syn.Config, syn.File)
	}
	if n := r.applyCounting(t); n != 0 {
		t.Errorf("rerun made %d mutating requests", n)
	}

	cfg.Federation = chapter.FederationOpen
	item := r.federationItem(t)
	if item == nil || item.Action != Update || !strings.Contains(item.Detail, "open") {
		t.Fatalf("plan after switching to open = %+v", item)
	}
	r.applyCounting(t)
	syn = r.synapse(t)
	if syn.Config.WhitelistSet || len(syn.Config.TrustedKeyServers) != 1 || syn.Config.TrustedKeyServers[0] != "matrix.org" ||
		strings.Contains(syn.File, "federation_domain_whitelist") || strings.Contains(syn.File, "trusted_key_servers: []") {
		t.Errorf("open: runs with %+v; file:\n%s", syn.Config, syn.File)
	}
	if !strings.Contains(syn.Backup, "federation_domain_whitelist: []") {
		t.Errorf("the backup is not the closed file Synapse ran with:\n%s", syn.Backup)
	}
	if got := loadState(t, r.Dir).Output("chat", "federation"); got != "open (any Matrix server)" {
		t.Errorf("federation output = %q", got)
	}
	if item := r.federationItem(t); item != nil {
		t.Errorf("plan once applied = %+v, want nothing", item)
	}
}

// A run killed after writing the file but before the restart leaves a
// file that is right and a Synapse that has not read it: the rerun only
// restarts it.
func TestChatFederationKilledBeforeTheRestartConverges(t *testing.T) {
	cfg := testChapter()
	r := installedCloudron(t, cfg, NewPlatformSetup(), NewChat())
	r.applyCounting(t)

	cfg.Federation, cfg.FederationAllow = chapter.FederationAllowlist, []string{"chicagodsa.org", "nycdsa.org"}
	doc, err := parseHomeserver([]byte(r.synapse(t).File))
	if err != nil {
		t.Fatal(err)
	}
	doc.apply(wantedPolicy(cfg))
	written, err := doc.bytes()
	if err != nil {
		t.Fatal(err)
	}
	r.setSynapseFile(t, string(written))
	if syn := r.synapse(t); syn.Config.WhitelistSet {
		t.Fatal("the written file took effect without a restart")
	}
	item := r.federationItem(t)
	if item == nil || !strings.Contains(item.Detail, "restart Synapse to load it") {
		t.Fatalf("plan = %+v, want the restart", item)
	}
	before := len(r.mutations(t))
	if err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	var points []string
	for _, e := range r.mutations(t)[before:] {
		points = append(points, e.Point)
	}
	// Synapse only restarts; then Element's config.json, untouched by the
	// killed run, is backed up and written (chat_element.go).
	if len(points) != 3 || points[0] != "cloudron.app.restart" || !strings.HasPrefix(points[1], "droplet.file.") ||
		!strings.HasPrefix(points[2], "droplet.file.") {
		t.Errorf("rerun mutations = %v, want the restart, then Element's backup and write", points)
	}
	if syn := r.synapse(t); !syn.Config.WhitelistSet || strings.Join(syn.Config.Whitelist, ",") != "chicagodsa.org,nycdsa.org" {
		t.Errorf("after the rerun Synapse runs with %+v", syn.Config)
	}
	if n := r.applyCounting(t); n != 0 {
		t.Errorf("second rerun made %d mutating requests", n)
	}
}

// A Synapse that does not come back from the restart gets the previous
// file back and runs again; the step fails saying so, and the rerun
// applies the policy.
func TestChatFederationRollsBackWhenSynapseFailsToStart(t *testing.T) {
	cfg := testChapter()
	cfg.Federation, cfg.FederationAllow = chapter.FederationAllowlist, []string{"chicagodsa.org"}
	r := installedCloudron(t, cfg, NewPlatformSetup(), NewChat())
	r.breakFault(t, "synapse-config-mangled", "")
	err := r.Apply(context.Background())
	var stepErr *StepError
	if !errors.As(err, &stepErr) || stepErr.ID != "chat" || !strings.Contains(err.Error(), "did not come back healthy") ||
		!strings.Contains(err.Error(), "put back the previous file") {
		t.Fatalf("Apply = %v, want the rollback reported", err)
	}
	syn := r.synapse(t)
	if syn.Config.Error != "" || syn.Config.WhitelistSet || syn.File != syn.Backup || r.synapseHealth(t) != "healthy" {
		t.Fatalf("after the rollback: runs with %+v, health %q; file:\n%s", syn.Config, r.synapseHealth(t), syn.File)
	}
	if got := loadState(t, r.Dir).Output("chat", "federation_applied"); got != "" {
		t.Errorf("federation_applied = %q after a rollback", got)
	}
	if err := r.Apply(context.Background()); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if syn := r.synapse(t); !syn.Config.WhitelistSet || syn.Config.Whitelist[0] != "chicagodsa.org" {
		t.Errorf("after the rerun Synapse runs with %+v", syn.Config)
	}
}

// The server name is chosen once: chapter.yaml cannot move it, and a file
// edited to another one is reported, not overwritten.
func TestChatServerNameNeverChangesOnceSet(t *testing.T) {
	cfg := testChapter()
	r := installedCloudron(t, cfg, NewPlatformSetup(), NewChat())
	r.applyCounting(t)

	cfg.MatrixServerName = chapter.MatrixServerNameSubdomain
	_, err := r.Plan(context.Background())
	var input *InputError
	if !errors.As(err, &input) || input.Field != "matrix_server_name" || !strings.Contains(err.Error(), "already runs as redrockdsa.org") {
		t.Fatalf("plan with another server name = %v", err)
	}
	cfg.MatrixServerName = chapter.MatrixServerNameDomain

	file := r.synapse(t).File
	r.setSynapseFile(t, strings.Replace(file, `server_name: "redrockdsa.org"`, `server_name: "other.org"`, 1))
	before := len(r.mutations(t))
	err = r.Apply(context.Background())
	if err == nil || !strings.Contains(err.Error(), "server_name: other.org") || !strings.Contains(err.Error(), "put back server_name: redrockdsa.org") {
		t.Fatalf("Apply with a hand-edited server name = %v", err)
	}
	if n := len(r.mutations(t)) - before; n != 0 {
		t.Errorf("%d mutating requests after the refusal", n)
	}
}

// A restart still running (asked for by a run killed right after) is
// waited for (ensureApp waits while a task holds the app), not answered
// with the box's 409.
func TestChatFederationWaitsForARestartInFlight(t *testing.T) {
	cfg := testChapter()
	r := installedCloudron(t, cfg, NewPlatformSetup(), NewChat())
	r.applyCounting(t)
	// Slow the clock so that the restart below is still running when the
	// step gets to its own.
	r.Sandbox.World.Settle(func(d *world.Data) { d.TimeScale = 0.1 })
	if _, err := r.dashboard(r.Secrets[secrets.CloudronToken]).RestartApp(context.Background(), r.synapse(t).ID); err != nil {
		t.Fatal(err)
	}
	cfg.Federation = chapter.FederationClosed
	if err := r.Apply(context.Background()); err != nil {
		t.Fatalf("Apply with a restart in flight: %v", err)
	}
	if syn := r.synapse(t); !syn.Config.WhitelistSet || len(syn.Config.Whitelist) != 0 {
		t.Errorf("Synapse runs with %+v, want closed", syn.Config)
	}
}
