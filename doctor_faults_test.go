package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// doctorFaultChecks maps each doctor fault to the check that must find it
// and how: "fail" (doctor exits 1), "warn" or "unknown" (exit 0, the
// check names it). A doctor fault missing here fails the test.
var doctorFaultChecks = map[string]struct{ check, status string }{
	"admin-2fa-off":             {"security.admin-2fa", "fail"},
	"app-down":                  {"chat.app", "fail"},
	"app-record-missing":        {"dns.apps", "fail"},
	"app-update-available":      {"platform.app_updates", "warn"},
	"backups-old":               {"platform.backups", "fail"},
	"caa-forbids-letsencrypt":   {"dns.caa", "fail"},
	"cert-expired":              {"tls.cert", "fail"},
	"cert-expiring":             {"tls.expiry", "warn"},
	"disk-nearly-full":          {"host.disk", "fail"},
	"dkim-missing":              {"mail.dkim", "fail"},
	"dkim-wrong":                {"mail.dkim", "fail"},
	"dmarc-missing":             {"mail.dmarc", "fail"},
	"dnsbl-refuses":             {"ip.dnsbl", "unknown"},
	"element-preset-wrong":      {"matrix.element_config", "fail"},
	"domain-expiring":           {"domain.expiry", "fail"},
	"domain-listed":             {"domain.dbl", "fail"},
	"ip-listed":                 {"ip.dnsbl", "fail"},
	"memory-low":                {"host.memory", "fail"},
	"mx-missing":                {"mail.mx", "fail"},
	"mx-wrong":                  {"mail.mx", "fail"},
	"my-record-missing":         {"dns.a", "fail"},
	"platform-update-available": {"platform.updates", "warn"},
	"ptr-wrong":                 {"mail.ptr", "fail"},
	"resolvers-disagree":        {"dns.records", "warn"},
	"spf-missing":               {"mail.spf", "fail"},
	"spf-two":                   {"mail.spf", "fail"},
	"well-known-missing":        {"matrix.wellknown_server", "fail"},
}

// doctorFaultFollows are checks that must be folded under the fault's
// check (root-cause grouping): they are wrong only because of it.
var doctorFaultFollows = map[string][]string{
	"my-record-missing": {"dns.records", "mail.fcrdns"},
	"dkim-missing":      {"dns.records"},
	"app-down":          {"chat.info"},
	"cert-expired":      {"tls.expiry", "matrix.federation"},
}

const doctorChapter = `domain: redrockdsa.org
organizer: {username: maria, email: maria@example.net, display_name: Maria Lopez}
region: nyc3
size: s-2vcpu-4gb
chat: matrix
matrix_server_name: domain
mail:
  enabled: true
  mailboxes: [maria]
`

type doctorJSON struct {
	Checks  []doctorCheckJSON `json:"checks"`
	Summary map[string]int    `json:"summary"`
}

// runDoctor runs doctor --json and returns its verdicts and exit code.
func runDoctor(t *testing.T, bin, dir string, args ...string) (doctorJSON, int) {
	t.Helper()
	out, err := exec.Command(bin, append([]string{"-C", dir, "doctor", "--json"}, args...)...).Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var v doctorJSON
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, out)
	}
	return v, code
}

type doctorCheckJSON struct {
	ID     string  `json:"id"`
	Status string  `json:"status"`
	Detail string  `json:"detail"`
	Cause  *string `json:"cause"`
}

func (v doctorJSON) find(id string) doctorCheckJSON {
	for _, c := range v.Checks {
		if c.ID == id {
			return c
		}
	}
	return doctorCheckJSON{ID: id, Status: "absent"}
}

func (v doctorJSON) status(id string) string { return v.find(id).Status }

// doctorFolder is a chapter after a clean sandbox init whose account can
// send mail (port 25 open); init enrolled the organizer in 2FA itself.
func doctorFolder(t testing.TB, bin string) string {
	t.Helper()
	return initFolder(t, bin, doctorChapter, portOpenWorld)
}

const portOpenWorld = "time_scale: 0\ndigitalocean: {smtp_blocked: false}\n"

// initFolder is a chapter folder after a clean sandbox init of chapterYAML
// in the world worldYAML.
func initFolder(t testing.TB, bin, chapterYAML, worldYAML string) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "chapter.yaml"), []byte(chapterYAML), 0o644)
	os.WriteFile(filepath.Join(dir, "world.yaml"), []byte(worldYAML), 0o644)
	if out, err := chapterctl(bin, dir, "init", "--sandbox", "--yes", "--world", filepath.Join(dir, "world.yaml")); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	return dir
}

