package cloudron

import (
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestRoutesFollowTheVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		version                   string
		apps, appsInstall         int
		updates, boxUpdate, check int
	}{
		{"8.1.3", 404, 202, 200, 404, 200},
		{"8.3.2", 202, 404, 200, 404, 200},
		{"9.0.15", 202, 404, 404, 200, 404},
	}
	for _, c := range cases {
		b := ready(t, withVersion(c.version))
		b.call("POST", "/apps", installBody("org.matrix.synapse", "matrix")).want(t, c.apps)
		b.call("POST", "/apps/install", installBody("im.riot.cloudronapp", "chat")).want(t, c.appsInstall)
		b.call("GET", "/updater/updates", nil).want(t, c.updates)
		b.call("POST", "/updater/check_for_updates", nil).want(t, c.check)
		b.call("GET", "/updater/box_update", nil).want(t, c.boxUpdate)
	}
}

func TestUpdateInfoIsCachedUntilChecked(t *testing.T) {
	t.Parallel()
	for _, v := range []struct{ version, get, check string }{
		{"8.3.2", "/updater/updates", "/updater/check_for_updates"},
		{"9.0.15", "/updater/box_update", "/updater/check_box_update"},
	} {
		b := ready(t, withVersion(v.version))
		boxVersion := func(a answer) string { return a.str("updates.box.version") + a.str("update.version") }
		if got := boxVersion(b.call("GET", v.get, nil).want(t, 200)); got != "" {
			t.Fatalf("%s: update offered at first: %q", v.version, got)
		}
		b.change(func(d *world.Data) { d.Cloudron.Latest = nextPatch(v.version) })
		if got := boxVersion(b.call("GET", v.get, nil)); got != "" {
			t.Errorf("%s: the cached answer already shows %q", v.version, got)
		}
		if got := boxVersion(b.call("POST", v.check, nil).want(t, 200)); got != nextPatch(v.version) {
			t.Errorf("%s: checked answer shows %q", v.version, got)
		}
		if got := boxVersion(b.call("GET", v.get, nil)); got != nextPatch(v.version) {
			t.Errorf("%s: cache after the check shows %q", v.version, got)
		}
	}
}

func TestBoxUpdateRestartsTheBoxAndChangesTheVersion(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.call("POST", "/updater/box_update", map[string]any{"skipBackup": false}).want(t, 422)
	b.change(func(d *world.Data) { d.Cloudron.Latest = "9.1.0" })
	b.call("POST", "/updater/check_box_update", nil).want(t, 200)
	b.call("POST", "/updater/box_update", map[string]any{"skipBackup": "no"}).want(t, 400)
	taskID := b.call("POST", "/updater/box_update", map[string]any{"skipBackup": false}).want(t, 202).str("taskId")
	b.call("POST", "/updater/box_update", nil).want(t, 409)
	b.call("POST", "/backups/create", nil).want(t, 409)

	b.advance(backupDefault + boxUpdateDefault - boxRestart/2)
	if a := b.call("GET", "/cloudron/status", nil); a.status != 502 {
		t.Fatalf("during the restart: %d %s", a.status, a.raw)
	}
	b.advance(boxRestart)
	if got := b.call("GET", "/cloudron/status", nil).want(t, 200).str("version"); got != "9.1.0" {
		t.Errorf("version after update = %q", got)
	}
	if task := b.call("GET", "/tasks/"+taskID, nil); task.at("success") != true || task.str("type") != "update" {
		t.Errorf("update task = %s", task.raw)
	}
	if n := len(b.call("GET", "/backups", nil).at("backups").([]any)); n != 1 {
		t.Errorf("%d backups, want the one taken before the update", n)
	}
}

func TestBackupsCreateAndListNewestFirst(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.install("org.matrix.synapse", "matrix")
	first := b.call("POST", "/backups/create", nil).want(t, 202).str("taskId")
	b.waitTask(first)
	b.waitTask(b.call("POST", "/backups/create", nil).want(t, 202).str("taskId"))
	backups := b.call("GET", "/backups", nil).want(t, 200).at("backups").([]any)
	if len(backups) != 4 {
		t.Fatalf("%d backups, want a box and an app backup twice", len(backups))
	}
	newest := backups[0].(map[string]any)
	if newest["type"] != "box" || newest["creationTime"].(string) <= backups[2].(map[string]any)["creationTime"].(string) {
		t.Errorf("not newest box first: %v", backups)
	}
	if deps := newest["dependsOn"].([]any); len(deps) != 1 {
		t.Errorf("box backup lists %v", deps)
	}
}

func TestNightlyBackupIsMadeWhenItsTimeHasPassed(t *testing.T) {
	t.Parallel()
	b := ready(t)
	next := b.clock.Now().UTC().Truncate(24 * time.Hour).Add(nightlyBackupHour * time.Hour)
	if !next.After(b.clock.Now()) {
		next = next.AddDate(0, 0, 1)
	}
	b.advance(next.Sub(b.clock.Now()) + time.Minute)
	backups := b.call("GET", "/backups", nil).want(t, 200).at("backups").([]any)
	if len(backups) != 1 || backups[0].(map[string]any)["creationTime"] != isoTime(next) {
		t.Errorf("nightly backups = %v", backups)
	}
}

func TestAppUpdatesOfTheWorldAreOfferedOnlyAfterInstall(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.change(func(d *world.Data) { d.Cloudron.AppUpdates = map[string]string{"org.matrix.synapse": "1.99.0"} })
	id := b.install("org.matrix.synapse", "matrix")
	if v := b.call("GET", "/apps/"+id, nil).want(t, 200).str("manifest.version"); v != "1.98.0" {
		t.Fatalf("installed %q, want the catalogue's 1.98.0", v)
	}
	b.call("POST", "/apps/"+id+"/check_for_updates", nil).want(t, 200)
	if v := b.call("GET", "/apps/"+id, nil).str("updateInfo.manifest.version"); v != "1.99.0" {
		t.Fatalf("updateInfo offers %q, want 1.99.0", v)
	}
	task := b.call("POST", "/apps/"+id+"/update", map[string]any{"appStoreId": "org.matrix.synapse", "skipBackup": true}).want(t, 202).str("taskId")
	b.waitTask(task)
	if v := b.call("GET", "/apps/"+id, nil).str("manifest.version"); v != "1.99.0" {
		t.Errorf("after the update: %q", v)
	}
	if n := len(b.call("GET", "/backups", nil).at("backups").([]any)); n != 0 {
		t.Errorf("%d backups after an update with skipBackup", n)
	}
}
