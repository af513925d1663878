package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// upgradeWorld offers a newer Cloudron and newer Synapse and Element
// packages than init installs.
const upgradeWorld = `time_scale: 0
cloudron:
  version: 9.0.15
  latest: 9.1.0
  app_updates: {org.matrix.synapse: 1.99.0, im.riot.cloudronapp: 1.11.113}
`

// initedForUpgrade is a sandbox folder after a full init in upgradeWorld.
func initedForUpgrade(t testing.TB, bin string) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "chapter.yaml"), []byte(killChapter), 0o644)
	os.WriteFile(filepath.Join(dir, "world.yaml"), []byte(upgradeWorld), 0o644)
	if out, err := chapterctl(bin, dir, "init", "--sandbox", "--yes", "--world", filepath.Join(dir, "world.yaml")); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	return dir
}

// journalLength is how many requests the world has journaled so far.
func journalLength(t testing.TB, dir string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, ".chapterctl", "sandbox", "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "\n")
}

// upgradeWorldState is the part of the saved world an upgrade changes.
type upgradeWorldState struct {
	Machines map[string]struct {
		Cloudron *struct {
			Version string `json:"version"`
			Apps    []struct {
				AppStoreID string `json:"app_store_id"`
				Version    string `json:"version"`
			} `json:"apps"`
			Tasks []struct {
				Action string `json:"action"`
				AppID  string `json:"app_id"`
			} `json:"tasks"`
			Backups []struct {
				Type string `json:"type"`
			} `json:"backups"`
		} `json:"cloudron"`
	} `json:"machines"`
}

// checkUpgraded fails unless the world's one Cloudron runs the new
// versions after exactly one backup, one platform update and one update
// task per app.
func checkUpgraded(t *testing.T, dir string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, ".chapterctl", "sandbox", "world.json"))
	if err != nil {
		t.Fatal(err)
	}
	var w upgradeWorldState
	if err := json.Unmarshal(raw, &w); err != nil {
		t.Fatal(err)
	}
	for _, m := range w.Machines {
		c := m.Cloudron
		if c == nil {
			continue
		}
		versions := map[string]string{}
		for _, a := range c.Apps {
			versions[a.AppStoreID] = a.Version
		}
		if c.Version != "9.1.0" || versions["org.matrix.synapse"] != "1.99.0" || versions["im.riot.cloudronapp"] != "1.11.113" {
			t.Errorf("after the rerun: Cloudron %s, apps %v", c.Version, versions)
		}
		count := map[string]int{}
		for _, task := range c.Tasks {
			count[task.Action+" "+task.AppID]++
		}
		for what, n := range count {
			if n > 1 && !strings.HasPrefix(what, "install ") {
				t.Errorf("%d tasks %q, want one", n, what)
			}
		}
		boxes := 0
		for _, b := range c.Backups {
			if b.Type == "box" {
				boxes++
			}
		}
		if boxes != 1 || count["backup "] != 1 || count["box_update "] != 1 {
			t.Errorf("%d box backups, %d backup tasks, %d platform updates; want one each (tasks %v)", boxes, count["backup "], count["box_update "], count)
		}
	}
}

// TestKillUpgradeAtEveryMutationThenRerun ends upgrade right after the
// world commits each of its mutations, in turn, then reruns it: the rerun
// converges with no second backup and no duplicate task, and the run after
// that changes nothing.
func TestKillUpgradeAtEveryMutationThenRerun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a full init, then kills and reruns upgrade, for every mutation of an upgrade")
	}
	bin := buildChapterctl(t)
	clean := initedForUpgrade(t, bin)
	from := journalLength(t, clean)
	if out, err := chapterctl(bin, clean, "upgrade", "--yes"); err != nil {
		t.Fatalf("clean upgrade: %v\n%s", err, out)
	}
	checkUpgraded(t, clean)
	all := mutationPoints(t, clean)
	points := all[len(mutationPointsBefore(t, clean, from)):]
	if want := []string{"cloudron.backup.create#1", "cloudron.updater.update#1", "cloudron.app.update#1", "cloudron.app.update#2"}; fmt.Sprint(points) != fmt.Sprint(want) {
		t.Fatalf("an upgrade's mutations = %v, want %v", points, want)
	}
	for _, point := range points {
		t.Run(point, func(t *testing.T) {
			t.Parallel()
			dir := initedForUpgrade(t, bin)
			if out, err := chapterctl(bin, dir, "sandbox", "break", "crash-at="+point); err != nil {
				t.Fatalf("break: %v\n%s", err, out)
			}
			if out, err := chapterctl(bin, dir, "upgrade", "--yes"); err == nil {
				t.Fatalf("upgrade was not killed at %s:\n%s", point, out)
			}
			if out, err := chapterctl(bin, dir, "upgrade", "--yes"); err != nil {
				t.Fatalf("rerun after the kill: %v\n%s", err, out)
			}
			checkUpgraded(t, dir)
			mark := journalLength(t, dir)
			out, err := chapterctl(bin, dir, "upgrade", "--yes")
			if err != nil || !strings.Contains(string(out), "No changes") {
				t.Errorf("second rerun: %v\n%s", err, out)
			}
			if n := len(mutationPoints(t, dir)) - len(mutationPointsBefore(t, dir, mark)); n != 0 {
				t.Errorf("the second rerun made %d mutating requests", n)
			}
		})
	}
}

// mutationPointsBefore is mutationPoints of the journal's first n lines.
func mutationPointsBefore(t *testing.T, dir string, n int) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, ".chapterctl", "sandbox", "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var points []string
	for _, line := range strings.Split(string(data), "\n")[:n] {
		if strings.Contains(line, `"mutating":true`) {
			points = append(points, line)
		}
	}
	return points
}
