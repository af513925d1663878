package cloudron

import (
	"net/http"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// checkForUpdates refreshes the updater's cache from the release channel
// (world data's cloudron.latest) and the App Store.
func checkForUpdates(c *world.Cloudron, d *world.Data, now time.Time) {
	u := world.CloudronUpdates{CheckedAt: now, Apps: map[string]string{}}
	if newer(d.Cloudron.Latest, c.Version) {
		u.Box = d.Cloudron.Latest
	}
	for _, a := range c.Apps {
		if v := offeredVersion(c, d, a.AppStoreID); !a.InstalledAt.IsZero() && newer(v, a.Version) {
			u.Apps[a.ID] = v
		}
	}
	c.Updates = u
}

// cachedUpdates returns the cache as the hourly cron job keeps it: the
// answer of GET routes, which never contact the store themselves.
func (s *server) cachedUpdates() world.CloudronUpdates {
	now := s.w.Now()
	var u world.CloudronUpdates
	stale := false
	s.read(func(c *world.Cloudron, _ *world.Data) {
		u, stale = c.Updates, now.Sub(c.Updates.CheckedAt) >= updateCheckPeriod || installedSince(c, c.Updates.CheckedAt)
	})
	if stale {
		s.settle(func(c *world.Cloudron, d *world.Data) {
			checkForUpdates(c, d, now)
			u = c.Updates
		})
	}
	return u
}

// installedSince tells whether an app finished installing after t. The
// sandbox compresses the hour until the next cron run for such an app:
// the world's app_updates are offers the store has made since, which a
// real updater would find at its next run (unverified timing, chosen so a
// world that offers updates shows them without waiting an hour).
func installedSince(c *world.Cloudron, t time.Time) bool {
	for _, a := range c.Apps {
		if a.InstalledAt.After(t) {
			return true
		}
	}
	return false
}

// checkedUpdates checks now, as the check routes do.
func (s *server) checkedUpdates(r *http.Request) (world.CloudronUpdates, error) {
	now := s.w.Now()
	var u world.CloudronUpdates
	err := s.update(r.Context(), "cloudron.updater.check", func(c *world.Cloudron, d *world.Data) error {
		checkForUpdates(c, d, now)
		u = c.Updates
		return nil
	})
	return u, err
}

type boxUpdateJSON struct {
	Version          string   `json:"version"`
	Changelog        []string `json:"changelog"`
	SourceTarballURL string   `json:"sourceTarballUrl"`
	Unstable         bool     `json:"unstable"`
}

type appUpdateJSON struct {
	ID           string       `json:"id"`
	CreationDate string       `json:"creationDate"`
	Manifest     manifestJSON `json:"manifest"`
	Unstable     bool         `json:"unstable"`
}

func viewBoxUpdate(v string) *boxUpdateJSON {
	if v == "" {
		return nil
	}
	return &boxUpdateJSON{Version: v, Changelog: []string{"Cloudron " + v},
		SourceTarballURL: "https://releases.cloudron.io/box-" + v + ".tar.gz"}
}

func viewAppUpdate(a *world.CloudronApp, v string) appUpdateJSON {
	store, _ := storeAppByID(a.AppStoreID)
	return appUpdateJSON{ID: a.AppStoreID, CreationDate: isoTime(a.UpdatedAt),
		Manifest: manifestJSON{ID: a.AppStoreID, Title: store.title, Version: v, UpstreamVersion: store.upstreamVersion}}
}

// viewUpdates is ≤ 8.x's {updates:{box?, <appId>…}} [spec UpdateInfo].
func (s *server) viewUpdates(u world.CloudronUpdates) map[string]any {
	updates := map[string]any{}
	if b := viewBoxUpdate(u.Box); b != nil {
		updates["box"] = b
	}
	s.read(func(c *world.Cloudron, _ *world.Data) {
		for id, v := range u.Apps {
			if a := appByID(c, id); a != nil {
				updates[id] = viewAppUpdate(a, v)
			}
		}
	})
	return map[string]any{"updates": updates}
}

func (s *server) getUpdates(rw http.ResponseWriter, _ *http.Request, _ caller) error {
	writeJSON(rw, http.StatusOK, s.viewUpdates(s.cachedUpdates()))
	return nil
}

func (s *server) checkUpdates(rw http.ResponseWriter, r *http.Request, _ caller) error {
	u, err := s.checkedUpdates(r)
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, s.viewUpdates(u))
	return nil
}

// getBoxUpdate is 9.x's cached box update. Its body is not documented:
// {"update": <BoxUpdateInfo>|null} is (unverified).
func (s *server) getBoxUpdate(rw http.ResponseWriter, _ *http.Request, _ caller) error {
	writeJSON(rw, http.StatusOK, map[string]any{"update": viewBoxUpdate(s.cachedUpdates().Box)})
	return nil
}

