package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestInitSurvivesEveryReliabilityFault breaks one reliability fault of the
// sandbox at a time and runs a full init. Where the fault is an attack (a
// changed host key or certificate), init must stop with a warning; for the
// rest it must finish, at most after one rerun (as a person would rerun
// after a provider's hiccup), with no duplicate anywhere.
func TestInitSurvivesEveryReliabilityFault(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a full init per fault")
	}
	bin := buildChapterctl(t)
	tests := []struct {
		fault string
		stop  string // init must stop with this in its error; "" = must finish
		// killAt first runs init until it is killed there: for a fault
		// that needs what init makes (an installed Cloudron).
		killAt string
	}{
		{fault: "digitalocean-rate-limit=2"},
		{fault: "digitalocean-5xx=2"},
		{fault: "digitalocean-create-commit-then-500"},
		{fault: "digitalocean-connection-reset=2"},
		{fault: "digitalocean-create-errored"},
		{fault: "gandi-rate-limit=2"},
		{fault: "gandi-rate-limit-html=2"},
		{fault: "gandi-5xx=2"},
		{fault: "gandi-502-html=2"},
		{fault: "gandi-connection-reset=2"},
		{fault: "ssh-drop-mid-install"},
		{fault: "slow-reboot"},
		{fault: "cloudron-task-fails"},
		{fault: "synapse-config-mangled"},
		{fault: "latency=20ms"},
		{fault: "ssh-host-key-changed", stop: "host key mismatch"},
		{fault: "cloudron-cert-changed", stop: "WARNING", killAt: "droplet.machine.reboot#1"},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			t.Parallel()
			dir := sandboxFolder(t, bin)
			if tt.killAt != "" {
				chapterctl(bin, dir, "sandbox", "break", "crash-at="+tt.killAt)
				if out, err := chapterctl(bin, dir, "init", "--sandbox", "--yes"); err == nil {
					t.Fatalf("init was not killed at %s:\n%s", tt.killAt, out)
				}
			}
			if out, err := chapterctl(bin, dir, "sandbox", "break", tt.fault); err != nil {
				t.Fatalf("break: %v\n%s", err, out)
			}
			out, err := chapterctl(bin, dir, "init", "--sandbox", "--yes")
			if tt.stop != "" {
				if err == nil || !strings.Contains(string(out), tt.stop) {
					t.Fatalf("init did not stop with %q: %v\n%s", tt.stop, err, out)
				}
				return
			}
			if err != nil {
				if out, err = chapterctl(bin, dir, "init", "--sandbox", "--yes"); err != nil {
					t.Fatalf("init did not finish, even rerun: %v\n%s", err, out)
				}
			}
			raw, err := chapterctl(bin, dir, "sandbox", "world", "--json")
			if err != nil {
				t.Fatal(err)
			}
			var w worldView
			json.Unmarshal(raw, &w)
			if len(w.Droplets) != 1 || len(w.SSHKeys) != 1 || len(w.Firewalls) != 1 || w.Cloudron == nil || len(w.Cloudron.Apps) != wantApps {
				t.Fatalf("world after init: %s", raw)
			}
			w.checkMail(t)
		})
	}
}
