package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestKillDuringFederationThenRerun kills init at each mutation of the
// chat step's Synapse policy (the backup, the file's replacement, the
// restart) and of its mirror in Element's config.json with an allow-list,
// then reruns: Synapse must end up running with the allow-list, and a
// further rerun must change nothing (its plan would list Element's
// default_federate if it were missing).
func TestKillDuringFederationThenRerun(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and reruns a full init for every mutation of the federation policy")
	}
	chapterYAML := killChapter + "federation: allowlist\nfederation_allow: [chicagodsa.org]\n"
	bin := buildChapterctl(t)
	clean := sandboxFolderFor(t, bin, chapterYAML)
	if out, err := chapterctl(bin, clean, "init", "--sandbox", "--yes"); err != nil {
		t.Fatalf("clean init: %v\n%s", err, out)
	}
	points := mutationPoints(t, clean)
	// The policy's mutations follow the well-known documents, the chat
	// step's last other change.
	last := slices.IndexFunc(points, func(p string) bool { return strings.HasPrefix(p, "cloudron.domain.wellknown#") })
	policy := points[last+1:]
	if end := slices.IndexFunc(policy, func(p string) bool {
		return !strings.HasPrefix(p, "droplet.file.") && !strings.HasPrefix(p, "cloudron.app.restart#")
	}); end >= 0 {
		policy = policy[:end] // the mail step's changes follow
	}
	// Synapse's backup, write and restart, then Element's backup and write
	// of default_federate (no restart: a static client).
	if len(policy) != 5 || !strings.HasPrefix(policy[2], "cloudron.app.restart#") ||
		!strings.HasPrefix(policy[3], "droplet.file.") || !strings.HasPrefix(policy[4], "droplet.file.") {
		t.Fatalf("the policy's mutations = %v, want Synapse's backup, write and restart, then Element's backup and write", policy)
	}
	for _, point := range policy {
		t.Run(point, func(t *testing.T) {
			t.Parallel()
			dir := sandboxFolderFor(t, bin, chapterYAML)
			raw := killThenRerun(t, bin, dir, point)
			var w struct {
				Cloudron struct {
					Apps []struct {
						AppStoreID string `json:"appStoreId"`
						Synapse    *struct {
							Whitelist *[]string `json:"federation_domain_whitelist"`
						} `json:"synapse"`
					} `json:"apps"`
				} `json:"cloudron"`
			}
			if err := json.Unmarshal(raw, &w); err != nil {
				t.Fatal(err)
			}
			var whitelists [][]string
			for _, a := range w.Cloudron.Apps {
				if a.Synapse != nil && a.Synapse.Whitelist != nil {
					whitelists = append(whitelists, *a.Synapse.Whitelist)
				}
			}
			if len(whitelists) != 1 || !slices.Equal(whitelists[0], []string{"chicagodsa.org"}) {
				t.Fatalf("after the rerun Synapse runs with %v:\n%s", whitelists, raw)
			}
			out, err := chapterctl(bin, dir, "init", "--sandbox", "--yes")
			if err != nil || !strings.Contains(string(out), "No changes") {
				t.Errorf("second rerun: %v\n%s", err, out)
			}
		})
	}
}
