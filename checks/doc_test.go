package checks

import (
	"os"
	"strings"
	"testing"
)

// TestDoctorDocListsEveryCheck keeps docs/doctor.md's table in step with
// All: every id with its title, and no id that no longer exists.
func TestDoctorDocListsEveryCheck(t *testing.T) {
	doc, err := os.ReadFile("../docs/doctor.md")
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, c := range All(nil) {
		want.WriteString("| `" + c.ID() + "` | " + c.Title() + " |\n")
	}
	_, table, _ := strings.Cut(string(doc), "|---|---|\n")
	if table != want.String() {
		if os.Getenv("UPDATE_DOCS") != "" {
			head, _, _ := strings.Cut(string(doc), "|---|---|\n")
			os.WriteFile("../docs/doctor.md", []byte(head+"|---|---|\n"+want.String()), 0o644)
			return
		}
		t.Errorf("docs/doctor.md's check table is stale; run UPDATE_DOCS=1 go test ./checks/ -run TestDoctorDocListsEveryCheck")
	}
	if n := len(All(nil)); n < 35 {
		t.Errorf("doctor has %d checks, want at least 35", n)
	}
}