func (s *server) checkBoxUpdate(rw http.ResponseWriter, r *http.Request, _ caller) error {
	u, err := s.checkedUpdates(r)
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, map[string]any{"update": viewBoxUpdate(u.Box)})
	return nil
}

// checkAppUpdates checks one app: {"updates":{}} when there is none, else
// {"updates":{"<appId>":<AppUpdateInfo>}} (the keyed shape is
// (unverified); the spec only says an empty object means none).
func (s *server) checkAppUpdates(rw http.ResponseWriter, r *http.Request, _ caller) error {
	id := r.PathValue("id")
	if !s.appExists(id) {
		return fail(http.StatusNotFound, "No such app")
	}
	u, err := s.checkedUpdates(r)
	if err != nil {
		return err
	}
	updates := map[string]any{}
	s.read(func(c *world.Cloudron, _ *world.Data) {
		if a := appByID(c, id); a != nil && u.Apps[id] != "" {
			updates[id] = viewAppUpdate(a, u.Apps[id])
		}
	})
	writeJSON(rw, http.StatusOK, map[string]any{"updates": updates})
	return nil
}

func (s *server) appExists(id string) bool {
	found := false
	s.read(func(c *world.Cloudron, _ *world.Data) { found = appByID(c, id) != nil })
	return found
}

// updateBox starts the platform update: a backup (unless skipBackup),
// then the new version, then a box restart during which the API answers
// 502. 422 without a cached update, 409 while an update or backup runs.
func (s *server) updateBox(rw http.ResponseWriter, r *http.Request, _ caller) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	skip, ok := b.boolean("skipBackup")
	if b.has("skipBackup") && !ok {
		return fail(http.StatusBadRequest, "skipBackup must be a boolean")
	}
	target := s.cachedUpdates().Box
	now := s.w.Now()
	var taskID string
	err = s.update(r.Context(), "cloudron.updater.update", func(c *world.Cloudron, d *world.Data) error {
		if target == "" {
			return fail(http.StatusUnprocessableEntity, "No update available")
		}
		if err := platformBusy(c); err != nil {
			return err
		}
		length := knob(c.Options.Timings.BoxUpdate, boxUpdateDefault)
		steps := []step{{10, "Downloading update", (length - boxRestart) / 2},
			{50, "Installing update", (length - boxRestart) / 2}, {90, "Restarting Cloudron", boxRestart}}
		if !skip {
			steps = append([]step{{5, msgBackingUp, knob(c.Options.Timings.Backup, backupDefault)}}, steps...)
		}
		taskID = startTask(c, d, now, taskSpec{typ: "update", action: "box_update", target: target, steps: steps, wait: -1}).ID
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusAccepted, map[string]string{"taskId": taskID})
	return nil
}

// platformBusy: one platform update or backup at a time (message
// (unverified)).
func platformBusy(c *world.Cloudron) error {
	for _, t := range c.Tasks {
		if !t.Finished && (t.Type == "update" || t.Type == "backup") {
			return fail(http.StatusConflict, "An update or backup is already in progress (task %s)", t.ID)
		}
	}
	return nil
}

// updateApp updates an app to the App Store's newest version, taking a
// backup first unless skipBackup.
func (s *server) updateApp(rw http.ResponseWriter, r *http.Request, _ caller) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	if !b.has("appStoreId") && !b.has("manifest") {
		return fail(http.StatusBadRequest, "appStoreId or manifest is required")
	}
	if err := b.optional(fieldCheck{"appStoreId", "string"}, fieldCheck{"skipBackup", "boolean"}, fieldCheck{"force", "boolean"}); err != nil {
		return err
	}
	skip, _ := b.boolean("skipBackup")
	now := s.w.Now()
	var taskID string
	err = s.update(r.Context(), "cloudron.app.update", func(c *world.Cloudron, d *world.Data) error {
		a := appByID(c, r.PathValue("id"))
		if a == nil {
			return fail(http.StatusNotFound, "No such app")
		}
		if err := busy(a, "update"); err != nil {
			return err
		}
		length := knob(c.Options.Timings.AppUpdate, appUpdateDefault)
		steps := []step{{40, "Downloading image", length / 2}, {70, "Creating container", length / 2}}
		if !skip {
			steps = append([]step{{10, msgBackingUp, knob(c.Options.Timings.Backup, backupDefault) / 2}}, steps...)
		}
		t := startTask(c, d, now, taskSpec{typ: "app", action: "update", appID: a.ID, target: offeredVersion(c, d, a.AppStoreID), steps: steps, wait: -1})
		a.InstallationState, a.TaskID, a.UpdatedAt = "pending_update", t.ID, now
		taskID = t.ID
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusAccepted, map[string]string{"taskId": taskID})
	return nil
}
