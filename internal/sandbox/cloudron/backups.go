package cloudron

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// nightlyBackupHour is the default schedule "00 00 23 * * *"
// (cloudron-operations.md §4), taken as UTC.
const nightlyBackupHour = 23

type backupJSON struct {
	ID             string   `json:"id"`
	RemotePath     string   `json:"remotePath"`
	Label          string   `json:"label"`
	Identifier     string   `json:"identifier"`
	Type           string   `json:"type"`
	State          string   `json:"state"`
	PackageVersion string   `json:"packageVersion"`
	CreationTime   string   `json:"creationTime"`
	Format         string   `json:"format"`
	PreserveSecs   int      `json:"preserveSecs"`
	DependsOn      []string `json:"dependsOn"`
}

// listBackups answers newest first [live9], after the nightly backup the
// box would have made since the last look.
func (s *server) listBackups(rw http.ResponseWriter, r *http.Request, _ caller) error {
	s.nightlyBackup(s.w.Now())
	var backups []backupJSON
	s.read(func(c *world.Cloudron, _ *world.Data) {
		for _, b := range c.Backups {
			deps := append([]string{}, b.DependsOn...)
			backups = append(backups, backupJSON{ID: b.ID, RemotePath: b.RemotePath, Identifier: b.Identifier, Type: b.Type,
				State: b.State, PackageVersion: b.PackageVersion, CreationTime: isoTime(b.CreatedAt), Format: "tgz", DependsOn: deps})
		}
	})
	// ISO times sort as strings; at one time, the box's before its apps'.
	slices.SortStableFunc(backups, func(a, b backupJSON) int {
		return cmp.Or(cmp.Compare(b.CreationTime, a.CreationTime), cmp.Compare(b.Type, a.Type))
	})
	from, to, err := page(r, len(backups))
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, map[string]any{"backups": append([]backupJSON{}, backups[from:to]...)})
	return nil
}

// nightlyBackup adds the scheduled backup of the last 23:00 UTC if it was
// missed. Schedules are calendar events, so they run on the wall clock,
// unscaled; the backups-old fault pauses them.
func (s *server) nightlyBackup(now time.Time) {
	last := time.Date(now.Year(), now.Month(), now.Day(), nightlyBackupHour, 0, 0, 0, time.UTC)
	if last.After(now) {
		last = last.AddDate(0, 0, -1)
	}
	due := false
	s.read(func(c *world.Cloudron, _ *world.Data) { due = nightlyDue(c, last) })
	if due {
		s.settle(func(c *world.Cloudron, _ *world.Data) {
			if nightlyDue(c, last) {
				addBackup(c, last)
			}
		})
	}
}

func nightlyDue(c *world.Cloudron, last time.Time) bool {
	if !c.Activated || c.FaultState.BackupsPaused || last.Before(c.ActivatedAt) {
		return false
	}
	for _, b := range c.Backups {
		if b.Type == "box" && !b.CreatedAt.Before(last) {
			return false
		}
	}
	return true
}

// createBackup starts a full backup task: 202 {taskId}; 409 while an
// update or another backup runs.
func (s *server) createBackup(rw http.ResponseWriter, r *http.Request, _ caller) error {
	now := s.w.Now()
	var taskID string
	err := s.update(r.Context(), "cloudron.backup.create", func(c *world.Cloudron, d *world.Data) error {
		if err := platformBusy(c); err != nil {
			return err
		}
		length := knob(c.Options.Timings.Backup, backupDefault)
		steps := []step{{10, "Backing up apps", length * 2 / 3}, {70, "Uploading box backup", length / 3}}
		taskID = startTask(c, d, now, taskSpec{typ: "backup", action: "backup", steps: steps, wait: -1}).ID
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusAccepted, map[string]string{"taskId": taskID})
	return nil
}
