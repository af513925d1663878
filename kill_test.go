package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// buildChapterctl builds the real binary once for tests that must kill it.
func buildChapterctl(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "chapterctl")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

const killChapter = `domain: redrockdsa.org
organizer: {username: maria, email: maria@example.net, display_name: Maria Lopez}
region: nyc3
size: s-2vcpu-4gb
chat: matrix
matrix_server_name: domain
mail:
  mailboxes: [maria, info]
  lists: {board: [maria, info]}
  catch_all: [maria]
  relay: mailgun
`

// sandboxFolder makes a sandbox chapter folder whose world runs at time
// scale 0 (every simulated wait instant), with the plan shown but nothing
// applied.
func sandboxFolder(t testing.TB, bin string) string {
	t.Helper()
	return sandboxFolderFor(t, bin, killChapter)
}

// sandboxFolderFor is sandboxFolder for another chapter.yaml.
func sandboxFolderFor(t testing.TB, bin, chapterYAML string) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "chapter.yaml"), []byte(chapterYAML), 0o644)
	os.WriteFile(filepath.Join(dir, "world.yaml"), []byte("time_scale: 0\n"), 0o644)
	cmd := exec.Command(bin, "-C", dir, "init", "--sandbox", "--world", filepath.Join(dir, "world.yaml"))
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "--yes") {
		t.Fatalf("init without --yes: %v\n%s", err, out)
	}
	return dir
}

func chapterctl(bin, dir string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	return cmd.CombinedOutput()
}

// mutationPoints lists every mutating request of a full init as crash-at
// parameters: POINT#N for the Nth time POINT is reached.
func mutationPoints(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := world.ReadJournal(filepath.Join(dir, ".chapterctl", "sandbox", "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	var points []string
	for _, e := range entries {
		if !e.Mutating || e.Point == "" {
			continue
		}
		seen[e.Point]++
		points = append(points, fmt.Sprintf("%s#%d", e.Point, seen[e.Point]))
	}
	return points
}

// killThenRerun runs init in dir until the world kills it at point, then
// once more to the end, and returns `sandbox world --json`.
func killThenRerun(t *testing.T, bin, dir, point string) []byte {
	t.Helper()
	if out, err := chapterctl(bin, dir, "sandbox", "break", "crash-at="+point); err != nil {
		t.Fatalf("break: %v\n%s", err, out)
	}
	if out, err := chapterctl(bin, dir, "init", "--sandbox", "--yes"); err == nil {
		t.Fatalf("init was not killed at %s:\n%s", point, out)
	}
	if out, err := chapterctl(bin, dir, "init", "--sandbox", "--yes"); err != nil {
		t.Fatalf("rerun after the kill: %v\n%s", err, out)
	}
	raw, err := chapterctl(bin, dir, "sandbox", "world", "--json")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

type worldView struct {
	Droplets  []json.RawMessage `json:"droplets"`
	SSHKeys   []json.RawMessage `json:"ssh_keys"`
	Firewalls []json.RawMessage `json:"firewalls"`
	Cloudron  *struct {
		Apps []struct {
			AppStoreID string `json:"appStoreId"`
		} `json:"apps"`
		Mail map[string]struct {
			Enabled   bool     `json:"enabled"`
			Mailboxes []string `json:"mailboxes"`
			Lists     []string `json:"lists"`
			Relay     string   `json:"relay"`
		} `json:"mail"`
	} `json:"cloudron"`
}

// wantApps are the apps of killChapter: Synapse, Element, the landing
// page and Roundcube.
const wantApps = 4

// checkMail fails unless the world has killChapter's mail, each once.
func (w worldView) checkMail(t *testing.T) {
	t.Helper()
	m := w.Cloudron.Mail["redrockdsa.org"]
	if !m.Enabled || !slices.Equal(m.Mailboxes, []string{"maria", "info"}) || !slices.Equal(m.Lists, []string{"board"}) ||
		m.Relay != "mailgun-smtp" {
		t.Errorf("mail = %+v, want mailboxes maria and info, the list board, the Mailgun relay", m)
	}
}

// TestKillAtEveryMutationThenRerun ends chapterctl right after the world
// commits each mutation of a full init, in turn, then reruns: the world must
// hold exactly one droplet, key, firewall and app of each kind, and init must
// finish.
func TestKillAtEveryMutationThenRerun(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and reruns a full init for every mutation")
	}
	bin := buildChapterctl(t)
	clean := sandboxFolder(t, bin)
	if out, err := chapterctl(bin, clean, "init", "--sandbox", "--yes"); err != nil {
		t.Fatalf("clean init: %v\n%s", err, out)
	}
	points := mutationPoints(t, clean)
	if len(points) < 10 {
		t.Fatalf("only %d mutations in a full init: %v", len(points), points)
	}
	for _, point := range points {
		t.Run(point, func(t *testing.T) {
			t.Parallel()
			dir := sandboxFolder(t, bin)
			raw := killThenRerun(t, bin, dir, point)
			var w worldView
			if err := json.Unmarshal(raw, &w); err != nil {
				t.Fatal(err)
			}
			if len(w.Droplets) != 1 || len(w.SSHKeys) != 1 || len(w.Firewalls) != 1 {
				t.Fatalf("after the rerun: %d droplets, %d keys, %d firewalls", len(w.Droplets), len(w.SSHKeys), len(w.Firewalls))
			}
			apps := map[string]int{}
			for _, a := range w.Cloudron.Apps {
				apps[a.AppStoreID]++
			}
			for id, n := range apps {
				if n != 1 {
					t.Errorf("%d apps %s", n, id)
				}
			}
			if len(apps) != wantApps {
				t.Errorf("apps = %v, want Synapse, Element, the landing page and Roundcube", apps)
			}
			w.checkMail(t)
			checkOwner2FA(t, dir)
		})
	}
}

// checkOwner2FA fails unless the world's owner has two-factor login on
// with the secret chapterctl holds (a kill between secret and enable must
// not leave a stale one behind).
func checkOwner2FA(t *testing.T, dir string) {
	t.Helper()
	var w world.Data
	var held secrets.Secrets
	for path, v := range map[string]any{filepath.Join(dir, ".chapterctl", "sandbox", "world.json"): &w, filepath.Join(dir, ".chapterctl", "secrets.json"): &held} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatal(err)
		}
	}
	owners := 0
	for _, m := range w.Machines {
		if m.Cloudron == nil {
			continue
		}
		for _, u := range m.Cloudron.Users {
			if u.Role == "owner" {
				owners++
			}
			if u.Role == "owner" && (!u.TwoFactorEnabled || u.TwoFactorSecret != held[secrets.CloudronAdminTOTPSecret]) {
				t.Errorf("owner %s: two-factor on %t, with the secret chapterctl holds %t", u.Username, u.TwoFactorEnabled,
					u.TwoFactorSecret == held[secrets.CloudronAdminTOTPSecret])
			}
		}
	}
	if owners != 1 {
		t.Errorf("%d Cloudron owners, want 1", owners)
	}
}
