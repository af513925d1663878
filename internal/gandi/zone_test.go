package gandi

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestZoneIsTheWholeZoneInRRSets(t *testing.T) {
	dkim := RRSet{Name: "sel._domainkey", Type: "TXT", TTL: 300, Values: []string{`"v=DKIM1; k=rsa; " "p=AAAA"`}}
	e := newEnv(t, seed(dkim))
	zone, err := e.client.Zone(deadline(t), testZone)
	if err != nil {
		t.Fatal(err)
	}
	if want := e.records(t); !reflect.DeepEqual(zone, want) {
		t.Errorf("Zone =\n%+v\nwant the world's\n%+v", zone, want)
	}
	if len(zone) != 11 || !reflect.DeepEqual(zone[len(zone)-1], dkim) {
		t.Errorf("want Gandi's 10 default rrsets and the DKIM one kept whole, got %d: %+v", len(zone), zone)
	}
}

func TestZoneFollowsPages(t *testing.T) {
	tests := []struct{ link, want string }{
		{`<https://api.gandi.net/v5/livedns/domains/x.org/records?page=2&per_page=4>; rel="next", <…>; rel="last"`,
			"https://api.gandi.net/v5/livedns/domains/x.org/records?page=2&per_page=4"},
		{`<https://api.gandi.net/v5/livedns/domains/x.org/records?page=3>; rel="last"`, ""},
		{`<https://elsewhere.example/steal>; rel="next"`, ""}, // the token goes nowhere else
		{"", ""},
	}
	for _, tt := range tests {
		if got := nextPage(tt.link); got != tt.want {
			t.Errorf("nextPage(%q) = %q, want %q", tt.link, got, tt.want)
		}
	}
}

func TestBackupIsTheZoneAsGandiJSON(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(t.TempDir(), "backups")
	now := time.Date(2026, 11, 25, 14, 30, 5, 0, time.FixedZone("EST", -5*3600))
	path, err := e.client.Backup(deadline(t), "example.org.", dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "20261125T193005Z-example.org.json"); path != want {
		t.Errorf("backup at %s, want %s", path, want)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Gandi's own field names, as its API and `sandbox world --json` have them.
	var saved []map[string]any
	if err := json.Unmarshal(raw, &saved); err != nil {
		t.Fatal(err)
	}
	first := saved[0]
	if first["rrset_name"] != "@" || first["rrset_type"] != "A" || first["rrset_ttl"] != 10800.0 ||
		!reflect.DeepEqual(first["rrset_values"], []any{"217.70.184.38"}) {
		t.Errorf("first saved rrset %v, want Gandi's apex A in Gandi's shape", first)
	}
	var zone []RRSet
	if err := json.Unmarshal(raw, &zone); err != nil {
		t.Fatal(err)
	}
	if want := e.records(t); !reflect.DeepEqual(zone, want) {
		t.Errorf("backup holds\n%+v\nwant the zone\n%+v", zone, want)
	}

	// A second backup in the same second keeps the first.
	again, err := e.client.Backup(deadline(t), testZone, dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if again == path || filepath.Base(again) != "20261125T193005Z-example.org-1.json" {
		t.Errorf("second backup at %s", again)
	}
}

func TestBackupFailsWithoutWritingWhenTheZoneCannotBeRead(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	_, err := e.client.Backup(deadline(t), "other.org", dir, time.Now())
	checkStatus(t, err, 404, "Gandi has no domain other.org", "")
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

func TestIsBackupOfFollowsBackupsNames(t *testing.T) {
	for name, want := range map[string]bool{
		"20261125T182247Z-redrockdsa.org.json":    true,
		"20261125T182247Z-redrockdsa.org-1.json":  true,
		"20261125T182247Z-redrockdsa.org-12.json": true,
		"20261125T182247Z-otherdsa.org.json":      false,
		"20261125T182247Z-redrockdsa.org-x.json":  false,
		"20261125T182247Z-redrockdsa.org.yaml":    false,
		"backup-redrockdsa.org.json":              false,
		"20261125T182247Z-notredrockdsa.org.json": false,
	} {
		if got := IsBackupOf(name, "redrockdsa.org"); got != want {
			t.Errorf("IsBackupOf(%q) = %v, want %v", name, got, want)
		}
	}
}
