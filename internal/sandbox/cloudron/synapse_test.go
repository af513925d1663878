package cloudron

import (
	"slices"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// synapseState reads the app's effective config and the file on the
// machine.
func (b *box) synapseState(id string) (*world.SynapseConfig, string, bool) {
	var cfg *world.SynapseConfig
	var file string
	var ok bool
	b.w.Read(func(d *world.Data) {
		m := d.MachineOf(1)
		file, ok = m.Files[SynapseConfigPath(id)]
		if a := appByID(m.Cloudron, id); a != nil && a.Synapse != nil {
			copied := *a.Synapse
			cfg = &copied
		}
	})
	return cfg, file, ok
}

func (b *box) writeFile(p, content string) {
	b.change(func(d *world.Data) { d.MachineOf(1).Files[p] = content })
}

func (b *box) restart(t *testing.T, id string) {
	t.Helper()
	b.waitTask(b.call("POST", "/apps/"+id+"/restart", nil).want(t, 202).str("taskId"))
	b.advance(appStartHealthy)
}

// Synapse's file appears at install with server_name = the Cloudron
// domain and no policy; a change is loaded only at the next restart, and
// a file Synapse cannot read leaves it unhealthy until fixed and
// restarted.
func TestSynapseReadsHomeserverYAMLOnlyAtStart(t *testing.T) {
	t.Parallel()
	b := ready(t)
	id := b.install("org.matrix.synapse", "matrix")
	b.advance(appStartHealthy)
	cfg, file, ok := b.synapseState(id)
	if !ok || cfg == nil || cfg.Error != "" {
		t.Fatalf("after install: file %v, config %+v", ok, cfg)
	}
	if cfg.ServerName != testDomain || cfg.WhitelistSet || !slices.Equal(cfg.TrustedKeyServers, []string{"matrix.org"}) {
		t.Errorf("installed config = %+v", cfg)
	}
	if !strings.Contains(file, "server_name: \""+testDomain+"\"") || strings.Contains(file, "federation_domain_whitelist") {
		t.Errorf("installed file:\n%s", file)
	}

	b.writeFile(SynapseConfigPath(id), file+"federation_domain_whitelist: []\n")
	if cfg, _, _ := b.synapseState(id); cfg.WhitelistSet {
		t.Fatal("an edit took effect without a restart")
	}
	b.restart(t, id)
	if cfg, _, _ := b.synapseState(id); !cfg.WhitelistSet || len(cfg.Whitelist) != 0 {
		t.Errorf("after restart: %+v, want the empty allow-list", cfg)
	}

	b.writeFile(SynapseConfigPath(id), file+"federation_domain_whitelist: [a.org\n")
	b.restart(t, id)
	if h := b.call("GET", "/apps/"+id, nil).str("health"); h != "unhealthy" {
		t.Errorf("health with invalid YAML = %q", h)
	}
	b.advance(appStartHealthy * 10)
	if h := b.call("GET", "/apps/"+id, nil).str("health"); h != "unhealthy" {
		t.Errorf("health later = %q, want it to stay unhealthy", h)
	}
	b.writeFile(SynapseConfigPath(id), file+"federation_domain_whitelist: [a.org]\n")
	b.restart(t, id)
	cfg, _, _ = b.synapseState(id)
	if h := b.call("GET", "/apps/"+id, nil).str("health"); h != "healthy" || !slices.Equal(cfg.Whitelist, []string{"a.org"}) {
		t.Errorf("fixed and restarted: health %q, config %+v", h, cfg)
	}
}

// The mangle fault breaks the file at the next start only.
func TestSynapseConfigMangledFaultBreaksOneStart(t *testing.T) {
	t.Parallel()
	b := ready(t)
	id := b.install("org.matrix.synapse", "matrix")
	_, good, _ := b.synapseState(id)
	b.change(func(d *world.Data) { d.Faults[FaultSynapseConfigMangled] = "" })
	b.restart(t, id)
	if h := b.call("GET", "/apps/"+id, nil).str("health"); h != "unhealthy" {
		t.Fatalf("health after the mangled start = %q", h)
	}
	b.writeFile(SynapseConfigPath(id), good)
	b.restart(t, id)
	if h := b.call("GET", "/apps/"+id, nil).str("health"); h != "healthy" {
		t.Errorf("health after the fix = %q", h)
	}
}

// Uninstalling removes the app's data directory.
func TestUninstallRemovesAppData(t *testing.T) {
	t.Parallel()
	b := ready(t)
	id := b.install("org.matrix.synapse", "matrix")
	b.waitTask(b.call("POST", "/apps/"+id+"/uninstall", nil).want(t, 202).str("taskId"))
	if _, _, ok := b.synapseState(id); ok {
		t.Error("homeserver.yaml outlived its app")
	}
}
