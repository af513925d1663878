package main

import (
	"strings"
	"testing"
)

// TestDoctorAfterDefaultInit: in the default world (port 25 blocked, no
// relay) a clean init leaves exactly one warning, port 25, and no fail:
// init enrolled the organizer in two-factor login. Turned off later, a
// rerun of init enrols them again with a new secret, shown once.
func TestDoctorAfterDefaultInit(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a full init")
	}
	bin := buildChapterctl(t)
	dir := initFolder(t, bin, doctorChapter, "time_scale: 0\n")
	v, code := runDoctor(t, bin, dir)
	var notPass []string
	for _, c := range v.Checks {
		if c.Status != "pass" && c.Status != "skip" {
			notPass = append(notPass, c.ID+" "+c.Status+": "+c.Detail)
		}
	}
	if code != 0 || len(notPass) != 1 || v.find("mail.port25_out").Status != "warn" {
		t.Fatalf("doctor after a default init: exit %d, want only the port 25 warning:\n%s", code, strings.Join(notPass, "\n"))
	}
	if got := v.find("security.admin-2fa").Status + " " + v.find("security.mail-2fa").Status; got != "pass pass" {
		t.Errorf("security.admin-2fa, security.mail-2fa = %s, want pass pass", got)
	}

	if out, err := chapterctl(bin, dir, "sandbox", "break", "admin-2fa-off"); err != nil {
		t.Fatalf("break: %v\n%s", err, out)
	}
	if v, code := runDoctor(t, bin, dir); code != 1 || v.find("security.admin-2fa").Status != "fail" {
		t.Fatalf("doctor with 2FA off: exit %d, security.admin-2fa %s", code, v.find("security.admin-2fa").Status)
	}
	out, err := chapterctl(bin, dir, "init", "--yes")
	if err != nil || !strings.Contains(string(out), "otpauth://totp/") {
		t.Fatalf("init after 2FA was turned off: %v, want the new secret shown\n%s", err, out)
	}
	if v, _ := runDoctor(t, bin, dir); v.find("security.admin-2fa").Status != "pass" {
		t.Errorf("security.admin-2fa after the rerun = %s, want pass", v.find("security.admin-2fa").Status)
	}
}
