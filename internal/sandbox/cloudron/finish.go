package cloudron

import (
	"fmt"
	"slices"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// msgBackingUp starts the backup part of updates: a finished update with
// this step leaves a backup behind.
const msgBackingUp = "Backing up"

// finishTask ends t successfully at its EndsAt, with its effect on the
// Cloudron; certs holds certificates issued for it (by host). A task the
// cloudron-task-fails fault marked ends crashed instead.
func finishTask(c *world.Cloudron, d *world.Data, t *world.CloudronTask, certs map[string]*world.CloudronCert) {
	if t.Crash {
		failTask(c, t, t.EndsAt, &world.CloudronError{
			Message: fmt.Sprintf("Task %s crashed with code 1 and signal null", t.ID), Code: "crashed"})
		return
	}
	t.Finished, t.FinishedAt = true, t.EndsAt
	healthyAt := t.EndsAt.Add(scaled(d, appStartHealthy))
	app := appByID(c, t.AppID)
	if t.AppID != "" && app == nil {
		return // the app went away under its task
	}
	switch t.Action {
	case "install":
		app.InstallationState, app.RunState = "installed", "running"
		app.InstalledAt, app.HealthyAt = t.EndsAt, healthyAt
		if cert := certs[app.FQDN()]; cert != nil {
			setCert(c, cert)
		}
		if app.AppStoreID == synapseStoreID {
			synapseInstalled(machineOf(d, c), app, t.EndsAt)
		}
		if app.AppStoreID == elementStoreID {
			elementInstalled(machineOf(d, c), c, app, t.EndsAt)
		}
	case "update":
		app.InstallationState, app.Version, app.HealthyAt = "installed", t.Target, healthyAt
		delete(c.Updates.Apps, app.ID)
		addBackupIfTaken(c, t)
		startedApp(c, d, app, t.EndsAt)
	case "uninstall":
		removeAppData(machineOf(d, c), app.ID)
		removeApp(c, app)
		return
	case "restart", "start":
		// A restart brings a crashed app back, as doctor's fix says.
		app.InstallationState, app.RunState, app.Down, app.HealthyAt = "installed", "running", false, healthyAt
		startedApp(c, d, app, t.EndsAt)
	case "stop":
		app.InstallationState, app.RunState = "installed", "stopped"
	case "backup":
		addBackup(c, t.EndsAt)
	case "box_update":
		addBackupIfTaken(c, t)
		c.Version = t.Target
		c.Updates = world.CloudronUpdates{} // the next look checks again
	}
	if app != nil {
		app.TaskID, app.UpdatedAt = "", t.EndsAt
	}
}

// startedApp is an app's container starting again: Synapse reads its
// configuration file only then.
func startedApp(c *world.Cloudron, d *world.Data, app *world.CloudronApp, at time.Time) {
	if app.AppStoreID == synapseStoreID {
		synapseStarted(d, machineOf(d, c), app, at)
	}
}

// failTask ends t at with err; an app it worked on goes to the error
// state, remembering what it was doing.
func failTask(c *world.Cloudron, t *world.CloudronTask, at time.Time, err *world.CloudronError) {
	t.Finished, t.FinishedAt, t.Error = true, at, err
	app := appByID(c, t.AppID)
	if app == nil {
		return
	}
	appErr := *err
	appErr.InstallationState = app.InstallationState
	app.InstallationState, app.Error, app.TaskID, app.UpdatedAt = "error", &appErr, "", at
}

func removeApp(c *world.Cloudron, app *world.CloudronApp) {
	c.Apps = slices.DeleteFunc(c.Apps, func(a *world.CloudronApp) bool { return a == app })
	c.Certs = slices.DeleteFunc(c.Certs, func(cert *world.CloudronCert) bool { return cert.Host == app.FQDN() })
	delete(c.Updates.Apps, app.ID)
}

// addBackupIfTaken adds the backup an update took first, dated when its
// backup step ended.
func addBackupIfTaken(c *world.Cloudron, t *world.CloudronTask) {
	for i, st := range t.Steps {
		if st.Message == msgBackingUp && i+1 < len(t.Steps) {
			addBackup(c, t.Steps[i+1].At)
			return
		}
	}
}

// addBackup records a full backup at time at: one per installed app and
// the box's, which lists them.
func addBackup(c *world.Cloudron, at time.Time) {
	stamp := at.UTC().Format("2006-01-02-150405-000")
	box := &world.CloudronBackup{
		ID:             fmt.Sprintf("box_v%s_%s", c.Version, randomHex(4)),
		RemotePath:     fmt.Sprintf("%s/box_v%s", stamp, c.Version),
		Identifier:     "box",
		Type:           "box",
		State:          "normal",
		PackageVersion: c.Version,
		CreatedAt:      at,
	}
	var backups []*world.CloudronBackup
	for _, a := range c.Apps {
		if a.InstalledAt.IsZero() {
			continue
		}
		ab := &world.CloudronBackup{
			ID:             fmt.Sprintf("app_%s_v%s_%s", a.ID, a.Version, randomHex(4)),
			RemotePath:     fmt.Sprintf("%s/app_%s_v%s", stamp, a.FQDN(), a.Version),
			Identifier:     a.ID,
			Type:           "app",
			State:          "normal",
			PackageVersion: a.Version,
			CreatedAt:      at,
		}
		box.DependsOn = append(box.DependsOn, ab.ID)
		backups = append(backups, ab)
	}
	c.Backups = append(c.Backups, append(backups, box)...)
}
