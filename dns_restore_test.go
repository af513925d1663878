package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/dnsplan"
	"github.com/chapterctl/chapterctl/internal/gandi"
)

// TestDNSApplyRestorePutsABackupBack restores the zone as it was before
// init's first DNS write, on a finished sandbox chapter.
func TestDNSApplyRestorePutsABackupBack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a full init")
	}
	bin := buildChapterctl(t)
	dir := sandboxFolder(t, bin)
	if out, err := chapterctl(bin, dir, "init", "--sandbox", "--yes"); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	backups := func() []string {
		entries, _ := filepath.Glob(filepath.Join(dir, ".chapterctl", "backups", "*.json"))
		slices.Sort(entries)
		return entries
	}
	first := backups()
	if len(first) == 0 {
		t.Fatal("init wrote DNS records without a backup")
	}
	before := first[0] // the zone before any write of chapterctl's
	rel, _ := filepath.Rel(dir, before)

	out, err := chapterctl(bin, dir, "dns", "apply", "--restore", rel)
	if code := exitCodeOf(err); code != 2 || !strings.Contains(string(out), "rerun with --yes") {
		t.Fatalf("restore without --yes and a terminal: exit %d\n%s", code, out)
	}
	if out, err := chapterctl(bin, dir, "dns", "apply", "--yes", "--restore", rel); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(before)
	if err != nil {
		t.Fatal(err)
	}
	want, err := dnsplan.ParseBackup(raw)
	if err != nil {
		t.Fatal(err)
	}
	if left := dnsplan.RestoreChanges("redrockdsa.org", want, worldZone(t, bin, dir)); len(left) != 0 {
		t.Errorf("after the restore the zone still differs from the backup: %+v", left)
	}
	if got := backups(); len(got) != len(first)+1 {
		t.Errorf("backups %d → %d: the zone as it was must be saved before a restore", len(first), len(got))
	}
	out, err = chapterctl(bin, dir, "dns", "apply", "--yes", "--restore", rel)
	if err != nil || !strings.Contains(string(out), "nothing to restore") || len(backups()) != len(first)+1 {
		t.Errorf("second restore: %v\n%s", err, out)
	}

	other := filepath.Join(dir, "20261125T000000Z-example.org.json")
	os.WriteFile(other, raw, 0o600)
	out, err = chapterctl(bin, dir, "dns", "apply", "--yes", "--restore", other)
	if code := exitCodeOf(err); code != 2 || !strings.Contains(string(out), "is not a backup of redrockdsa.org") {
		t.Errorf("restore of another domain's backup: exit %d\n%s", code, out)
	}
}

func exitCodeOf(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// worldZone is the chapter's zone as `sandbox world --json` shows it.
func worldZone(t *testing.T, bin, dir string) []gandi.RRSet {
	t.Helper()
	out, err := exec.Command(bin, "-C", dir, "sandbox", "world", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var world struct {
		Zones map[string][]gandi.RRSet `json:"zones"`
	}
	if err := json.Unmarshal(out, &world); err != nil {
		t.Fatal(err)
	}
	return world.Zones["redrockdsa.org"]
}
