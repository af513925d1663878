package secrets

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestSaveLoadRoundTripWithPrivateMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	in := Secrets{DigitalOceanToken: "dop_v1_abc", GandiToken: "gandi-pat"}
	if err := Save(path, in); err != nil {
		t.Fatal(err)
	}
	out, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if out[DigitalOceanToken] != "dop_v1_abc" || out[GandiToken] != "gandi-pat" || len(out) != 2 {
		t.Fatalf("loaded %v", out)
	}
	if runtime.GOOS != "windows" {
		info, _ := os.Stat(path)
		if info.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, want 0600", info.Mode().Perm())
		}
	}
}

func TestLoadMissingIsEmpty(t *testing.T) {
	s, err := Load(filepath.Join(t.TempDir(), "secrets.json"))
	if err != nil || len(s) != 0 {
		t.Fatalf("Load = %v, %v; want empty, nil", s, err)
	}
}

func TestLoadRefusesBadFilesWithoutEchoingValues(t *testing.T) {
	tests := map[string]string{
		"not json":      `{"gandi_token": "pat-secret-value`,
		"not a string":  `{"gandi_token": 12345678}`,
		"unknown key":   `{"gandi_tokn": "pat-secret-value"}`,
		"not an object": `["pat-secret-value"]`,
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "secrets.json")
			os.WriteFile(path, []byte(content), 0o600)
			_, err := Load(path)
			if err == nil {
				t.Fatal("Load accepted a bad file")
			}
			if strings.Contains(err.Error(), "pat-secret-value") || strings.Contains(err.Error(), "12345678") {
				t.Errorf("error echoes a secret: %v", err)
			}
		})
	}
}

func TestValuesSkipsEmpty(t *testing.T) {
	got := Secrets{GandiToken: "x1234", CloudronToken: ""}.Values()
	if len(got) != 1 || got[0] != "x1234" {
		t.Fatalf("Values = %v", got)
	}
}
