package sandbox

import (
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

func TestFaultRegistryIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	kinds := map[string]int{}
	for _, f := range Faults() {
		if seen[f.Name] {
			t.Errorf("fault %q is registered twice", f.Name)
		}
		seen[f.Name] = true
		kinds[f.Kind]++
		if f.Kind != world.KindDoctor && f.Kind != world.KindReliability {
			t.Errorf("fault %q has kind %q", f.Name, f.Kind)
		}
		if strings.TrimSpace(f.Description) == "" || strings.ContainsAny(f.Name, " =") {
			t.Errorf("fault %q: bad name or no description", f.Name)
		}
		if (f.Break == nil) != (f.Heal == nil) {
			t.Errorf("fault %q has Break without Heal or the reverse", f.Name)
		}
	}
	// The list: each must exist.
	for _, name := range []string{
		"crash-at", "latency", "digitalocean-rate-limit", "gandi-rate-limit", "digitalocean-5xx", "gandi-5xx",
		"digitalocean-create-commit-then-500", "digitalocean-connection-reset", "ssh-host-key-changed",
		"cloudron-cert-changed", "ssh-drop-mid-install", "slow-reboot", "cloudron-task-fails",
		"dkim-missing", "dkim-wrong", "spf-missing", "spf-two", "mx-missing", "mx-wrong", "dmarc-missing",
		"app-record-missing", "my-record-missing", "ptr-wrong", "ip-listed", "domain-listed", "cert-expiring",
		"cert-expired", "app-down", "platform-update-available", "app-update-available", "disk-nearly-full",
		"memory-low", "backups-old", "admin-2fa-off", "well-known-missing", "domain-expiring",
		"caa-forbids-letsencrypt", "resolvers-disagree",
	} {
		if !seen[name] {
			t.Errorf("no fault %q", name)
		}
	}
	if kinds[world.KindDoctor] == 0 || kinds[world.KindReliability] == 0 {
		t.Errorf("kinds = %v", kinds)
	}
}

func TestBreakAndHealThroughTheWorldFile(t *testing.T) {
	dir := workdir.Dir{Root: t.TempDir()}
	dir.Ensure()
	if _, err := Create(dir, nil, "redrockdsa.org", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := Break(dir, "gandi-5xx=3"); err != nil {
		t.Fatal(err)
	}
	if err := Break(dir, "domain-expiring"); err != nil {
		t.Fatal(err)
	}
	d, _ := Load(dir)
	if d.Faults["gandi-5xx"] != "3" || time.Until(d.DomainByFQDN("redrockdsa.org").Expires) > 30*24*time.Hour {
		t.Fatalf("after break: faults %v, expiry %v", d.Faults, d.DomainByFQDN("redrockdsa.org").Expires)
	}
	if err := Break(dir, "no-such-fault"); err == nil || !strings.Contains(err.Error(), "sandbox faults") {
		t.Fatalf("unknown fault: %v", err)
	}
	if err := Heal(dir, ""); err != nil {
		t.Fatal(err)
	}
	d, _ = Load(dir)
	if len(d.Faults) != 0 || time.Until(d.DomainByFQDN("redrockdsa.org").Expires) < 300*24*time.Hour {
		t.Fatalf("after heal: faults %v, expiry %v", d.Faults, d.DomainByFQDN("redrockdsa.org").Expires)
	}
}