func cleanDoctor(t *testing.T, bin, dir, after string) {
	t.Helper()
	v, code := runDoctor(t, bin, dir)
	if code != 0 || v.Summary["fail"] != 0 || v.Summary["warn"] != 0 || v.Summary["unknown"] != 0 {
		var bad []string
		for _, c := range v.Checks {
			if c.Status != "pass" && c.Status != "skip" {
				bad = append(bad, c.ID+" "+c.Status+": "+c.Detail)
			}
		}
		t.Fatalf("doctor %s: exit %d, summary %v:\n%s", after, code, v.Summary, strings.Join(bad, "\n"))
	}
}

// TestDoctorFindsEveryDoctorFault: a clean chapter passes; each doctor
// fault of `sandbox faults --json`, broken, is found by its check; healed,
// doctor passes again.
func TestDoctorFindsEveryDoctorFault(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a full init and doctor per fault")
	}
	bin := buildChapterctl(t)
	dir := doctorFolder(t, bin)
	cleanDoctor(t, bin, dir, "after a clean init")

	raw, err := chapterctl(bin, dir, "sandbox", "faults", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var faults []struct{ Name, Kind string }
	json.Unmarshal(raw, &faults)
	for _, f := range faults {
		if f.Kind != "doctor" {
			continue
		}
		want, ok := doctorFaultChecks[f.Name]
		if !ok {
			t.Errorf("doctor fault %s has no check that finds it: add one, and a row to doctorFaultChecks", f.Name)
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			if out, err := chapterctl(bin, dir, "sandbox", "break", f.Name); err != nil {
				t.Fatalf("break: %v\n%s", err, out)
			}
			v, code := runDoctor(t, bin, dir)
			got := v.status(want.check)
			wantCode := 0
			if want.status == "fail" {
				wantCode = 1
			}
			if got != want.status || code != wantCode {
				t.Errorf("%s: %s is %s (exit %d), want %s (exit %d)", f.Name, want.check, got, code, want.status, wantCode)
			}
			if want.status == "fail" && (v.Checks[0].Status != "fail" || v.Checks[0].Cause != nil) {
				t.Errorf("%s: the first check listed is %s %s, want a root-cause fail first", f.Name, v.Checks[0].ID, v.Checks[0].Status)
			}
			if follows, ok := doctorFaultFollows[f.Name]; ok {
				for _, id := range follows {
					if c := v.find(id); c.Cause == nil || *c.Cause != want.check || c.Status != "unknown" {
						t.Errorf("%s: %s is %s with cause %v, want unknown following from %s", f.Name, id, c.Status, c.Cause, want.check)
					}
				}
			}
			if out, err := chapterctl(bin, dir, "sandbox", "heal", f.Name); err != nil {
				t.Fatalf("heal: %v\n%s", err, out)
			}
			cleanDoctor(t, bin, dir, "after healing "+f.Name)
		})
	}
}

// TestDoctorOnOtherChats: Rocket.Chat with the Mailgun relay, and
// Mattermost, pass their own checks; the Matrix ones do not apply; with
// the relay, the SPF lookups are counted through Mailgun's records.
func TestDoctorOnOtherChats(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a full init per chat")
	}
	bin := buildChapterctl(t)
	for _, tt := range []struct{ chat, relay string }{{"rocketchat", "mailgun"}, {"mattermost", "none"}} {
		t.Run(tt.chat, func(t *testing.T) {
			chapterYAML := strings.Replace(doctorChapter, "chat: matrix\nmatrix_server_name: domain", "chat: "+tt.chat, 1) + "  relay: " + tt.relay + "\n"
			dir := initFolder(t, bin, chapterYAML, portOpenWorld)
			v, code := runDoctor(t, bin, dir)
			if code != 0 || v.Summary["fail"]+v.Summary["warn"] != 0 {
				t.Fatalf("exit %d, summary %v", code, v.Summary)
			}
			want := map[string]string{"chat.app": "pass", "chat.info": "pass", "matrix.federation": "skip", "matrix.wellknown_server": "skip"}
			if tt.relay == "mailgun" {
				want["mail.relay"], want["ip.dnsbl"], want["mail.port25_out"], want["mail.spf_lookups"] = "pass", "skip", "skip", "pass"
			}
			for id, status := range want {
				if got := v.status(id); got != status {
					t.Errorf("%s: %s, want %s", id, got, status)
				}
			}
		})
	}
}
