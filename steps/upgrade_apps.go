package steps

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/chapterctl/chapterctl/internal/cloudron"
)

// AppUpdates updates each app the box offers a newer package of, one
// after the other, after the platform. One app's failure does not stop
// the others; the step fails at the end naming each failed app and the
// backup to restore it from.
type AppUpdates struct{}

func NewAppUpdates() Step { return AppUpdates{} }

func (AppUpdates) ID() string    { return appUpdatesStepID }
func (AppUpdates) Title() string { return "App updates" }

// offeredApp is an installed app and the version offered for it.
type offeredApp struct {
	app     cloudron.App
	version string
}

func (a offeredApp) name() string {
	return fmt.Sprintf("%s (%s)", cmp.Or(a.app.Title, a.app.AppStoreID), a.app.FQDN)
}

// offeredApps reads the updates the box offers: the platform's, and the
// apps with one, by name.
func offeredApps(ctx context.Context, client *cloudron.Client) (*cloudron.Update, []offeredApp, error) {
	offers, err := client.Offers(ctx)
	if err != nil || len(offers.Apps) == 0 {
		return offers.Box, nil, err
	}
	apps, err := client.Apps(ctx)
	if err != nil {
		return nil, nil, err
	}
	var list []offeredApp
	for _, a := range apps {
		if v, ok := offers.Apps[a.ID]; ok {
			list = append(list, offeredApp{app: a, version: v})
		}
	}
	slices.SortFunc(list, func(a, b offeredApp) int { return cmp.Compare(a.app.FQDN, b.app.FQDN) })
	return offers.Box, list, nil
}

func (s AppUpdates) Plan(ctx context.Context, env *Env) (Change, error) {
	client, err := upgradeCloudron(env)
	if err != nil {
		return Change{}, err
	}
	_, list, err := offeredApps(ctx, client)
	if err != nil {
		return Change{}, err
	}
	var items []Item
	for _, a := range list {
		detail := fmt.Sprintf("%s → %s", a.app.Version, a.version)
		switch {
		case a.app.InstallationState == "error":
			detail += " (" + errErrorState.Error() + ")"
		case a.app.Busy():
			detail += " (" + a.app.InstallationState + ": followed, not started again)"
		}
		items = append(items, Item{Action: Update, Resource: "app " + a.name(), Detail: detail})
	}
	return Change{Items: items}, nil
}

func (s AppUpdates) Apply(ctx context.Context, env *Env, _ Change) error {
	client, backup, err := updateAccess(env)
	if err != nil {
		return err
	}
	_, list, err := offeredApps(ctx, client)
	if err != nil {
		return err
	}
	var failed []error
	for _, a := range list {
		if err := s.update(ctx, env, client, a); err != nil {
			if ctx.Err() != nil {
				return err
			}
			failed = append(failed, fmt.Errorf("%s did not update to %s: %w; %s", a.name(), a.version, err, restoreHint(ctx, env, client, a.app, backup)))
			continue
		}
		env.Progress.Line(fmt.Sprintf("%s updated to %s", a.name(), a.version))
	}
	if len(failed) > 0 {
		return errors.Join(failed...)
	}
	// The attempt is over: the next upgrade takes a new backup.
	return env.Record(appUpdatesClosed, env.Output(backupStepID, backupAttempt))
}

// errErrorState: an app a failed update left broken is not updated again.
var errErrorState = errors.New("it is in the error state, as a failed update leaves it, so it is not updated again")

// update updates one app, or follows the update a killed run started
// (the app's busy state and task are the truth, not the state file).
func (AppUpdates) update(ctx context.Context, env *Env, client *cloudron.Client, a offeredApp) error {
	app := a.app
	if app.InstallationState == "error" {
		// Cloudron refuses updates in the error state; restoring the
		// backup is the organizer's call (it undoes what changed since).
		return errErrorState
	}
	if !app.Busy() {
		task, err := client.UpdateApp(ctx, app.ID, app.AppStoreID, true)
		if err == nil {
			if err := env.Record(app.ID+"_task", task); err != nil {
				return err
			}
			return followTask(ctx, env, client, task, a.name())
		}
		// A 409 because a task took the app meanwhile: follow it below.
		fresh, readErr := client.App(ctx, app.ID)
		if readErr != nil || !fresh.Busy() {
			return err // the refusal itself says why
		}
		app = fresh
	}
	if app.TaskID == "" {
		_, err := client.WaitApp(ctx, app.ID, nil)
		return err
	}
	return followTask(ctx, env, client, app.TaskID, a.name())
}

// restoreHint names the backup of app within this attempt's backup: the
// newest of the app's backups no newer than the box backup.
func restoreHint(ctx context.Context, env *Env, client *cloudron.Client, app cloudron.App, boxBackup string) string {
	hint := fmt.Sprintf("restore it from the backup %s (docs/upgrade.md)", boxBackup)
	taken, err := time.Parse(time.RFC3339Nano, env.Output(backupStepID, backupTime))
	if err != nil {
		return hint
	}
	backups, err := client.Backups(ctx)
	if err != nil {
		return hint
	}
	for _, b := range backups { // newest first
		if b.Type == "app" && b.Identifier == app.ID && !b.CreationTime.After(taken) {
			return fmt.Sprintf("restore it from its backup %s (version %s, part of the full backup %s; docs/upgrade.md)",
				b.ID, b.PackageVersion, boxBackup)
		}
	}
	return hint
}
