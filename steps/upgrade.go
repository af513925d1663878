package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/waitx"
)

// Upgrade returns the steps of `chapterctl upgrade`: a full backup, the
// platform update, the apps' updates (Cloudron's own order: platform
// first, then apps), then init's steps again as the convergence pass, so
// that drift an update brought, or chapter.yaml's new answers, are put
// right last. See docs/upgrade.md.
func Upgrade() []Step {
	return append(Updates(), Init()...)
}

// Updates are the steps upgrade runs before init's: the backup, then the
// platform's and the apps' updates.
func Updates() []Step {
	return []Step{NewUpgradeBackup(), NewPlatformUpdate(), NewAppUpdates()}
}

// Step ids and outputs of the upgrade steps, read across them.
const (
	backupStepID     = "backup"
	backupAttempt    = "attempt"       // when this upgrade attempt began (its id)
	backupTargets    = "targets"       // the updates it backs up for
	backupBefore     = "newest_before" // the newest box backup when it began
	backupTask       = "task"
	backupID         = "backup_id"
	backupTime       = "backup_time"
	platformStepID   = "platform-update"
	appUpdatesStepID = "app-updates"
	appUpdatesClosed = "closed_attempt"
)

// errNotSetUp: upgrade works on a chapter init has set up.
var errNotSetUp = &InputError{Field: "chapterctl init",
	Msg: "this chapter's Cloudron is not set up yet: run \"chapterctl init\" first, then \"chapterctl upgrade\""}

// upgradeCloudron is the dashboard client with the stored API token, once
// platform-setup is done.
func upgradeCloudron(env *Env) (*cloudron.Client, error) {
	token := env.Secret(secrets.CloudronToken)
	if !env.Done(platformSetupStep) || token == "" {
		return nil, errNotSetUp
	}
	return dashboardCloudron(env, token), nil
}

// offerList is the updates the box offers, as "Cloudron 9.1.0" and
// "<app name> 1.99.0" entries: what an attempt backs up for.
func offerList(box *cloudron.Update, apps []offeredApp) []string {
	var list []string
	if box != nil {
		list = append(list, "Cloudron "+box.Version)
	}
	for _, a := range apps {
		list = append(list, a.name()+" "+a.version)
	}
	return list
}

// attemptCovers tells whether the recorded attempt's backup covers the
// updates offered now: the attempt is not closed and nothing is offered
// that it did not back up for. A rerun after a kill or a failed app
// update goes on with the same backup; new offers start a new attempt.
func attemptCovers(env *Env, offers []string) bool {
	attempt := env.Output(backupStepID, backupAttempt)
	if attempt == "" || env.Output(backupStepID, backupID) == "" || env.Output(appUpdatesStepID, appUpdatesClosed) == attempt {
		return false
	}
	targets := strings.Split(env.Output(backupStepID, backupTargets), "\n")
	for _, o := range offers {
		if !slices.Contains(targets, o) {
			return false
		}
	}
	return true
}

// updateAccess is what an update step needs before it may start one:
// the client, and the backup this attempt took (an error says no update
// may start without it).
func updateAccess(env *Env) (*cloudron.Client, string, error) {
	client, err := upgradeCloudron(env)
	if err != nil {
		return nil, "", err
	}
	id := env.Output(backupStepID, backupID)
	if id == "" || env.Output(appUpdatesStepID, appUpdatesClosed) == env.Output(backupStepID, backupAttempt) {
		return nil, "", errors.New("no backup was taken for this upgrade, so no update starts; run \"chapterctl upgrade\" again")
	}
	return client, id, nil
}

// busyWaitLimit bounds a wait for a running platform task (an update or
// backup a killed run started) when the caller set no deadline.
const busyWaitLimit = 3 * time.Hour

// retryWhileBusy calls try until it is done, pausing while Cloudron is
// busy with another platform task or restarting. try returns done, or an
// error; ErrBusy and an unavailable box are waited out.
func retryWhileBusy(ctx context.Context, env *Env, what string, try func() (bool, error)) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, busyWaitLimit)
		defer cancel()
	}
	started := time.Now()
	for n := 1; ; n++ {
		done, err := try()
		switch {
		case err == nil && done:
			return nil
		case err != nil && !errors.Is(err, cloudron.ErrBusy) && !cloudron.Unavailable(err):
			return err
		}
		env.Progress.Waiting(what, time.Since(started))
		if err := waitx.Sleep(ctx, waitx.Backoff(25*time.Millisecond, 5*time.Second, n)); err != nil {
			return fmt.Errorf("gave up waiting for %s after %s: %w", what, time.Since(started).Round(time.Second), err)
		}
	}
}

// followTask waits for a Cloudron task, showing its progress as what.
func followTask(ctx context.Context, env *Env, client *cloudron.Client, id, what string) error {
	started := time.Now()
	_, err := client.WaitTask(ctx, id, func(percent int, message string) {
		env.Progress.Waiting(fmt.Sprintf("%s: %d%% %s", what, percent, message), time.Since(started))
	})
	return err
}
